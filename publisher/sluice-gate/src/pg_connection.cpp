#include "sluice-gate/pg_connection.hpp"

#include <charconv>
#include <cstring>
#include <libpq-fe.h>
#include <utility>

namespace sluice::gate {

namespace {

class pg_error_category final : public std::error_category {
public:
    char const* name() const noexcept override { return "postgresql"; }
    std::string message(int value) const override {
        switch (static_cast<pg_errc>(value)) {
        case pg_errc::unique_violation:
            return "a unique key is taken";
        case pg_errc::retry_transaction:
            return "the transaction must be run again (serialization failure or deadlock)";
        case pg_errc::connection_lost:
            return "the connection to PostgreSQL is lost";
        case pg_errc::failed:
            break;
        }
        return "PostgreSQL refused the statement";
    }
};

std::int64_t to_integer(char const* text) {
    std::int64_t value = 0;
    auto const* end = text + std::strlen(text);
    // SUM answers numeric: its text is the digits, with no fraction for sums of integers.
    std::from_chars(text, end, value);
    return value;
}

// A statement's parameters kept as text until its first step runs it; its rows then read in turn.
class pg_statement final : public prepared_statement {
public:
    pg_statement(pg_connection& db, char const* sql) : db_(db), sql_(sql) {}

    void bind_text(std::string_view text) override { params_.emplace_back(std::string(text)); }
    void bind_integer(std::int64_t value) override { params_.emplace_back(std::to_string(value)); }
    void bind_null() override { params_.emplace_back(std::nullopt); }

    bool step(std::error_code& ec) override {
        if (!ran_) {
            ran_ = true;
            rows_ = db_.run(sql_, params_, ec);
            if (ec) {
                return false;
            }
        }
        ec.clear();
        return ++index_ < rows_.size();
    }
    std::uint64_t changes() const override { return rows_.affected(); }

