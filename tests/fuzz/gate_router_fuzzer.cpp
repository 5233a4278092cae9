// libFuzzer entry point: sluice-gate's router (handle_request), the pure request -> response function behind
// the HTTP session, fed what anyone on the network can send it: the method, the target, the headers and the
// body of a few requests in a row, against a gate that holds one bundle with every gate (email, pay, pledge),
// takes payments and has an admin token. No socket and no file: the store is SQLite in memory, made once and
// emptied before each input, so that every input meets the same gate and a crash reproduces from it alone.
//
// An input is up to eight requests separated by a line "%%", each written as HTTP/1.1 writes one:
//     POST /v1/bundles/les-veilleurs/unlock/pay
//     idempotency-key: k-1
//
//     {"device":"x25519:…","amount":500,"currency":"EUR"}
// The ids a gate makes up can be named in later requests of the same input: "{payment}" and "{pledge}" in a
// target, a header or a body stand for the last paymentId and pledgeId answered; a header value "{signed}"
// becomes the provider's valid signature of the request's body, so that what lies behind the webhook's
// signature check is reached as well.
//
// What every answer must be, whatever was asked (protocol/gate-api.md, "Conventions"): a status between 200
// and 599; JSON for everything but the landing page; an error as {"error":{"code","message"}}; a 405 that
// says what is allowed; and never a 500, since this store does not fail.

#include "common/key_files.hpp"
#include "scripted_provider.hpp"
#include "sluice-gate/gate_context.hpp"
#include "sluice-gate/router.hpp"
#include "sluice-gate/sqlite_store.hpp"
#include "sluice-gate/webhook_signature.hpp"

#include <sluice/protocol/bundle_manifest.hpp>
#include <sluice/protocol/keys.hpp>
#include <sluice/protocol/locked_item.hpp>

#include <nlohmann/json.hpp>
#include <sodium.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <sqlite3.h>
#include <string>
#include <string_view>
#include <vector>

namespace {

using namespace sluice;
using namespace sluice::gate;
using nlohmann::json;

constexpr std::size_t max_requests = 8;
constexpr std::string_view webhook_secret = "whsec_fuzz_0123456789abcdef";
constexpr std::string_view admin_token = "fuzz-admin-0123456789abcdef0123456789";
// 2026-06-01T00:00:00Z: every input meets the same clock, before the campaign's deadline.
constexpr std::int64_t fuzz_now = 1'780'272'000;

void require(bool condition) {
    if (!condition) {
        std::abort();
    }
}

protocol::signing_keypair seeded_signing_key(std::string_view seed) {
    require(sodium_init() >= 0 && seed.size() == crypto_sign_SEEDBYTES);
    protocol::signing_keypair kp;
    crypto_sign_seed_keypair(kp.public_key.data(), kp.secret_key.data(),
                             reinterpret_cast<unsigned char const*>(seed.data()));
    return kp;
}

protocol::item_key seeded_item_key(char fill) {
    protocol::item_key key;
    std::fill(key.begin(), key.end(), static_cast<unsigned char>(fill));
    return key;
}

// What the gate serves, made once: "les-veilleurs", a free pilot and three locked items, one per gate, the
// pledge one by the campaign "saison-2"; and the gate's key, which the manifest trusts.
struct fixed_gate {
    protocol::signing_keypair gate_key = seeded_signing_key("sluice fuzzing: the gate router.");
    stored_bundle bundle;
    campaign_record campaign;

