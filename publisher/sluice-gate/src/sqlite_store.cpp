#include "sqlite_store.hpp"

#include "gate_sql.hpp"

#include <sluice/protocol/keys.hpp>

#include <sqlite3.h>
#include <sys/stat.h>

namespace sluice::gate {

namespace {

class category final : public std::error_category {
public:
    char const* name() const noexcept override { return "sqlite"; }
    std::string message(int code) const override { return sqlite3_errstr(code); }
};

std::error_code make_error(int rc) {
    return {rc, sqlite_category()};
}

// One prepared statement, finalised on scope exit. Binding is positional, as in the SQL text.
class statement {
public:
    statement(sqlite3* db, char const* sql) { rc_ = sqlite3_prepare_v2(db, sql, -1, &stmt_, nullptr); }
    ~statement() { sqlite3_finalize(stmt_); }
    statement(statement const&) = delete;
    statement& operator=(statement const&) = delete;

    int prepared() const { return rc_; }

    statement& bind(std::string_view text) {
        ++index_;
        if (rc_ == SQLITE_OK) {
            rc_ = sqlite3_bind_text(stmt_, index_, text.data(), static_cast<int>(text.size()),
                                    SQLITE_TRANSIENT);
        }
        return *this;
    }
    statement& bind(std::int64_t value) {
        ++index_;
        if (rc_ == SQLITE_OK) {
            rc_ = sqlite3_bind_int64(stmt_, index_, value);
        }
        return *this;
    }

    statement& bind(std::optional<std::int64_t> value) {
        if (value) {
            return bind(*value);
        }
        ++index_;
        if (rc_ == SQLITE_OK) {
            rc_ = sqlite3_bind_null(stmt_, index_);
        }
        return *this;
    }

    // SQLITE_ROW, SQLITE_DONE, or an error (also a binding error found earlier).
    int step() { return rc_ != SQLITE_OK ? rc_ : sqlite3_step(stmt_); }