    std::string text(int column) const override { return rows_.at(index_).text(column); }
    std::int64_t integer(int column) const override { return rows_.at(index_).integer(column); }
    bool is_null(int column) const override { return rows_.at(index_).is_null(column); }

private:
    pg_connection& db_;
    char const* sql_;
    std::vector<pg_param> params_;
    pg_rows rows_;
    bool ran_ = false;
    int index_ = -1;
};

} // namespace

std::error_category const& pg_category() {
    static pg_error_category const instance;
    return instance;
}

std::error_code make_error_code(pg_errc e) {
    return {static_cast<int>(e), pg_category()};
}

std::string numbered_placeholders(std::string_view sql) {
    std::string out;
    out.reserve(sql.size() + 16);
    int n = 0;
    char quote = 0;
    for (char const c : sql) {
        if (quote) {
            quote = c == quote ? 0 : quote; // a doubled quote closes and reopens: the same text
            out += c;
        } else if (c == '\'' || c == '"') {
            quote = c;
            out += c;
        } else if (c == '?') {
            out += '$' + std::to_string(++n);
        } else {
            out += c;
        }
    }
    return out;
}

std::string quoted_identifier(std::string_view name) {
    std::string out = "\"";
    for (char const c : name) {
        out += c;
        if (c == '"') {
            out += '"';
        }
    }
    return out + '"';
}

pg_rows::pg_rows(pg_result* result) : result_(result) {}

pg_rows::~pg_rows() {
    PQclear(result_);
}

pg_rows::pg_rows(pg_rows&& other) noexcept : result_(std::exchange(other.result_, nullptr)) {}

pg_rows& pg_rows::operator=(pg_rows&& other) noexcept {
    if (this != &other) {
        PQclear(result_);
        result_ = std::exchange(other.result_, nullptr);
    }
    return *this;
}

int pg_rows::size() const {
    return result_ ? PQntuples(result_) : 0;
}

std::uint64_t pg_rows::affected() const {
    auto const* text = result_ ? PQcmdTuples(result_) : "";
    return *text ? static_cast<std::uint64_t>(to_integer(text)) : 0;
}

std::string pg_rows::row::text(int column) const {
    auto* r = const_cast<pg_result*>(result_);
    return std::string(PQgetvalue(r, index_, column),
                       static_cast<std::size_t>(PQgetlength(r, index_, column)));
}

std::int64_t pg_rows::row::integer(int column) const {
    return to_integer(PQgetvalue(const_cast<pg_result*>(result_), index_, column));
}

std::optional<std::int64_t> pg_rows::row::maybe_integer(int column) const {
    return is_null(column) ? std::nullopt : std::optional(integer(column));
}

bool pg_rows::row::is_null(int column) const {
    return PQgetisnull(const_cast<pg_result*>(result_), index_, column) == 1;
}

std::unique_ptr<pg_connection> pg_connection::open(std::string const& url, std::error_code& ec,
                                                   std::string* detail) {
    auto* conn = PQconnectdb(url.c_str());
    if (PQstatus(conn) != CONNECTION_OK) {
        if (detail) {
            *detail = PQerrorMessage(conn);
        }
        PQfinish(conn);
        ec = make_error_code(pg_errc::connection_lost);
        return nullptr;
    }
    // The server's notices (an index dropped IF EXISTS that was not there) are not the gate's output.
    PQsetNoticeProcessor(
        conn, [](void*, char const*) {}, nullptr);
    ec.clear();
    return std::unique_ptr<pg_connection>(new pg_connection(conn));
}

pg_connection::~pg_connection() {
    PQfinish(conn_);
}

std::error_code pg_connection::failure(pg_result* result) {
    last_error_ = PQerrorMessage(conn_);
    if (PQstatus(conn_) != CONNECTION_OK) {
        return make_error_code(pg_errc::connection_lost);
    }
    auto const* state = result ? PQresultErrorField(result, PG_DIAG_SQLSTATE) : nullptr;
    std::string_view const sqlstate = state ? state : "";
    if (sqlstate == "23505") {
        return make_error_code(pg_errc::unique_violation);
    }
    if (sqlstate == "40001" || sqlstate == "40P01") {
        return make_error_code(pg_errc::retry_transaction);
    }
    // 08: the connection failed; 57P01-57P03: the server is shutting down, crashed, or not yet accepting.
    if (sqlstate.starts_with("08") || sqlstate.starts_with("57P")) {
        return make_error_code(pg_errc::connection_lost);
    }
    return make_error_code(pg_errc::failed);
}

bool pg_connection::reconnected(std::error_code& ec) {
    if (PQstatus(conn_) == CONNECTION_OK) {
        return true;
    }
    PQreset(conn_);
    ++session_;
    prepared_.clear(); // a new session knows none of them, and holds none of the old one's locks
    session_locks_.clear();
    if (PQstatus(conn_) != CONNECTION_OK) {
        last_error_ = PQerrorMessage(conn_);
        ec = make_error_code(pg_errc::connection_lost);
        return false;
    }
    return true;
}

pg_rows pg_connection::run(char const* sql, std::vector<pg_param> const& params, std::error_code& ec) {
    if (!reconnected(ec)) {
        return pg_rows();
    }
    auto found = prepared_.find(sql);
    if (found == prepared_.end()) {
        auto name = "s" + std::to_string(prepared_.size() + 1);
        pg_rows const made(PQprepare(conn_, name.c_str(), numbered_placeholders(sql).c_str(), 0, nullptr));
        if (PQresultStatus(made.get()) != PGRES_COMMAND_OK) {
            ec = failure(made.get());
            return pg_rows();
        }
        found = prepared_.emplace(sql, std::move(name)).first;
    }
    std::vector<char const*> values;
    values.reserve(params.size());
    for (auto const& p : params) {
        values.push_back(p ? p->c_str() : nullptr);
    }
    pg_rows rows(PQexecPrepared(conn_, found->second.c_str(), static_cast<int>(values.size()), values.data(),
                                nullptr, nullptr, 0));
    auto const status = PQresultStatus(rows.get());
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
        ec = failure(rows.get());
        return pg_rows();
    }
    ec.clear();
    return rows;
}

void pg_connection::run_script(char const* sql, std::error_code& ec) {
    if (!reconnected(ec)) {
        return;
    }
    pg_rows const rows(PQexec(conn_, sql));
    auto const status = PQresultStatus(rows.get());
    ec = status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK ? std::error_code() : failure(rows.get());
}

pg_rows pg_connection::run_unprepared(std::string const& sql, std::error_code& ec) {
    if (!reconnected(ec)) {
        return pg_rows();
    }
    pg_rows rows(PQexec(conn_, sql.c_str()));
    auto const status = PQresultStatus(rows.get());
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
        ec = failure(rows.get());
        return pg_rows();
    }
    ec.clear();
    return rows;
}