    fixed_gate() {
        auto const publisher = seeded_signing_key("sluice fuzzing: router publisher");
        protocol::bundle_manifest m;
        m.id = "les-veilleurs";
        m.version = 1;
        m.title = "Les Veilleurs";
        m.creator = "Atelier Nuit";
        m.description = "Six episodes.";
        m.publisher_key = publisher.public_key;
        m.gate_keys = {gate_key.public_key};
        m.gate_url = "https://gate.example.org/";
        protocol::bundle_item pilot;
        pilot.path = "pilot.webm";
        pilot.size = 10;
        pilot.media_type = "video/webm";
        pilot.stored_size = pilot.size;
        m.items.push_back(pilot);
        publisher::item_keys keys;
        keys.bundle_id = m.id;
        keys.version = m.version;
        char fill = 'a';
        for (auto const& [path, gate] : {std::pair{"episode-1.webm.locked", protocol::gate_kind::email},
                                         std::pair{"booklet.pdf.locked", protocol::gate_kind::pay},
                                         std::pair{"season.webm.locked", protocol::gate_kind::pledge}}) {
            auto locked = pilot;
            locked.path = path;
            locked.stored_size =
                protocol::locked_header{protocol::locked_header::default_chunk_size, locked.size}
                    .encrypted_size();
            locked.access = protocol::item_access::locked;
            locked.gate = gate;
            m.items.push_back(locked);
            keys.items.push_back({path, seeded_item_key(fill++), gate});
        }
        m.gates.email = protocol::email_gate{false};
        m.gates.pay = protocol::pay_gate{300, 500, "EUR"};
        protocol::pledge_gate p;
        p.campaign_id = "saison-2";
        p.goal_backers = 2;
        p.deadline = "2030-01-01T00:00:00Z";
        p.deadline_unix = *protocol::parse_utc_timestamp(p.deadline);
        p.price = 1500;
        p.currency = "EUR";
        p.expected_delivery = "2030-06-01";
        p.if_goal_missed = "Nothing is charged.";
        m.gates.pledge = p;

        bundle.id = m.id;
        bundle.version = m.version;
        bundle.manifest = protocol::to_json(m).dump(4) + "\n";
        auto const sig = protocol::sign(bundle.manifest, publisher);
        bundle.signature = std::string(sig.begin(), sig.end());
        bundle.keys = publisher::item_keys_text(keys);
        bundle.magnet = "magnet:?xt=urn:btih:0123456789abcdef0123456789abcdef01234567&dn=les-veilleurs";
        bundle.imported_at = fuzz_now - 3600;
        require(protocol::parse_bundle_manifest(bundle.manifest).manifest.has_value());
        campaign = {p.campaign_id,    m.id,       p.goal_backers,  p.goal_amount,
                    p.price,          p.currency, p.deadline_unix, p.expected_delivery,
                    p.if_goal_missed, "open",     std::nullopt,    p.offered_tiers()};
    }
};

// The gate's store, SQLite in memory, and a second connection to the same database that empties it.
// open_sqlite_store takes a folder and opens "<folder>/gate.db". With URI file names on, the folder
// "file:<name>?mode=memory&cache=shared&x=" makes that the shared in-memory database <name> ("/gate.db"
// lands in the unused parameter x), which lives as long as a connection to it is open. Making the schema
// costs more than everything one input asks of the gate: it is made once, and each input gets the same
// state back from a few DELETEs.
class memory_gate {
public:
    memory_gate() {
        // Only possible before SQLite is first used.
        require(sqlite3_config(SQLITE_CONFIG_URI, 1) == SQLITE_OK);
        require(sqlite3_open_v2("file:sluice-gate-router-fuzz?mode=memory&cache=shared", &cleaner_,
                                SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_URI,
                                nullptr) == SQLITE_OK);
        std::filesystem::path const folder = "file:sluice-gate-router-fuzz?mode=memory&cache=shared&x=";
        std::error_code ec;
        store_ = open_sqlite_store(folder, ec);
        // open() made the folder for a file that is in memory instead; nothing is left on disk.
        std::filesystem::remove(folder, ec);
        require(store_ != nullptr);
        sqlite3_stmt* tables = nullptr;
        require(sqlite3_prepare_v2(cleaner_,
                                   "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE "
                                   "'sqlite_%' AND name != 'schema_version'",
                                   -1, &tables, nullptr) == SQLITE_OK);
        while (sqlite3_step(tables) == SQLITE_ROW) {
            empty_ += "DELETE FROM " +
                      std::string(reinterpret_cast<char const*>(sqlite3_column_text(tables, 0))) + ";";
        }
        sqlite3_finalize(tables);
        require(!empty_.empty());
    }

    memory_gate(memory_gate const&) = delete;
    memory_gate& operator=(memory_gate const&) = delete;
    ~memory_gate() {
        store_.reset();
        sqlite3_close(cleaner_);
    }

    // The store as `sluice-gate import` leaves it: the fixed bundle and its campaign, nothing else.
    gate_store& reset(fixed_gate const& g) {
        // The cleaner's foreign keys are off (a per-connection setting), so the order does not matter.
        require(sqlite3_exec(cleaner_, empty_.c_str(), nullptr, nullptr, nullptr) == SQLITE_OK);
        std::error_code ec;
        require(store_->put_bundle(g.bundle, ec) == import_outcome::inserted && !ec);
        store_->ensure_campaign(g.campaign, ec);
        require(!ec);
        return *store_;
    }

private:
    sqlite3* cleaner_ = nullptr;
    std::unique_ptr<gate_store> store_;
    std::string empty_;
};

// Splits at the first `separator`: what comes before it, and `rest` becomes what follows (or empty).
std::string_view take_until(std::string_view& rest, std::string_view separator) {
    auto const at = rest.find(separator);
    auto const head = rest.substr(0, at);
    rest = at == std::string_view::npos ? std::string_view{} : rest.substr(at + separator.size());
    return head;
}

void replace_all(std::string& text, std::string_view name, std::string const& value) {
    for (auto at = text.find(name); at != std::string::npos; at = text.find(name, at + value.size())) {
        text.replace(at, name.size(), value);
    }
}

struct made_ids {
    std::string payment;
    std::string pledge;