    std::string text(int column) const {
        auto const* p = reinterpret_cast<char const*>(sqlite3_column_text(stmt_, column));
        return p ? std::string(p, static_cast<std::size_t>(sqlite3_column_bytes(stmt_, column)))
                 : std::string();
    }
    std::int64_t integer(int column) const { return sqlite3_column_int64(stmt_, column); }
    std::optional<std::int64_t> maybe_integer(int column) const {
        return is_null(column) ? std::nullopt : std::optional<std::int64_t>(integer(column));
    }
    bool is_null(int column) const { return sqlite3_column_type(stmt_, column) == SQLITE_NULL; }

private:
    sqlite3_stmt* stmt_ = nullptr;
    int rc_ = SQLITE_OK;
    int index_ = 0;
};

// Runs one statement that returns no rows.
int run(sqlite3* db, char const* sql) {
    return sqlite3_exec(db, sql, nullptr, nullptr, nullptr);
}

// BEGIN IMMEDIATE takes the write lock at once: a read-then-write transaction (the version check of an
// import) cannot then fail half way with SQLITE_BUSY on the upgrade. Rolled back unless committed.
class transaction {
public:
    explicit transaction(sqlite3* db) : db_(db) { rc_ = run(db, "BEGIN IMMEDIATE"); }
    ~transaction() {
        if (rc_ == SQLITE_OK && !done_) {
            run(db_, "ROLLBACK");
        }
    }
    int begun() const { return rc_; }
    int commit() {
        done_ = true;
        return run(db_, "COMMIT");
    }

private:
    sqlite3* db_;
    int rc_;
    bool done_ = false;
};

bool failed(int rc) {
    return rc != SQLITE_OK && rc != SQLITE_ROW && rc != SQLITE_DONE;
}

} // namespace

std::error_category const& sqlite_category() {
    static category const instance;
    return instance;
}

std::unique_ptr<sqlite_store> sqlite_store::open(std::filesystem::path const& data_dir, std::error_code& ec,
                                                 std::string* detail) {
    std::filesystem::create_directories(data_dir, ec);
    if (ec) {
        return nullptr;
    }
    // The keys table holds every item key of every bundle: nobody else on the machine reads the folder.
    ::chmod(data_dir.c_str(), 0700);
    sqlite3* db = nullptr;
    auto const file = (data_dir / "gate.db").string();
    int rc = sqlite3_open_v2(file.c_str(), &db,
                             SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
    if (rc != SQLITE_OK) {
        if (detail) {
            *detail = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
        }
        sqlite3_close(db);
        ec = make_error(rc);
        return nullptr;
    }
    sqlite3_busy_timeout(db, 5000);
    // WAL: readers never block the writer; FULL: the WAL is fsynced at each commit, which is what makes an
    // answered request durable (NORMAL would only protect the database's integrity, not the last commits).
    for (char const* pragma :
         {"PRAGMA journal_mode=WAL", "PRAGMA synchronous=FULL", "PRAGMA foreign_keys=ON"}) {
        rc = run(db, pragma);
        if (rc != SQLITE_OK) {
            break;
        }
    }
    if (rc == SQLITE_OK) {
        rc = run(db, sql::schema);
    }
    if (rc != SQLITE_OK) {
        if (detail) {
            *detail = sqlite3_errmsg(db);
        }
        sqlite3_close(db);
        ec = make_error(rc);
        return nullptr;
    }
    ::chmod(file.c_str(), 0600);
    ec.clear();
    return std::unique_ptr<sqlite_store>(new sqlite_store(db));
}

sqlite_store::~sqlite_store() {
    sqlite3_close(db_);
}

import_outcome sqlite_store::put_bundle(stored_bundle const& bundle, std::error_code& ec) {
    ec.clear();
    transaction tx(db_);
    if (tx.begun() != SQLITE_OK) {
        ec = make_error(tx.begun());
        return import_outcome::refused;
    }
    auto const signature = protocol::to_base64(bundle.signature);
    import_outcome outcome = import_outcome::inserted;
    {
        statement find(db_, sql::find_bundle_version);
        int const rc = find.bind(bundle.id).step();
        if (failed(rc)) {
            ec = make_error(rc);
            return import_outcome::refused;
        }
        if (rc == SQLITE_ROW) {
            auto const version = static_cast<std::uint64_t>(find.integer(0));
            if (version == bundle.version) {
                return find.text(1) == bundle.manifest ? import_outcome::unchanged : import_outcome::refused;
            }
            if (version > bundle.version) {
                return import_outcome::refused;
            }
            outcome = import_outcome::replaced;
        }
    }
    int rc = SQLITE_OK;
    if (outcome == import_outcome::inserted) {
        statement insert(db_, sql::insert_bundle);
        rc = insert.bind(bundle.id)
                 .bind(static_cast<std::int64_t>(bundle.version))
                 .bind(bundle.manifest)
                 .bind(signature)
                 .bind(bundle.keys)
                 .bind(bundle.magnet)
                 .bind(bundle.imported_at)
                 .step();
    } else {
        statement update(db_, sql::update_bundle);
        rc = update.bind(static_cast<std::int64_t>(bundle.version))
                 .bind(bundle.manifest)
                 .bind(signature)
                 .bind(bundle.keys)
                 .bind(bundle.magnet)
                 .bind(bundle.imported_at)
                 .bind(bundle.id)
                 .step();
    }
    if (rc != SQLITE_DONE) {
        ec = make_error(rc);
        return import_outcome::refused;
    }
    rc = tx.commit();
    if (rc != SQLITE_OK) {
        ec = make_error(rc);
        return import_outcome::refused;
    }
    return outcome;
}

std::optional<stored_bundle> sqlite_store::find_bundle(std::string_view id, std::error_code& ec) {
    ec.clear();
    statement find(db_, sql::find_bundle);
    int const rc = find.bind(id).step();
    if (rc != SQLITE_ROW) {
        if (rc != SQLITE_DONE) {
            ec = make_error(rc);
        }
        return std::nullopt;
    }
    stored_bundle b;
    b.id = find.text(0);
    b.version = static_cast<std::uint64_t>(find.integer(1));
    b.manifest = find.text(2);
    b.signature = protocol::from_base64(find.text(3)).value_or(std::string());
    b.keys = find.text(4);
    b.magnet = find.text(5);
    b.imported_at = find.integer(6);
    return b;
}

namespace {

int insert_unlock(sqlite3* db, unlock_record const& u) {
    statement insert(db, sql::insert_unlock);
    return insert.bind(u.token_id)
        .bind(u.bundle_id)
        .bind(static_cast<std::int64_t>(u.bundle_version))
        .bind(u.grantee_kind)
        .bind(u.grantee_ref)
        .bind(u.device)
        .bind(u.token)
        .bind(u.issued_at)
        .step();
}

} // namespace

void sqlite_store::record_unlock(unlock_record const& unlock, std::error_code& ec) {
    // A single statement outside BEGIN is its own transaction, committed (and fsynced) when step returns.
    int const rc = insert_unlock(db_, unlock);
    ec = rc == SQLITE_DONE ? std::error_code() : make_error(rc);
}

std::uint64_t sqlite_store::count_unlocks(std::string_view bundle_id, std::error_code& ec) {
    statement count(db_, sql::count_unlocks);
    int const rc = count.bind(bundle_id).step();
    if (rc != SQLITE_ROW) {
        ec = make_error(rc);
        return 0;
    }
    ec.clear();
    return static_cast<std::uint64_t>(count.integer(0));
}

void sqlite_store::create_email_request(email_request const& r, std::error_code& ec) {
    statement insert(db_, sql::insert_email_request);
    int const rc = insert.bind(r.request_id)
                       .bind(r.bundle_id)
                       .bind(r.email)
                       .bind(r.device)
                       .bind(r.code_hash)
                       .bind(r.created_at)
                       .bind(r.expires_at)
                       .bind(static_cast<std::int64_t>(r.attempts))
                       .step();
    ec = rc == SQLITE_DONE ? std::error_code() : make_error(rc);
}

std::optional<email_request> sqlite_store::find_email_request(std::string_view request_id,
                                                              std::error_code& ec) {
    ec.clear();
    statement find(db_, sql::find_email_request);
    int const rc = find.bind(request_id).step();
    if (rc != SQLITE_ROW) {
        if (rc != SQLITE_DONE) {
            ec = make_error(rc);
        }
        return std::nullopt;
    }
    email_request r;
    r.request_id = find.text(0);
    r.bundle_id = find.text(1);
    r.email = find.text(2);
    r.device = find.text(3);
    r.code_hash = find.text(4);
    r.created_at = find.integer(5);
    r.expires_at = find.integer(6);
    r.attempts = static_cast<int>(find.integer(7));
    if (!find.is_null(8)) {
        r.unlock_token_id = find.text(8);
    }
    return r;
}

int sqlite_store::add_email_attempt(std::string_view request_id, std::error_code& ec) {
    transaction tx(db_);
    if (tx.begun() != SQLITE_OK) {
        ec = make_error(tx.begun());
        return 0;
    }
    {
        statement update(db_, sql::add_email_attempt);
        int const rc = update.bind(request_id).step();
        if (rc != SQLITE_DONE) {
            ec = make_error(rc);
            return 0;
        }
    }
    int attempts = 0;
    {
        statement read(db_, sql::email_attempts);
        int const rc = read.bind(request_id).step();
        if (rc != SQLITE_ROW) {
            ec = make_error(rc == SQLITE_DONE ? SQLITE_NOTFOUND : rc);
            return 0;
        }
        attempts = static_cast<int>(read.integer(0));
    }
    int const rc = tx.commit();
    ec = rc == SQLITE_OK ? std::error_code() : make_error(rc);
    return attempts;
}

bool sqlite_store::confirm_email_request(std::string_view request_id, unlock_record const& unlock,
                                         std::error_code& ec) {
    transaction tx(db_);
    if (tx.begun() != SQLITE_OK) {
        ec = make_error(tx.begun());
        return false;
    }
    // The unlock row first: the request refers to it.
    int rc = insert_unlock(db_, unlock);
    if (rc != SQLITE_DONE) {
        ec = make_error(rc);
        return false;
    }
    {
        statement update(db_, sql::confirm_email_request);
        rc = update.bind(unlock.token_id).bind(request_id).step();
        if (rc != SQLITE_DONE) {
            ec = make_error(rc);
            return false;
        }
        if (sqlite3_changes(db_) != 1) {
            ec.clear();
            return false;
        }
    }
    rc = tx.commit();
    ec = rc == SQLITE_OK ? std::error_code() : make_error(rc);
    return !ec;
}

namespace {

std::optional<std::int64_t> signed_optional(std::optional<std::uint64_t> v) {
    return v ? std::optional<std::int64_t>(static_cast<std::int64_t>(*v)) : std::nullopt;
}

std::optional<std::uint64_t> unsigned_optional(std::optional<std::int64_t> v) {
    return v ? std::optional<std::uint64_t>(static_cast<std::uint64_t>(*v)) : std::nullopt;
}

pledge_record read_pledge(statement const& row) {
    pledge_record p;
    p.pledge_id = row.text(0);
    p.campaign_id = row.text(1);
    p.idempotency_key = row.text(2);
    p.request_hash = row.text(3);
    p.amount = static_cast<std::uint64_t>(row.integer(4));
    p.device = row.text(5);
    p.state = row.text(6);
    p.response = row.text(7);
    p.created_at = row.integer(8);
    p.cancelled_at = row.maybe_integer(9);
    return p;
}

// The campaign's state and deadline, for checks inside a transaction; SQLITE_DONE when there is none.
int campaign_state(sqlite3* db, std::string_view id, std::string& state, std::int64_t& deadline) {
    statement find(db, sql::campaign_state);
    int const rc = find.bind(id).step();
    if (rc == SQLITE_ROW) {
        state = find.text(0);
        deadline = find.integer(1);
    }
    return rc;
}

} // namespace

void sqlite_store::ensure_campaign(campaign_record const& c, std::error_code& ec) {
    statement insert(db_, sql::insert_campaign);
    int const rc = insert.bind(c.id)
                       .bind(c.bundle_id)
                       .bind(signed_optional(c.goal_backers))
                       .bind(signed_optional(c.goal_amount))
                       .bind(static_cast<std::int64_t>(c.price))
                       .bind(c.currency)
                       .bind(c.deadline)
                       .bind(c.expected_delivery)
                       .bind(c.if_goal_missed)
                       .step();
    ec = rc == SQLITE_DONE ? std::error_code() : make_error(rc);
}

std::optional<campaign_record> sqlite_store::find_campaign(std::string_view id, std::error_code& ec) {
    ec.clear();
    statement find(db_, sql::find_campaign);
    int const rc = find.bind(id).step();
    if (rc != SQLITE_ROW) {
        if (rc != SQLITE_DONE) {
            ec = make_error(rc);
        }
        return std::nullopt;
    }
    campaign_record c;
    c.id = find.text(0);
    c.bundle_id = find.text(1);
    c.goal_backers = unsigned_optional(find.maybe_integer(2));
    c.goal_amount = unsigned_optional(find.maybe_integer(3));
    c.price = static_cast<std::uint64_t>(find.integer(4));
    c.currency = find.text(5);
    c.deadline = find.integer(6);
    c.expected_delivery = find.text(7);
    c.if_goal_missed = find.text(8);
    c.state = find.text(9);
    c.closed_at = find.maybe_integer(10);
    return c;
}

campaign_totals sqlite_store::totals(std::string_view campaign_id, std::error_code& ec) {
    statement sum(db_, sql::campaign_totals);
    int const rc = sum.bind(campaign_id).step();
    if (rc != SQLITE_ROW) {
        ec = make_error(rc);
        return {};
    }
    ec.clear();
    return {static_cast<std::uint64_t>(sum.integer(0)), static_cast<std::uint64_t>(sum.integer(1))};
}

pledge_outcome sqlite_store::add_pledge(pledge_record const& pledge, std::int64_t now,
                                        std::optional<pledge_record>& existing, std::error_code& ec) {
    ec.clear();
    existing.reset();
    transaction tx(db_);
    if (tx.begun() != SQLITE_OK) {
        ec = make_error(tx.begun());
        return pledge_outcome::closed;
    }
    {
        statement find(db_, sql::find_pledge_by_key);
        int const rc = find.bind(pledge.campaign_id).bind(pledge.idempotency_key).step();
        if (rc == SQLITE_ROW) {
            existing = read_pledge(find);
            return pledge_outcome::existing;
        }
        if (rc != SQLITE_DONE) {
            ec = make_error(rc);
            return pledge_outcome::closed;
        }
    }
    std::string state;
    std::int64_t deadline = 0;
    int rc = campaign_state(db_, pledge.campaign_id, state, deadline);
    if (rc == SQLITE_DONE) {
        return pledge_outcome::no_campaign;
    }
    if (rc != SQLITE_ROW) {
        ec = make_error(rc);
        return pledge_outcome::closed;
    }
    if (state != "open" || now >= deadline) {
        return pledge_outcome::closed;
    }
    {
        statement insert(db_, sql::insert_pledge);
        rc = insert.bind(pledge.pledge_id)
                 .bind(pledge.campaign_id)
                 .bind(pledge.idempotency_key)
                 .bind(pledge.request_hash)
                 .bind(static_cast<std::int64_t>(pledge.amount))
                 .bind(pledge.device)
                 .bind(pledge.response)
                 .bind(pledge.created_at)
                 .step();
        if (rc != SQLITE_DONE) {
            ec = make_error(rc);
            return pledge_outcome::closed;
        }
    }
    rc = tx.commit();
    if (rc != SQLITE_OK) {
        ec = make_error(rc);
    }
    return pledge_outcome::created;
}

std::optional<pledge_record> sqlite_store::find_pledge(std::string_view pledge_id, std::error_code& ec) {
    ec.clear();
    statement find(db_, sql::find_pledge);
    int const rc = find.bind(pledge_id).step();
    if (rc != SQLITE_ROW) {
        if (rc != SQLITE_DONE) {
            ec = make_error(rc);
        }
        return std::nullopt;
    }
    return read_pledge(find);
}

cancel_outcome sqlite_store::cancel_pledge(std::string_view pledge_id, std::int64_t now,
                                           std::error_code& ec) {
    ec.clear();
    transaction tx(db_);
    if (tx.begun() != SQLITE_OK) {
        ec = make_error(tx.begun());
        return cancel_outcome::not_found;
    }
    std::optional<pledge_record> pledge;
    {
        statement find(db_, sql::find_pledge);
        int const rc = find.bind(pledge_id).step();
        if (rc == SQLITE_DONE) {
            return cancel_outcome::not_found;
        }
        if (rc != SQLITE_ROW) {
            ec = make_error(rc);
            return cancel_outcome::not_found;
        }
        pledge = read_pledge(find);
    }
    if (pledge->state == "cancelled") {
        return cancel_outcome::already_cancelled;
    }
    std::string state;
    std::int64_t deadline = 0;
    int rc = campaign_state(db_, pledge->campaign_id, state, deadline);
    if (rc != SQLITE_ROW) {
        ec = make_error(rc == SQLITE_DONE ? SQLITE_CORRUPT : rc);
        return cancel_outcome::not_found;
    }
    if (state != "open" || now >= deadline) {
        return cancel_outcome::closed;
    }
    {
        statement update(db_, sql::cancel_pledge);
        rc = update.bind(now).bind(pledge_id).step();
        if (rc != SQLITE_DONE) {
            ec = make_error(rc);
            return cancel_outcome::not_found;
        }
    }
    rc = tx.commit();
    if (rc != SQLITE_OK) {
        ec = make_error(rc);
    }
    return cancel_outcome::cancelled;
}

std::string sqlite_store::close_campaign(std::string_view campaign_id, std::int64_t now,
                                         std::error_code& ec) {
    ec.clear();
    transaction tx(db_);
    if (tx.begun() != SQLITE_OK) {
        ec = make_error(tx.begun());
        return {};
    }
    auto const campaign = find_campaign(campaign_id, ec);
    if (ec || !campaign) {
        return {};
    }
    if (campaign->state != "open") {
        return campaign->state;
    }
    auto const sums = totals(campaign_id, ec);
    if (ec) {
        return {};
    }
    bool const funded = (!campaign->goal_backers || sums.backers >= *campaign->goal_backers) &&
                        (!campaign->goal_amount || sums.amount >= *campaign->goal_amount);
    std::string const state = funded ? "funded" : "failed";
    {
        statement update(db_, sql::close_campaign);
        int const rc = update.bind(state).bind(now).bind(campaign_id).step();
        if (rc != SQLITE_DONE) {
            ec = make_error(rc);
            return {};
        }
    }
    int const rc = tx.commit();
    if (rc != SQLITE_OK) {
        ec = make_error(rc);
        return {};
    }
    return state;
}

std::optional<unlock_record> sqlite_store::find_unlock(std::string_view grantee_kind,
                                                       std::string_view grantee_ref,
                                                       std::string_view bundle_id, std::error_code& ec) {
    ec.clear();
    statement find(db_, sql::find_unlock_by_grantee);
    int const rc = find.bind(grantee_kind).bind(grantee_ref).bind(bundle_id).step();
    if (rc != SQLITE_ROW) {
        if (rc != SQLITE_DONE) {
            ec = make_error(rc);
        }
        return std::nullopt;
    }
    unlock_record u;
    u.token_id = find.text(0);
    u.bundle_id = find.text(1);
    u.bundle_version = static_cast<std::uint64_t>(find.integer(2));
    u.grantee_kind = find.text(3);
    u.grantee_ref = find.text(4);
    u.device = find.text(5);
    u.token = find.text(6);
    u.issued_at = find.integer(7);
    return u;
}

gate_stats sqlite_store::stats(std::error_code& ec) {
    ec.clear();
    gate_stats s;
    {
        statement bundles(db_, sql::stats_bundles);
        int rc;
        while ((rc = bundles.step()) == SQLITE_ROW) {
            s.bundles.push_back({bundles.text(0), static_cast<std::uint64_t>(bundles.integer(1)),
                                 static_cast<std::uint64_t>(bundles.integer(2))});
        }
        if (rc != SQLITE_DONE) {
            ec = make_error(rc);
            return s;
        }
    }
    {
        statement campaigns(db_, sql::stats_campaigns);
        int rc;
        while ((rc = campaigns.step()) == SQLITE_ROW) {
            s.campaigns.push_back({campaigns.text(0),
                                   campaigns.text(1),
                                   {static_cast<std::uint64_t>(campaigns.integer(2)),
                                    static_cast<std::uint64_t>(campaigns.integer(3))}});
        }
        if (rc != SQLITE_DONE) {
            ec = make_error(rc);
            return s;
        }
    }
    {
        statement unlocks(db_, sql::stats_unlocks);
        int const rc = unlocks.step();
        if (rc != SQLITE_ROW) {
            ec = make_error(rc);
            return s;
        }
        s.unlocks = static_cast<std::uint64_t>(unlocks.integer(0));
    }
    {
        statement requests(db_, sql::stats_email_requests);
        int const rc = requests.step();
        if (rc != SQLITE_ROW) {
            ec = make_error(rc);
            return s;
        }
        s.email_requests_pending = static_cast<std::uint64_t>(requests.integer(0));
        s.email_requests_confirmed = static_cast<std::uint64_t>(requests.integer(1));
    }
    {
        statement payments(db_, sql::stats_payments);
        int const rc = payments.step();
        if (rc != SQLITE_ROW) {
            ec = make_error(rc);
            return s;
        }
        s.payments = {static_cast<std::uint64_t>(payments.integer(0)),
                      static_cast<std::uint64_t>(payments.integer(1)),
                      static_cast<std::uint64_t>(payments.integer(2))};
    }
    return s;
}

bool sqlite_store::add_delivery(std::string_view campaign_id, std::string_view bundle_id, std::int64_t now,
                                std::error_code& ec) {
    statement insert(db_, sql::insert_delivery);
    int const rc = insert.bind(campaign_id).bind(bundle_id).bind(now).step();
    if (rc != SQLITE_DONE) {
        ec = make_error(rc);
        return false;
    }
    ec.clear();
    return sqlite3_changes(db_) == 1;
}

std::vector<delivery_record> sqlite_store::deliveries(std::string_view campaign_id, std::error_code& ec) {
    ec.clear();
    std::vector<delivery_record> out;
    statement list(db_, sql::campaign_deliveries);
    list.bind(campaign_id);
    int rc;
    while ((rc = list.step()) == SQLITE_ROW) {
        out.push_back({list.text(0), list.text(1), static_cast<std::uint64_t>(list.integer(2)), list.text(3),
                       list.integer(4)});
    }
    if (rc != SQLITE_DONE) {
        ec = make_error(rc);
    }
    return out;
}

namespace {

payment_record read_payment(statement const& row) {
    payment_record p;
    p.payment_id = row.text(0);
    p.bundle_id = row.text(1);
    p.idempotency_key = row.text(2);
    p.request_hash = row.text(3);
    p.amount = static_cast<std::uint64_t>(row.integer(4));
    p.currency = row.text(5);
    p.device = row.text(6);
    p.state = row.text(7);
    p.response = row.text(8);
    p.created_at = row.integer(9);
    p.settled_at = row.maybe_integer(10);
    p.token = row.text(11);
    return p;
}

// One row of a payment query, or nullopt; `ec` set on a failure.
std::optional<payment_record> one_payment(statement& query, std::error_code& ec) {
    int const rc = query.step();
    if (rc == SQLITE_ROW) {
        ec.clear();
        return read_payment(query);
    }
    ec = rc == SQLITE_DONE ? std::error_code() : make_error(rc);
    return std::nullopt;
}

} // namespace

payment_outcome sqlite_store::add_payment(payment_record const& payment,
                                          std::optional<payment_record>& existing, std::error_code& ec) {
    ec.clear();
    existing.reset();
    transaction tx(db_);
    if (tx.begun() != SQLITE_OK) {
        ec = make_error(tx.begun());
        return payment_outcome::existing;
    }
    {
        statement find(db_, sql::find_payment_by_key);
        find.bind(payment.bundle_id).bind(payment.idempotency_key);
        existing = one_payment(find, ec);
        if (ec || existing) {
            return payment_outcome::existing;
        }
    }
    {
        statement insert(db_, sql::insert_payment);
        int const rc = insert.bind(payment.payment_id)
                           .bind(payment.bundle_id)
                           .bind(payment.idempotency_key)
                           .bind(payment.request_hash)
                           .bind(static_cast<std::int64_t>(payment.amount))
                           .bind(payment.currency)
                           .bind(payment.device)
                           .bind(payment.response)
                           .bind(payment.created_at)
                           .step();
        if (rc != SQLITE_DONE) {
            ec = make_error(rc);
            return payment_outcome::existing;
        }
    }
    int const rc = tx.commit();
    if (rc != SQLITE_OK) {
        ec = make_error(rc);
    }
    return payment_outcome::created;
}

std::optional<payment_record> sqlite_store::find_payment(std::string_view payment_id, std::error_code& ec) {
    statement find(db_, sql::find_payment);
    find.bind(payment_id);
    return one_payment(find, ec);
}

std::optional<payment_record> sqlite_store::find_payment_by_key(std::string_view bundle_id,
                                                                std::string_view idempotency_key,
                                                                std::error_code& ec) {
    statement find(db_, sql::find_payment_by_key);
    find.bind(bundle_id).bind(idempotency_key);
    return one_payment(find, ec);
}

payment_event_outcome sqlite_store::apply_payment_event(std::string_view event_id,
                                                        std::string_view payment_id, payment_event_type type,
                                                        std::int64_t now, std::error_code& ec) {
    ec.clear();
    transaction tx(db_);
    if (tx.begun() != SQLITE_OK) {
        ec = make_error(tx.begun());
        return payment_event_outcome::no_payment;
    }
    {
        statement seen(db_, sql::find_payment_event);
        int const rc = seen.bind(event_id).step();
        if (rc == SQLITE_ROW) {
            return payment_event_outcome::duplicate;
        }
        if (rc != SQLITE_DONE) {
            ec = make_error(rc);
            return payment_event_outcome::no_payment;
        }
    }
    std::string state;
    {
        statement find(db_, sql::payment_state);
        int const rc = find.bind(payment_id).step();
        if (rc == SQLITE_DONE) {
            return payment_event_outcome::no_payment;
        }
        if (rc != SQLITE_ROW) {
            ec = make_error(rc);
            return payment_event_outcome::no_payment;
        }
        state = find.text(0);
    }
    bool const succeeded = type == payment_event_type::succeeded;
    if ((succeeded && state == "failed") || (!succeeded && state == "paid")) {
        return payment_event_outcome::conflict;
    }
    {
        // Only a pending payment moves; the same news twice (under two event ids) changes nothing.
        statement settle(db_, sql::settle_payment);
        int const rc = settle.bind(succeeded ? "paid" : "failed").bind(now).bind(payment_id).step();
        if (rc != SQLITE_DONE) {
            ec = make_error(rc);
            return payment_event_outcome::no_payment;
        }
    }
    {
        statement record(db_, sql::insert_payment_event);
        int const rc = record.bind(event_id)
                           .bind(payment_id)
                           .bind(succeeded ? "payment.succeeded" : "payment.failed")
                           .bind(now)
                           .step();
        if (rc != SQLITE_DONE) {
            ec = make_error(rc);
            return payment_event_outcome::no_payment;
        }
    }
    int const rc = tx.commit();
    if (rc != SQLITE_OK) {
        ec = make_error(rc);
    }
    return payment_event_outcome::applied;
}

std::string sqlite_store::record_payment_unlock(std::string_view payment_id, unlock_record const& unlock,
                                                std::error_code& ec) {
    ec.clear();
    transaction tx(db_);
    if (tx.begun() != SQLITE_OK) {
        ec = make_error(tx.begun());
        return {};
    }
    std::optional<payment_record> payment;
    {
        statement find(db_, sql::find_payment);
        find.bind(payment_id);
        payment = one_payment(find, ec);
        if (ec) {
            return {};
        }
        if (!payment) {
            ec = make_error(SQLITE_NOTFOUND);
            return {};
        }
        if (!payment->token.empty()) {
            return payment->token;
        }
    }
    // The unlock row first: the payment refers to it.
    int rc = insert_unlock(db_, unlock);
    if (rc != SQLITE_DONE) {
        ec = make_error(rc);
        return {};
    }
    {
        statement tie(db_, sql::tie_payment_unlock);
        rc = tie.bind(unlock.token_id).bind(payment_id).step();
        if (rc != SQLITE_DONE) {
            ec = make_error(rc);
            return {};
        }
    }
    rc = tx.commit();
    if (rc != SQLITE_OK) {
        ec = make_error(rc);
        return {};
    }
    return unlock.token;
}

} // namespace sluice::gate