std::uint64_t pg_connection::copy_in(std::string_view table, std::vector<std::string> const& columns,
                                     std::function<bool(std::string&, std::error_code&)> const& fill,
                                     std::error_code& ec) {
    if (!reconnected(ec)) {
        return 0;
    }
    auto sql = "COPY " + quoted_identifier(table) + " (";
    for (std::size_t i = 0; i < columns.size(); ++i) {
        sql += (i ? ", " : "") + quoted_identifier(columns[i]);
    }
    sql += ") FROM STDIN";
    pg_rows const started(PQexec(conn_, sql.c_str()));
    if (PQresultStatus(started.get()) != PGRES_COPY_IN) {
        ec = failure(started.get());
        return 0;
    }
    std::string batch;
    std::error_code fill_ec;
    bool more = true;
    bool sent = true;
    while (more && sent) {
        batch.clear();
        more = fill(batch, fill_ec);
        if (fill_ec) {
            break;
        }
        sent = batch.empty() || PQputCopyData(conn_, batch.data(), static_cast<int>(batch.size())) == 1;
    }
    // With a reason, the server abandons the copy (its result is then an error); without one, it ends it.
    auto const abandoned = fill_ec ? fill_ec.message() : sent ? std::string() : "the rows could not be sent";
    PQputCopyEnd(conn_, abandoned.empty() ? nullptr : abandoned.c_str());
    // The copy's result, then a null one: libpq leaves the copy state only once the results are read. Were
    // the end not sent (the connection lost), the copy state would come back instead of a null.
    pg_rows outcome(PQgetResult(conn_));
    while (auto* extra = PQgetResult(conn_)) {
        bool const copying = PQresultStatus(extra) == PGRES_COPY_IN;
        PQclear(extra);
        if (copying) {
            break;
        }
    }
    if (fill_ec) {
        ec = fill_ec;
        return 0;
    }
    if (PQresultStatus(outcome.get()) != PGRES_COMMAND_OK) {
        ec = failure(outcome.get());
        return 0;
    }
    ec.clear();
    return outcome.affected();
}

std::unique_ptr<prepared_statement> pg_connection::prepare(char const* sql) {
    return std::make_unique<pg_statement>(*this, sql);
}

void pg_connection::begin(std::error_code& ec) {
    run_script("BEGIN", ec);
}

void pg_connection::commit(std::error_code& ec) {
    pg_rows const rows(PQexec(conn_, "COMMIT"));
    if (PQresultStatus(rows.get()) != PGRES_COMMAND_OK) {
        ec = failure(rows.get());
        return;
    }
    // COMMIT of a transaction a failed statement aborted answers ROLLBACK, and nothing was kept.
    if (std::string_view(PQcmdStatus(rows.get())) != "COMMIT") {
        last_error_ = "the transaction was rolled back";
        ec = make_error_code(pg_errc::failed);
        return;
    }
    ec.clear();
}

void pg_connection::rollback() {
    if (PQstatus(conn_) == CONNECTION_OK) {
        pg_rows const rows(PQexec(conn_, "ROLLBACK"));
    }
}

void pg_connection::lock(std::string_view key, lock_mode mode, std::error_code& ec) {
    static constexpr char const* exclusive = "SELECT pg_advisory_xact_lock(hashtextextended(?, 0))";
    static constexpr char const* shared = "SELECT pg_advisory_xact_lock_shared(hashtextextended(?, 0))";
    run(mode == lock_mode::shared ? shared : exclusive, {std::string(key)}, ec);
}

bool pg_connection::hold_session_lock(std::string_view key, std::error_code& ec) {
    static constexpr char const* alive = "SELECT 1";
    static constexpr char const* try_lock = "SELECT pg_try_advisory_lock(hashtextextended(?, 0))";
    if (session_locks_.contains(key)) {
        // Still held if the session that took it is the one answering (asking opens a lost one again).
        auto const session = session_;
        run(alive, {}, ec);
        if (!ec && session == session_) {
            return true;
        }
    }
    // Taken at most once per session: the server counts each taking, and the lock is never given back.
    auto const rows = ec ? pg_rows() : run(try_lock, {std::string(key)}, ec);
    if (ec || rows.size() != 1 || rows.at(0).text(0) != "t") {
        return false;
    }
    session_locks_.emplace(key);
    return true;
}

std::string pg_connection::last_error() const {
    return last_error_;
}

} // namespace sluice::gate