    void fill_in(std::string& text) const {
        replace_all(text, "{payment}", payment);
        replace_all(text, "{pledge}", pledge);
    }
};

// One request in the text form above, as the HTTP session hands it over: header names in lower case, a
// value without the spaces around it.
gate_request read_request(std::string_view text, made_ids const& ids) {
    gate_request req;
    auto line = take_until(text, "\n");
    req.method = std::string(take_until(line, " "));
    req.target = std::string(line);
    ids.fill_in(req.target);
    while (!text.empty()) {
        line = take_until(text, "\n");
        if (line.empty()) {
            break;
        }
        auto name = std::string(take_until(line, ":"));
        std::transform(name.begin(), name.end(), name.begin(),
                       [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
        while (!line.empty() && (line.front() == ' ' || line.front() == '\t')) {
            line.remove_prefix(1);
        }
        while (!line.empty() && (line.back() == ' ' || line.back() == '\t')) {
            line.remove_suffix(1);
        }
        req.headers.emplace_back(std::move(name), std::string(line));
    }
    req.body = std::string(text);
    ids.fill_in(req.body);
    req.client_ip = "192.0.2.1";
    for (auto& [name, value] : req.headers) {
        if (value == "{signed}") {
            auto const t = std::to_string(fuzz_now);
            auto const mac = webhook_hmac(webhook_secret, t, req.body);
            static constexpr char hex[] = "0123456789abcdef";
            value = "t=" + t + ",v1=";
            for (unsigned char byte : mac) {
                value += hex[byte >> 4];
                value += hex[byte & 15];
            }
        } else {
            ids.fill_in(value);
        }
    }
    return req;
}

void check_answer(gate_request const& req, gate_response const& res, made_ids& ids) {
    require(res.status >= 200 && res.status <= 599);
    require(res.status != 500); // only a failing store or mail command may cause one, and neither fails here
    if (res.status == 405) {
        require(std::any_of(res.headers.begin(), res.headers.end(),
                            [](auto const& h) { return h.first == "Allow" && !h.second.empty(); }));
    }
    if (res.content_type != "application/json") {
        // The landing page alone is HTML, and only as an answer to a GET of /b/<id>.
        require(res.status == 200 && req.method == "GET" && req.target.starts_with("/b/"));
        return;
    }
    auto const body = json::parse(res.body, nullptr, false);
    require(!body.is_discarded() && body.is_object());
    if (res.status >= 400) {
        auto const error = body.find("error");
        require(error != body.end() && error->is_object());
        auto const code = error->find("code");
        auto const message = error->find("message");
        require(code != error->end() && code->is_string() && !code->get<std::string>().empty());
        require(message != error->end() && message->is_string());
        return;
    }
    for (auto const& [member, id] :
         {std::pair{"paymentId", &ids.payment}, std::pair{"pledgeId", &ids.pledge}}) {
        if (auto const it = body.find(member); it != body.end() && it->is_string()) {
            *id = it->get<std::string>();
        }
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size) {
    static memory_gate database;
    static fixed_gate const g;
    gate_context ctx{database.reset(g), g.gate_key, "https://gate.example.org/", mailer("")};
    ctx.payments = std::make_shared<sluice::testing::scripted_provider>(std::string(webhook_secret));
    ctx.admin_token = std::string(admin_token);
    ctx.now = [] { return std::chrono::system_clock::time_point(std::chrono::seconds(fuzz_now)); };
    ctx.steady_now = [] { return rate_limiter::clock::time_point(std::chrono::hours(1)); };

    std::string_view rest(reinterpret_cast<char const*>(data), size);
    made_ids ids;
    for (std::size_t n = 0; n < max_requests && !rest.empty(); ++n) {
        auto const req = read_request(take_until(rest, "\n%%\n"), ids);
        auto const res = handle_request(ctx, req);
        check_answer(req, res, ids);
    }
    return 0;
}
