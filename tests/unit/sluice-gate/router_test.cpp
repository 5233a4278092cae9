#include "common/key_files.hpp"
#include "sandbox_dir.hpp"
#include "scripted_provider.hpp"
#include "sluice-gate/admin_commands.hpp"
#include "sluice-gate/backer_notices.hpp"
#include "sluice-gate/charge_runner.hpp"
#include "sluice-gate/creator_figures.hpp"
#include "sluice-gate/gate_store.hpp"
#include "sluice-gate/idempotency.hpp"
#include "sluice-gate/landing_page.hpp"
#include "sluice-gate/ledger.hpp"
#include "sluice-gate/payment_provider.hpp"
#include "sluice-gate/router.hpp"
#include "sluice-gate/view_counting.hpp"
#include "store_engines.hpp"
#include "webhook_signer.hpp"

#include <sluice/protocol/bundle_manifest.hpp>
#include <sluice/protocol/keys.hpp>
#include <sluice/protocol/locked_item.hpp>
#include <sluice/protocol/translation_addon.hpp>
#include <sluice/protocol/unlock_token.hpp>
#include <sluice/protocol/untrusted_json.hpp>
#include <sluice/protocol/webvtt_check.hpp>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <fstream>
#include <map>
#include <random>
#include <regex>
#include <set>
#include <sqlite3.h>
#include <tuple>

namespace sluice::gate {
namespace {

// A small signed bundle made in memory: one free item, one email-locked item, its keys file and a gate key
// the manifest trusts.
namespace testing {

struct test_bundle {
    protocol::signing_keypair publisher = protocol::generate_signing_keypair();
    protocol::signing_keypair gate = protocol::generate_signing_keypair();
    protocol::bundle_manifest manifest;
    publisher::item_keys keys;

    stored_bundle stored() const {
        stored_bundle s;
        s.id = manifest.id;
        s.version = manifest.version;
        s.manifest = protocol::to_json(manifest).dump(4) + "\n";
        auto const sig = protocol::sign(s.manifest, publisher);
        s.signature = std::string(sig.begin(), sig.end());
        s.keys = publisher::item_keys_text(keys);
        s.magnet = "magnet:?xt=urn:btih:0123456789abcdef0123456789abcdef01234567&dn=" + manifest.id;
        s.imported_at = 1'700'000'000;
        return s;
    }
};

inline test_bundle make_test_bundle(std::string id = "les-veilleurs", std::uint64_t version = 1,
                                    bool double_opt_in = false, std::string title = "Les Veilleurs") {
    test_bundle b;
    auto& m = b.manifest;
    m.id = std::move(id);
    m.version = version;
    m.title = std::move(title);
    m.creator = "Atelier Nuit";
    m.description = "Six episodes.";
    m.publisher_key = b.publisher.public_key;
    m.gate_keys = {b.gate.public_key};
    m.gate_url = "https://gate.example.org/";
    protocol::bundle_item free_item;
    free_item.path = "pilot.webm";
    free_item.size = 10;
    free_item.media_type = "video/webm";
    free_item.stored_size = free_item.size;
    m.items.push_back(free_item);
    protocol::bundle_item locked = free_item;
    locked.path = "episode-1.webm.locked";
    locked.stored_size =
        protocol::locked_header{protocol::locked_header::default_chunk_size, locked.size}.encrypted_size();
    locked.access = protocol::item_access::locked;
    locked.gate = protocol::gate_kind::email;
    m.items.push_back(locked);
    m.gates.email = protocol::email_gate{double_opt_in};
    b.keys.bundle_id = m.id;
    b.keys.version = version;
    b.keys.items.push_back({locked.path, protocol::generate_item_key(), protocol::gate_kind::email});
    EXPECT_TRUE(protocol::parse_bundle_manifest(b.stored().manifest)) << "the test bundle must be valid";
    return b;
}

} // namespace testing

using nlohmann::json;
using sluice::testing::sandbox_dir;
using namespace std::chrono_literals;

// Every router test runs on each engine of the store (store_engines.hpp).
class GateRouter : public ::testing::TestWithParam<store_engine> {
protected:
    void SetUp() override {
        std::error_code ec;
        std::string detail;
        store_ = place_.open(ec, &detail);
        ASSERT_TRUE(store_) << ec.message() << " " << detail << place_.server_log();
        std::filesystem::create_directories(outbox_);
        bundle_ = testing::make_test_bundle();
        put(bundle_);
        ctx_.emplace(
            gate_context{*store_, bundle_.gate, "",
                         mailer("f=$(mktemp " + outbox_.string() + "/mail-XXXXXX) && cat > \"$f\"")});
        ctx_->now = [this] { return now_; };
        ctx_->steady_now = [this] { return steady_; };
    }

    void put(testing::test_bundle const& b) {
        std::error_code ec;
        store_->put_bundle(b.stored(), ec);
        ASSERT_FALSE(ec);
    }

    gate_response call(std::string method, std::string target, std::string body = {},
                       std::string ip = "192.0.2.1") {
        return handle_request(*ctx_,
                              {std::move(method), std::move(target), std::move(body), std::move(ip), {}});
    }

    // With request headers, their names in lower case as the session passes them.
    gate_response call_with(std::string method, std::string target, std::string body,
                            std::vector<std::pair<std::string, std::string>> headers) {
        return handle_request(
            *ctx_, {std::move(method), std::move(target), std::move(body), "192.0.2.1", std::move(headers)});
    }

    static json parse(gate_response const& r) {
        auto j = json::parse(r.body, nullptr, false);
        EXPECT_FALSE(j.is_discarded()) << r.body;
        return j;
    }

    static std::string code_of(gate_response const& r) {
        auto const j = parse(r);
        EXPECT_EQ(r.content_type, "application/json");
        return j.contains("error") ? j.at("error").at("code").get<std::string>() : std::string("-");
    }

    static std::string header(gate_response const& r, std::string const& name) {
        for (auto const& [n, v] : r.headers) {
            if (n == name) {
                return v;
            }
        }
        return {};
    }

    std::string email_body(std::string const& email) const {
        return json{{"email", email}, {"device", protocol::encode_public_key("x25519", device_.public_key)}}
            .dump();
    }

    protocol::unlock_token_result verify(std::string const& token, testing::test_bundle const& b) const {
        protocol::token_expectations expect{b.manifest.gate_keys, b.manifest.id, b.manifest.version, device_,
                                            std::chrono::floor<std::chrono::seconds>(now_)};
        return protocol::verify_unlock_token(token, expect);
    }

    // The code in the newest message of the outbox, and its recipient.
    std::pair<std::string, std::string> last_mail() const {
        std::filesystem::path newest;
        std::filesystem::file_time_type newest_time{};
        for (auto const& e : std::filesystem::directory_iterator(outbox_)) {
            if (newest.empty() || e.last_write_time() >= newest_time) {
                newest = e.path();
                newest_time = e.last_write_time();
            }
        }
        std::ifstream in(newest);
        std::string const text{std::istreambuf_iterator<char>(in), {}};
        std::smatch to, code;
        std::regex_search(text, to, std::regex("^To: (.*)$", std::regex::multiline));
        std::regex_search(text, code, std::regex("code is ([0-9]{6})"));
        return {to.size() > 1 ? to[1].str() : "", code.size() > 1 ? code[1].str() : ""};
    }

    sandbox_dir dir_;
    store_place place_{GetParam(), dir_.path()};
    std::filesystem::path outbox_ = dir_ / "outbox";
    std::unique_ptr<gate_store> store_;
    testing::test_bundle bundle_;
    std::optional<gate_context> ctx_;
    protocol::box_keypair device_ = protocol::generate_box_keypair();
    std::chrono::system_clock::time_point now_ = std::chrono::sys_days{std::chrono::year{2026} / 5 / 20};
    rate_limiter::clock::time_point steady_{std::chrono::hours(100)};
};

TEST_P(GateRouter, UnknownPathsAndWrongMethods) {
    EXPECT_EQ(call("GET", "/").status, 404u);
    EXPECT_EQ(code_of(call("GET", "/v1/bundles")), "not_found");
    EXPECT_EQ(code_of(call("GET", "/v1/bundles/les-veilleurs/")), "not_found");
    EXPECT_EQ(code_of(call("GET", "//v1/bundles/les-veilleurs")), "not_found");
    EXPECT_EQ(code_of(call("GET", "v1/bundles/les-veilleurs")), "not_found");
    auto const put = call("PUT", "/v1/bundles/les-veilleurs");
    EXPECT_EQ(put.status, 405u);
    EXPECT_EQ(code_of(put), "method_not_allowed");
    EXPECT_EQ(header(put, "Allow"), "GET");
    auto const get = call("GET", "/v1/bundles/les-veilleurs/unlock/email");
    EXPECT_EQ(get.status, 405u);
    EXPECT_EQ(header(get, "Allow"), "POST");
    EXPECT_EQ(call("DELETE", "/b/les-veilleurs").status, 405u);
}

TEST_P(GateRouter, BundleStatus) {
    auto const r = call("GET", "/v1/bundles/les-veilleurs?x=1");
    ASSERT_EQ(r.status, 200u) << r.body;
    EXPECT_EQ(parse(r), json::parse(R"({"bundleId":"les-veilleurs","version":1,"title":"Les Veilleurs",
                                         "gates":{"email":{"doubleOptIn":false}}})"));
    EXPECT_EQ(code_of(call("GET", "/v1/bundles/unknown")), "bundle_not_found");
    EXPECT_EQ(call("GET", "/v1/bundles/unknown").status, 404u);
    EXPECT_EQ(code_of(call("GET", "/v1/bundles/NOT%20A%20SLUG")), "bundle_not_found");
}

TEST_P(GateRouter, MalformedBodiesAre400) {
    auto const target = "/v1/bundles/les-veilleurs/unlock/email";
    EXPECT_EQ(code_of(call("POST", target, "")), "malformed_json");
    EXPECT_EQ(code_of(call("POST", target, "{\"email\":")), "malformed_json");
    EXPECT_EQ(code_of(call("POST", target, "\xff\xfe")), "malformed_json");
    EXPECT_EQ(code_of(call("POST", target, "[[[[[[[[[[]]]]]]]]]]")), "malformed_json");
    EXPECT_EQ(code_of(call("POST", target, "[]")), "invalid_request");
    EXPECT_EQ(code_of(call("POST", target, "{\"email\":\"a@example.org\"}")), "invalid_request");
    EXPECT_EQ(code_of(call("POST", target, "{\"email\":1,\"device\":\"x\"}")), "invalid_request");
    auto body = json::parse(email_body("a@example.org"));
    body["extra"] = true;
    EXPECT_EQ(code_of(call("POST", target, body.dump())), "invalid_request");
    EXPECT_EQ(code_of(call("POST", target, std::string(70'000, ' '))), "body_too_large");
    EXPECT_EQ(code_of(call("POST", target, email_body("not an address"))), "invalid_email");
    EXPECT_EQ(
        code_of(call("POST", target, json{{"email", "a@example.org"}, {"device", "x25519:AAAA"}}.dump())),
        "invalid_device");
    EXPECT_EQ(code_of(call("POST", "/v1/bundles/unknown/unlock/email", email_body("a@example.org"))),
              "bundle_not_found");
    EXPECT_EQ(store_->stats(*std::make_unique<std::error_code>()).unlocks, 0u);
}

// A body that names a member twice means different things to different readers: refused as malformed, not
// read as its last "email".
TEST_P(GateRouter, AMemberNamedTwiceIsMalformed) {
    auto const device = protocol::encode_public_key("x25519", device_.public_key);
    auto const twice =
        call("POST", "/v1/bundles/les-veilleurs/unlock/email",
             R"({"email":"ada@example.org","device":")" + device + R"(","email":"eve@example.org"})");
    EXPECT_EQ(twice.status, 400u);
    EXPECT_EQ(code_of(twice), "malformed_json");
    EXPECT_NE(parse(twice).at("error").at("message").get<std::string>().find("twice"), std::string::npos)
        << twice.body;
    EXPECT_EQ(code_of(call("POST", "/v1/bundles/les-veilleurs/unlock/email",
                           R"({"email":"ada@example.org","device":")" + device + R"(","device":")" + device +
                               R"("})")),
              "malformed_json");
    std::error_code ec;
    EXPECT_EQ(store_->count_unlocks("les-veilleurs", ec), 0u);
}

// What the email rules refuse never reaches the mail command, whose To: line a U+0085 would break.
TEST_P(GateRouter, AnAddressWithALineSeparatorIsRefused) {
    auto b = testing::make_test_bundle("confirmed", 1, true);
    b.gate = bundle_.gate;
    b.manifest.gate_keys = {bundle_.gate.public_key};
    put(b);
    for (auto const* bad : {"ada\u0085@example.org", "ada\u2028x@example.org", "ada@127.0.0.1"}) {
        auto const r = call("POST", "/v1/bundles/confirmed/unlock/email", email_body(bad));
        EXPECT_EQ(r.status, 400u) << bad;
        EXPECT_EQ(code_of(r), "invalid_email") << bad;
    }
    EXPECT_TRUE(std::filesystem::is_empty(outbox_));
}

TEST_P(GateRouter, EmailUnlockAnswersAVerifiedTokenRecordedFirst) {
    auto const r = call("POST", "/v1/bundles/les-veilleurs/unlock/email", email_body("  Ada@Example.ORG "));
    ASSERT_EQ(r.status, 200u) << r.body;
    auto const token = parse(r).at("token").get<std::string>();
    auto const verified = verify(token, bundle_);
    ASSERT_TRUE(verified) << protocol::to_string(verified.problem) << ": " << verified.detail;
    EXPECT_EQ(verified.token.grantee.kind, protocol::grantee_kind::email);
    EXPECT_EQ(verified.token.grantee.ref, "Ada@example.org");
    ASSERT_EQ(verified.token.item_keys.size(), 1u);
    EXPECT_EQ(verified.token.item_keys.at("episode-1.webm.locked"), bundle_.keys.items[0].key);
    std::error_code ec;
    EXPECT_EQ(store_->count_unlocks("les-veilleurs", ec), 1u);
}

TEST_P(GateRouter, EmailUnlockNeedsAnEmailGateAndATrustedKey) {
    auto b = testing::make_test_bundle("other-bundle");
    b.manifest.items[1].gate = protocol::gate_kind::pay;
    b.manifest.gates.email.reset();
    b.manifest.gates.pay = protocol::pay_gate{100, std::nullopt, "EUR"};
    b.keys.items[0].gate = protocol::gate_kind::pay;
    b.gate = bundle_.gate;
    b.manifest.gate_keys = {bundle_.gate.public_key};
    put(b);
    EXPECT_EQ(code_of(call("POST", "/v1/bundles/other-bundle/unlock/email", email_body("a@example.org"))),
              "gate_not_offered");
    auto untrusted = testing::make_test_bundle("untrusted");
    put(untrusted);
    auto const r = call("POST", "/v1/bundles/untrusted/unlock/email", email_body("a@example.org"));
    EXPECT_EQ(r.status, 503u);
    EXPECT_EQ(code_of(r), "gate_misconfigured");
}

TEST_P(GateRouter, RateLimitsPerAddressAndPerClient) {
    auto const target = "/v1/bundles/les-veilleurs/unlock/email";
    for (int i = 0; i < 5; ++i) {
        EXPECT_EQ(call("POST", target, email_body("ada@example.org"), "192.0.2." + std::to_string(i)).status,
                  200u);
    }
    // The same mailbox in another spelling is the same address.
    auto const sixth = call("POST", target, email_body("ada@EXAMPLE.org"), "192.0.2.99");
    EXPECT_EQ(sixth.status, 429u);
    EXPECT_EQ(code_of(sixth), "rate_limited");
    EXPECT_EQ(header(sixth, "Retry-After"), "600");
    steady_ += 601s;
    EXPECT_EQ(call("POST", target, email_body("ada@example.org")).status, 200u);

    for (int i = 0; i < 30; ++i) {
        call("POST", target, email_body("someone" + std::to_string(i) + "@example.org"), "198.51.100.7");
    }
    auto const limited = call("POST", target, email_body("fresh@example.org"), "198.51.100.7");
    EXPECT_EQ(limited.status, 429u);
    EXPECT_FALSE(header(limited, "Retry-After").empty());
    // Malformed requests count too: a client cannot probe without limit.
    EXPECT_EQ(call("POST", target, "nonsense", "198.51.100.7").status, 429u);
    EXPECT_EQ(call("POST", target, email_body("fresh@example.org"), "198.51.100.8").status, 200u);
}

TEST_P(GateRouter, DoubleOptInMailsACodeThatUnlocksOnce) {
    auto b = testing::make_test_bundle("confirmed", 1, true);
    b.gate = bundle_.gate;
    b.manifest.gate_keys = {bundle_.gate.public_key};
    put(b);
    auto const asked = call("POST", "/v1/bundles/confirmed/unlock/email", email_body("Ada@Example.org"));
    ASSERT_EQ(asked.status, 202u) << asked.body;
    auto const answer = parse(asked);
    EXPECT_EQ(answer.at("confirmation"), "sent");
    auto const request_id = answer.at("requestId").get<std::string>();
    auto const [to, code] = last_mail();
    EXPECT_EQ(to, "Ada@example.org");
    ASSERT_EQ(code.size(), 6u);
    std::error_code ec;
    EXPECT_EQ(store_->count_unlocks("confirmed", ec), 0u);

    auto const confirm = [&](std::string const& c, std::string const& bundle = "confirmed") {
        json const body{{"requestId", request_id},
                        {"code", c},
                        {"device", protocol::encode_public_key("x25519", device_.public_key)}};
        return call("POST", "/v1/bundles/" + bundle + "/unlock/email/confirm", body.dump());
    };
    std::string const wrong = code == "000000" ? "000001" : "000000";
    auto const bad = confirm(wrong);
    EXPECT_EQ(bad.status, 403u);
    EXPECT_EQ(code_of(bad), "wrong_code");
    EXPECT_EQ(code_of(confirm(code, "les-veilleurs")), "request_not_found");
    EXPECT_EQ(code_of(confirm("12345")), "invalid_request");

    auto const good = confirm(code);
    ASSERT_EQ(good.status, 200u) << good.body;
    auto const verified = verify(parse(good).at("token").get<std::string>(), b);
    ASSERT_TRUE(verified) << verified.detail;
    EXPECT_EQ(verified.token.grantee.ref, "Ada@example.org");
    EXPECT_EQ(store_->count_unlocks("confirmed", ec), 1u);
    EXPECT_EQ(code_of(confirm(code)), "already_confirmed");
}

TEST_P(GateRouter, CodesExpireAndAllowFiveAttempts) {
    auto b = testing::make_test_bundle("confirmed", 1, true);
    b.gate = bundle_.gate;
    b.manifest.gate_keys = {bundle_.gate.public_key};
    put(b);
    auto const ask = [&] {
        auto const r = call("POST", "/v1/bundles/confirmed/unlock/email", email_body("ada@example.org"));
        EXPECT_EQ(r.status, 202u) << r.body;
        return std::pair{parse(r).at("requestId").get<std::string>(), last_mail().second};
    };
    auto const confirm = [&](std::string const& id, std::string const& c) {
        json const body{{"requestId", id},
                        {"code", c},
                        {"device", protocol::encode_public_key("x25519", device_.public_key)}};
        return call("POST", "/v1/bundles/confirmed/unlock/email/confirm", body.dump());
    };
    auto const [id1, code1] = ask();
    std::string const wrong = code1 == "000000" ? "000001" : "000000";
    for (int i = 0; i < 4; ++i) {
        EXPECT_EQ(code_of(confirm(id1, wrong)), "wrong_code");
    }
    EXPECT_EQ(code_of(confirm(id1, wrong)), "too_many_attempts");
    EXPECT_EQ(code_of(confirm(id1, code1)), "too_many_attempts");

    auto const [id2, code2] = ask();
    now_ += 15min;
    EXPECT_EQ(code_of(confirm(id2, code2)), "code_expired");

    auto const [id3, code3] = ask();
    json const other_device{
        {"requestId", id3},
        {"code", code3},
        {"device", protocol::encode_public_key("x25519", protocol::generate_box_keypair().public_key)}};
    EXPECT_EQ(code_of(call("POST", "/v1/bundles/confirmed/unlock/email/confirm", other_device.dump())),
              "device_mismatch");
    EXPECT_EQ(confirm(id3, code3).status, 200u);
}

TEST_P(GateRouter, DoubleOptInWithoutAMailCommandIs503) {
    auto b = testing::make_test_bundle("confirmed", 1, true);
    b.gate = bundle_.gate;
    b.manifest.gate_keys = {bundle_.gate.public_key};
    put(b);
    ctx_->mailer = mailer("");
    auto const r = call("POST", "/v1/bundles/confirmed/unlock/email", email_body("ada@example.org"));
    EXPECT_EQ(r.status, 503u);
    EXPECT_EQ(code_of(r), "mail_unavailable");
    ctx_->mailer = mailer("exit 3");
    EXPECT_EQ(code_of(call("POST", "/v1/bundles/confirmed/unlock/email", email_body("bob@example.org"))),
              "mail_unavailable");
}

// The mail command runs off the calling thread: while it sleeps, other requests are answered, and the 202
// follows once it has exited.
TEST_P(GateRouter, ASlowMailCommandDoesNotHoldOtherRequests) {
    auto b = testing::make_test_bundle("confirmed", 1, true);
    b.gate = bundle_.gate;
    b.manifest.gate_keys = {bundle_.gate.public_key};
    put(b);
    ctx_->mailer = mailer("sleep 3; cat > /dev/null");
    boost::asio::io_context io;
    std::optional<gate_response> slow;
    std::optional<gate_response> quick;
    auto const started = std::chrono::steady_clock::now();
    handle_request(
        *ctx_, {"POST", "/v1/bundles/confirmed/unlock/email", email_body("ada@example.org"), "192.0.2.1", {}},
        responder(io.get_executor(), [&](gate_response r) { slow = std::move(r); }));
    EXPECT_FALSE(slow) << "the answer waits for the mail command";
    handle_request(*ctx_, {"GET", "/v1/bundles/les-veilleurs", "", "192.0.2.1", {}},
                   responder(io.get_executor(), [&](gate_response r) { quick = std::move(r); }));
    ASSERT_TRUE(quick);
    EXPECT_EQ(quick->status, 200u);
    EXPECT_LT(std::chrono::steady_clock::now() - started, 1s);
    EXPECT_FALSE(slow);
    io.run();
    ASSERT_TRUE(slow);
    EXPECT_EQ(slow->status, 202u) << slow->body;
    EXPECT_GE(std::chrono::steady_clock::now() - started, 2900ms);
}

TEST_P(GateRouter, LandingPageCarriesTheMarkupAndEscapesEverything) {
    auto b =
        testing::make_test_bundle("hostile", 1, false, "</script><script>alert('x')</script> & \"more\"");
    b.manifest.creator = "<b>Nuit</b>";
    b.gate = bundle_.gate;
    b.manifest.gate_keys = {bundle_.gate.public_key};
    put(b);
    auto const r = call("GET", "/b/hostile");
    ASSERT_EQ(r.status, 200u);
    EXPECT_EQ(r.content_type, "text/html; charset=utf-8");
    auto const& html = r.body;
    EXPECT_EQ(html.find("<script>alert"), std::string::npos);
    EXPECT_EQ(html.find("<b>"), std::string::npos);
    EXPECT_NE(
        html.find("&lt;/script&gt;&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;more&quot;"),
        std::string::npos);
    EXPECT_NE(
        html.find("<link rel=\"sluice-bundle\" href=\"magnet:?xt=urn:btih:0123456789abcdef0123456789abcdef"
                  "01234567&amp;dn=hostile\">"),
        std::string::npos);
    auto const open = std::string("<script type=\"application/sluice-bundle+json\">");
    auto const start = html.find(open);
    ASSERT_NE(start, std::string::npos);
    auto const end = html.find("</script>", start);
    ASSERT_NE(end, std::string::npos);
    auto const markup = json::parse(html.substr(start + open.size(), end - start - open.size()));
    EXPECT_EQ(markup, (json{{"bundleId", "hostile"},
                            {"version", 1},
                            {"magnet", b.stored().magnet},
                            {"publisherKey", protocol::encode_public_key("ed25519", b.publisher.public_key)},
                            {"gateUrl", "https://gate.example.org/"}}));
    EXPECT_EQ(code_of(call("GET", "/b/unknown")), "bundle_not_found");
}

// Every text value of every table of a SQLite database, one after the other.
std::string every_value(std::filesystem::path const& file) {
    sqlite3* db = nullptr;
    std::string out;
    if (sqlite3_open_v2(file.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
        sqlite3_close(db);
        ADD_FAILURE() << "cannot open " << file;
        return out;
    }
    std::vector<std::string> tables;
    sqlite3_exec(
        db, "SELECT name FROM sqlite_master WHERE type = 'table'",
        [](void* names, int, char** values, char**) {
            static_cast<std::vector<std::string>*>(names)->emplace_back(values[0]);
            return 0;
        },
        &tables, nullptr);
    for (auto const& t : tables) {
        sqlite3_exec(
            db, ("SELECT * FROM \"" + t + "\"").c_str(),
            [](void* text, int n, char** values, char**) {
                for (int i = 0; i < n; ++i) {
                    *static_cast<std::string*>(text) += std::string(values[i] ? values[i] : "") + "\n";
                }
                return 0;
            },
            &out, nullptr);
    }
    sqlite3_close(db);
    return out;
}

TEST_P(GateRouter, ViewsAreCountedPerDayWithoutNamingAnyone) {
    ctx_->admin_token = "0123456789abcdef0123456789abcdef";
    auto const firefox =
        std::string("Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0");
    auto const chrome =
        std::string("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/130.0 Safari/537.36");
    auto const view = [&](std::string const& ip, std::string const& ua, bool returning, std::string referrer,
                          std::vector<std::pair<std::string, std::string>> more = {}) {
        more.emplace_back("user-agent", ua);
        more.emplace_back("host", "gate.example.net");
        return handle_request(*ctx_,
                              {"POST", "/v1/bundles/les-veilleurs/views",
                               json{{"returning", returning}, {"referrer", referrer}}.dump(), ip, more});
    };
    auto const report = [&] {
        return parse(handle_request(*ctx_, {"GET",
                                            "/v1/admin/stats/bundles/les-veilleurs",
                                            "",
                                            "192.0.2.1",
                                            {{"authorization", "Bearer " + ctx_->admin_token}}}));
    };
    // The page asks for its script, which the page's policy lets run.
    auto const page = call("GET", "/b/les-veilleurs");
    EXPECT_NE(page.body.find("<script src=\"../assets/views.js\" defer></script>"), std::string::npos);
    EXPECT_NE(header(page, "Content-Security-Policy").find("script-src 'self'"), std::string::npos);
    auto const script = call("GET", "/assets/views.js");
    EXPECT_EQ(script.status, 200u);
    EXPECT_EQ(script.content_type, "text/javascript; charset=utf-8");
    EXPECT_NE(script.body.find("localStorage"), std::string::npos);

    // Day 1: A twice (from a link on example.org), B once; a crawler and a prefetch are not viewers.
    EXPECT_EQ(view("198.51.100.1", firefox, false, "https://www.example.org/post/42?ref=me").status, 204u);
    EXPECT_EQ(view("198.51.100.1", firefox, false, "https://example.org/other").status, 204u);
    EXPECT_EQ(view("198.51.100.2", chrome, false, "").status, 204u);
    EXPECT_EQ(view("198.51.100.9", "Mozilla/5.0 (compatible; Googlebot/2.1)", false, "").status, 204u);
    EXPECT_EQ(view("198.51.100.2", chrome, false, "", {{"sec-purpose", "prefetch"}}).status, 204u);
    // Day 2: A comes back (its page remembers day 1), C comes from a news site, and the gate's own page is
    // no referrer.
    now_ += 24h;
    EXPECT_EQ(view("198.51.100.1", firefox, true, "").status, 204u);
    EXPECT_EQ(view("198.51.100.3", firefox, false, "https://news.example.com/story").status, 204u);
    EXPECT_EQ(view("198.51.100.3", firefox, false, "https://gate.example.net/b/other").status, 204u);

    EXPECT_EQ(report(),
              (json{{"bundleId", "les-veilleurs"},
                    {"days",
                     {{{"day", "2026-05-20"}, {"views", 3}, {"visitors", 2}, {"returning", 0}},
                      {{"day", "2026-05-21"}, {"views", 3}, {"visitors", 2}, {"returning", 1}}}},
                    {"referrers",
                     {{{"site", "example.org"}, {"views", 2}}, {{"site", "news.example.com"}, {"views", 1}}}},
                    {"swarm", json::array()},
                    {"funnel",
                     {{{"day", "2026-05-20"},
                       {"views", 3},
                       {"downloads", 0},
                       {"plays", {{"started", 0}, {"finished", 0}}},
                       {"unlocks", {{"email", 0}, {"payment", 0}, {"pledge", 0}}},
                       {"pledges", 0},
                       {"charged", 0}},
                      {{"day", "2026-05-21"},
                       {"views", 3},
                       {"downloads", 0},
                       {"plays", {{"started", 0}, {"finished", 0}}},
                       {"unlocks", {{"email", 0}, {"payment", 0}, {"pledge", 0}}},
                       {"pledges", 0},
                       {"charged", 0}}}},
                    {"versions", json::array()},
                    {"totals",
                     {{"views", 6},
                      {"visitorDays", 4},
                      {"returning", 1},
                      {"plays", {{"started", 0}, {"finished", 0}}}}}}));
    auto const stats = parse(handle_request(
        *ctx_,
        {"GET", "/v1/admin/stats", "", "192.0.2.1", {{"authorization", "Bearer " + ctx_->admin_token}}}));
    EXPECT_EQ(stats.at("bundles").at(0).at("views"), 6);
    EXPECT_EQ(stats.at("bundles").at(0).at("visitorDays"), 4);

    // Beyond its rate, an address's views are answered alike and not counted.
    ctx_->views_per_ip = std::make_shared<rate_limiter>(1, std::chrono::minutes(10));
    EXPECT_EQ(view("198.51.100.4", chrome, false, "").status, 204u);
    EXPECT_EQ(view("198.51.100.4", chrome, false, "").status, 204u);
    EXPECT_EQ(report().at("totals").at("views"), 7);

    // Wrong requests are refused and count nothing.
    EXPECT_EQ(
        code_of(handle_request(
            *ctx_, {"POST", "/v1/bundles/unknown/views", "{}", "198.51.100.5", {{"user-agent", firefox}}})),
        "bundle_not_found");
    EXPECT_EQ(
        code_of(handle_request(
            *ctx_,
            {"POST", "/v1/bundles/les-veilleurs/views", "[", "198.51.100.5", {{"user-agent", firefox}}})),
        "malformed_json");
    for (auto const* body : {R"({"returning":"yes"})", R"({"who":"me"})", R"({"referrer":7})"}) {
        EXPECT_EQ(code_of(handle_request(*ctx_, {"POST",
                                                 "/v1/bundles/les-veilleurs/views",
                                                 body,
                                                 "198.51.100.5",
                                                 {{"user-agent", firefox}}})),
                  "invalid_request")
            << body;
    }
    EXPECT_EQ(call("GET", "/v1/bundles/les-veilleurs/views").status, 405u);
    EXPECT_EQ(report().at("totals").at("views"), 7);

    // A gate told not to count: no script on the page, and a view sent anyway is not counted.
    ctx_->count_views = false;
    auto const quiet = call("GET", "/b/les-veilleurs");
    EXPECT_EQ(quiet.body.find("views.js"), std::string::npos);
    EXPECT_EQ(header(quiet, "Content-Security-Policy").find("script-src"), std::string::npos);
    EXPECT_EQ(view("198.51.100.6", firefox, false, "").status, 204u);
    EXPECT_EQ(report().at("totals").at("views"), 7);

    // What the gate keeps names no one: no address, no User-Agent, no referrer's path; and of day 1, whose
    // salt is gone, not even the hashes.
    if (GetParam() == store_engine::sqlite) {
        auto const kept = every_value(dir_ / "data" / "gate.db");
        for (auto const* named :
             {"198.51.100.", "Mozilla", "Firefox", "Chrome", "/post/42", "ref=me", "story"}) {
            EXPECT_EQ(kept.find(named), std::string::npos) << named;
        }
    }
    std::error_code ec;
    auto const day2 =
        day_of(std::chrono::duration_cast<std::chrono::seconds>(now_.time_since_epoch()).count());
    auto const salt = store_->view_salt(day2, "not-used", ec);
    ASSERT_FALSE(ec);
    EXPECT_EQ(salt, ctx_->views_salt.salt);
    EXPECT_EQ(store_->view_salt(day2 + 1, "next", ec), "next");
    EXPECT_EQ(store_->view_salt(day2, "again", ec), "again") << "day 2's salt was deleted with day 3's first";
}

TEST_P(GateRouter, DownloadsPerDayAreWhatTheTrackersCountGrewBy) {
    std::error_code ec;
    auto const v1 = std::string(40, '1');
    auto const v2 = std::string(40, '2');
    auto const day0 = std::int64_t{20'000};
    // Version 1: its v1 hash counts 5, 9, then 4 (the tracker restarted); its v2 hash, the same downloads
    // seen by v2 clients, fewer. Version 2 appears on the third day with 2.
    for (auto const& [version, hash, day, downloaded] :
         std::vector<std::tuple<std::uint64_t, std::string, std::int64_t, std::uint64_t>>{
             {1, v1, day0, 5},
             {1, v2, day0, 3},
             {1, v1, day0 + 1, 9},
             {1, v2, day0 + 1, 6},
             {1, v1, day0 + 2, 4},
             {2, v1 + "x", day0 + 2, 2}}) {
        store_->record_swarm({"les-veilleurs", version, hash, day, 1, 0, downloaded}, day * 86400, ec);
        ASSERT_FALSE(ec) << ec.message();
    }
    auto const figures = bundle_figures(*store_, "les-veilleurs", (day0 + 3) * 86400);
    ASSERT_TRUE(figures.done()) << figures.message;
    std::vector<int> downloads;
    for (auto const& d : figures.body.at("funnel")) {
        downloads.push_back(d.at("downloads").get<int>());
    }
    EXPECT_EQ(downloads, (std::vector<int>{5, 4, 4 + 2}));
    EXPECT_EQ(figures.body.at("versions"),
              (json{{{"version", 1}, {"downloads", 13}, {"plays", {{"started", 0}, {"finished", 0}}}},
                    {{"version", 2}, {"downloads", 2}, {"plays", {{"started", 0}, {"finished", 0}}}}}));
    EXPECT_EQ(figures.body.at("swarm").size(), 6u);
}

TEST_P(GateRouter, PlaysAreCountedAsHostsReportThemAndNothingElseIsKept) {
    auto const report = [&](std::string const& ip, json const& body) {
        return handle_request(*ctx_, {"POST", "/v1/bundles/les-veilleurs/plays", body.dump(), ip, {}});
    };
    auto const played = [](std::string const& item, int started, int finished) {
        return json{{"item", item}, {"started", started}, {"finished", finished}};
    };
    // Day 1: two hosts report; day 2: one more.
    EXPECT_EQ(report("198.51.100.1", {{"version", 1}, {"items", {played("pilot.webm", 2, 1)}}}).status, 204u);
    EXPECT_EQ(report("198.51.100.2",
                     {{"version", 1},
                      {"items", {played("pilot.webm", 1, 1), played("episode-1.webm.locked", 1, 0)}}})
                  .status,
              204u);
    now_ += 24h;
    EXPECT_EQ(
        report("198.51.100.1", {{"version", 1}, {"items", {played("episode-1.webm.locked", 1, 1)}}}).status,
        204u);

    // Wrong reports are refused whole and count nothing.
    for (auto const& bad :
         {json{{"version", 1}, {"items", {played("other.webm", 1, 0)}}},
          json{{"version", 2}, {"items", {played("pilot.webm", 1, 0)}}},
          json{{"version", 1}, {"items", {played("pilot.webm", 1, 0), played("pilot.webm", 1, 0)}}},
          json{{"version", 1}, {"items", {played("pilot.webm", 1001, 0)}}},
          json{{"version", 1}, {"items", json::array()}},
          json{{"version", 1}, {"items", {played("pilot.webm", 1, 0)}}, {"device", "x25519:AAAA"}},
          json{{"version", 1}, {"items", {{{"item", "pilot.webm"}, {"started", -1}}}}}}) {
        EXPECT_EQ(code_of(report("198.51.100.3", bad)), "invalid_request") << bad.dump();
    }
    EXPECT_EQ(
        code_of(handle_request(*ctx_, {"POST",
                                       "/v1/bundles/unknown/plays",
                                       json{{"version", 1}, {"items", {played("pilot.webm", 1, 0)}}}.dump(),
                                       "198.51.100.3",
                                       {}})),
        "bundle_not_found");
    EXPECT_EQ(call("GET", "/v1/bundles/les-veilleurs/plays").status, 405u);
    // Beyond its rate, an address's reports are answered alike and dropped.
    ctx_->plays_per_ip = std::make_shared<rate_limiter>(1, std::chrono::minutes(10));
    EXPECT_EQ(report("198.51.100.4", {{"version", 1}, {"items", {played("pilot.webm", 1, 0)}}}).status, 204u);
    EXPECT_EQ(report("198.51.100.4", {{"version", 1}, {"items", {played("pilot.webm", 5, 0)}}}).status, 204u);

    auto const figures = bundle_figures(*store_, "les-veilleurs", ctx_->unix_now());
    ASSERT_TRUE(figures.done()) << figures.message;
    auto const& funnel = figures.body.at("funnel");
    ASSERT_EQ(funnel.size(), 2u) << funnel.dump();
    EXPECT_EQ(funnel.at(0).at("plays"), (json{{"started", 4}, {"finished", 2}}));
    EXPECT_EQ(funnel.at(1).at("plays"), (json{{"started", 2}, {"finished", 1}}));
    EXPECT_EQ(figures.body.at("totals").at("plays"), (json{{"started", 6}, {"finished", 3}}));
    EXPECT_EQ(figures.body.at("versions"),
              (json{{{"version", 1}, {"downloads", 0}, {"plays", {{"started", 6}, {"finished", 3}}}}}));
    if (GetParam() == store_engine::sqlite) {
        auto const kept = every_value(dir_ / "data" / "gate.db");
        EXPECT_EQ(kept.find("198.51.100."), std::string::npos);
        EXPECT_EQ(kept.find("x25519"), std::string::npos);
    }
}

TEST_P(GateRouter, TheDashboardLetsInOnlyWithTheTokenAndShowsTheFiguresOfTheAdminApi) {
    EXPECT_EQ(code_of(call("GET", "/admin/")), "not_found") << "no admin token, no dashboard";
    ctx_->admin_token = "0123456789abcdef0123456789abcdef";

    // Not logged in: every page leads to the login form.
    auto const first = call("GET", "/admin/");
    EXPECT_EQ(first.status, 303u);
    EXPECT_EQ(header(first, "Location"), "login");
    EXPECT_EQ(header(call("GET", "/admin/bundles/les-veilleurs"), "Location"), "../login");
    EXPECT_EQ(header(call("GET", "/admin"), "Location"), "admin/");
    auto const form = call("GET", "/admin/login");
    EXPECT_EQ(form.status, 200u);
    EXPECT_NE(form.body.find("<form class=\"login\" method=\"post\" action=\"login\">"), std::string::npos);
    EXPECT_NE(header(form, "Content-Security-Policy").find("script-src 'self'"), std::string::npos);

    // A wrong token, and a login posted from another site, are refused and set nothing.
    auto const wrong = call("POST", "/admin/login", "token=0123456789abcdef0123456789abcdeX");
    EXPECT_EQ(wrong.status, 401u);
    EXPECT_TRUE(header(wrong, "Set-Cookie").empty());
    EXPECT_NE(wrong.body.find("not this gate&#39;s admin token"), std::string::npos);
    auto const elsewhere = call_with("POST", "/admin/login", "token=" + ctx_->admin_token,
                                     {{"origin", "https://evil.example"}, {"host", "gate.example.org"}});
    EXPECT_EQ(elsewhere.status, 403u);
    EXPECT_TRUE(header(elsewhere, "Set-Cookie").empty());

    auto const in = call_with("POST", "/admin/login", "token=" + ctx_->admin_token,
                              {{"origin", "https://gate.example.org"}, {"host", "gate.example.org"}});
    EXPECT_EQ(in.status, 303u);
    EXPECT_EQ(header(in, "Location"), "./");
    auto const set_cookie = header(in, "Set-Cookie");
    for (auto const* part : {"HttpOnly", "Secure", "SameSite=Strict", "Max-Age="}) {
        EXPECT_NE(set_cookie.find(part), std::string::npos) << part;
    }
    auto const cookie = set_cookie.substr(0, set_cookie.find(';'));
    auto const page = [&](std::string const& target) {
        return call_with("GET", target, "", {{"cookie", "theme=dark; " + cookie}});
    };

    // Some figures: two views and a play.
    for (auto const* ip : {"198.51.100.1", "198.51.100.2"}) {
        handle_request(*ctx_, {"POST",
                               "/v1/bundles/les-veilleurs/views",
                               "{}",
                               ip,
                               {{"user-agent", "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Firefox/128.0"}}});
    }
    call("POST", "/v1/bundles/les-veilleurs/plays",
         R"({"version":1,"items":[{"item":"pilot.webm","started":3,"finished":1}]})");

    auto const overview = page("/admin/");
    EXPECT_EQ(overview.status, 200u);
    EXPECT_EQ(overview.content_type, "text/html; charset=utf-8");
    EXPECT_NE(overview.body.find("<a href=\"bundles/les-veilleurs\">les-veilleurs</a>"), std::string::npos);
    auto const bundle = page("/admin/bundles/les-veilleurs");
    EXPECT_EQ(bundle.status, 200u);
    EXPECT_EQ(header(bundle, "Cache-Control"), "no-store");
    // The page's figures are the admin API's, and its tables show them.
    auto const figures = bundle_figures(*store_, "les-veilleurs", ctx_->unix_now());
    auto const open = bundle.body.find("<script type=\"application/json\" id=\"figures\">");
    ASSERT_NE(open, std::string::npos);
    auto const start = bundle.body.find('>', open) + 1;
    EXPECT_EQ(json::parse(bundle.body.substr(start, bundle.body.find("</script>", start) - start)),
              figures.body);
    EXPECT_NE(bundle.body.find("<td>2</td><td>0</td><td>3</td><td>1</td>"), std::string::npos)
        << "views, downloads, plays and plays to the end of the day";
    EXPECT_NE(bundle.body.find("<script src=\"../assets/uPlot.iife.min.js\"></script>"), std::string::npos);
    EXPECT_EQ(page("/admin/bundles/unknown").status, 404u);
    EXPECT_EQ(page("/admin/campaigns/unknown").status, 404u);

    // The cookie opens the pages only: the API still wants the bearer token.
    EXPECT_EQ(call_with("GET", "/v1/admin/stats", "", {{"cookie", cookie}}).status, 401u);
    EXPECT_EQ(call_with("GET", "/admin/", "", {{"cookie", "sluice_admin=00"}}).status, 303u);

    // The chart library and the dashboard's files come from the gate itself.
    auto const uplot = call("GET", "/admin/assets/uPlot.iife.min.js");
    EXPECT_EQ(uplot.status, 200u);
    EXPECT_EQ(uplot.content_type, "text/javascript; charset=utf-8");
    EXPECT_EQ(uplot.body.rfind("/*! https://github.com/leeoniya/uPlot", 0), 0u);
    EXPECT_NE(call("GET", "/admin/assets/uPlot.LICENSE.txt").body.find("MIT"), std::string::npos);
    EXPECT_NE(call("GET", "/admin/assets/dashboard.js").body.find("uPlot"), std::string::npos);
    EXPECT_EQ(call("GET", "/admin/assets/../gate.db").status, 404u);

    // Logging out clears the cookie; guessing is cut off after ten tries.
    EXPECT_NE(header(call("POST", "/admin/logout"), "Set-Cookie").find("sluice_admin=; Max-Age=0"),
              std::string::npos);
    for (int i = 0; i < 8; ++i) {
        call("POST", "/admin/login", "token=guess");
    }
    EXPECT_EQ(call("POST", "/admin/login", "token=" + ctx_->admin_token).status, 429u);
}

TEST_P(GateRouter, ATranslationIsKeptPendingOnlyWhenItIsStrictWebVttForAnItemOfTheBundle) {
    std::string const track = "WEBVTT\n\n00:00.500 --> 00:02.000\n<i>Esta</i> noche\n";
    auto const submit = [&](json body, std::string const& ip = "198.51.100.1") {
        return handle_request(*ctx_, {"POST", "/v1/bundles/les-veilleurs/translations", body.dump(), ip, {}});
    };
    json const good{{"version", 1},        {"item", "pilot.webm"},   {"lang", "es"},  {"label", "Español"},
                    {"translator", "Ana"}, {"licence", "CC-BY-4.0"}, {"track", track}};
    auto const kept = submit(good);
    ASSERT_EQ(kept.status, 201u) << kept.body;
    auto const id = parse(kept).at("submissionId").get<std::string>();
    EXPECT_EQ(parse(kept).at("state"), "pending");
    std::error_code ec;
    auto const stored = store_->find_translation(id, ec);
    ASSERT_TRUE(stored);
    EXPECT_EQ(stored->track, track);
    EXPECT_EQ(stored->translator, "Ana");
    EXPECT_EQ(stored->licence, "CC-BY-4.0");
    EXPECT_EQ(stored->sha256, parse(kept).at("sha256"));

    // Taken up by someone else: a new submission naming the first.
    auto next = good;
    next["translator"] = "Luis";
    next["basedOn"] = id;
    EXPECT_EQ(submit(next).status, 201u);
    next["item"] = "episode-1.webm.locked";
    EXPECT_EQ(code_of(submit(next)), "invalid_request") << "basedOn another item's";

    // Refused, each with its reason, and nothing kept.
    auto with = [&](std::string const& key, json value) {
        auto body = good;
        body[key] = std::move(value);
        return submit(body);
    };
    auto const script = with("track", "WEBVTT\n\n00:01.000 --> 00:02.000\n<script>alert(1)</script>\n");
    EXPECT_EQ(script.status, 422u);
    EXPECT_NE(parse(script).at("error").at("message").get<std::string>().find(
                  "line 4: <script> is not a WebVTT tag"),
              std::string::npos);
    EXPECT_EQ(with("item", "other.webm").status, 422u);
    EXPECT_EQ(with("version", 2).status, 422u);
    EXPECT_EQ(with("lang", "Spanish").status, 400u);
    EXPECT_EQ(with("track", std::string(protocol::max_webvtt_bytes + 1, 'a')).status, 400u);
    EXPECT_EQ(with("device", "x25519:AAAA").status, 400u);
    EXPECT_EQ(store_->translations("les-veilleurs", "", ec).size(), 2u);
    EXPECT_TRUE(store_->translations("les-veilleurs", "", ec).front().track.empty())
        << "lists leave tracks out";

    // Ten an hour from one address.
    for (int i = 0; i < 10; ++i) {
        ASSERT_EQ(submit(good, "198.51.100.7").status, 201u) << i;
    }
    EXPECT_EQ(code_of(submit(good, "198.51.100.7")), "rate_limited");
}

TEST_P(GateRouter, AnApprovedTranslationIsSignedForTheBundleHostsHaveAndListedForThem) {
    std::string const track = "WEBVTT\n\n00:00.500 --> 00:02.000\nEsta noche\n";
    json const first{{"version", 1},
                     {"item", "pilot.webm"},
                     {"lang", "es"},
                     {"label", "Español"},
                     {"translator", "Ana"},
                     {"licence", "CC-BY-4.0"},
                     {"track", "WEBVTT\n\n00:00.500 --> 00:02.000\nEsta\n"}};
    auto const submitted = call("POST", "/v1/bundles/les-veilleurs/translations", first.dump());
    ASSERT_EQ(submitted.status, 201u) << submitted.body;
    auto const ana = parse(submitted).at("submissionId").get<std::string>();
    auto taken_up = first;
    taken_up["translator"] = "Luis";
    taken_up["basedOn"] = ana;
    taken_up["track"] = track;
    auto const luis = parse(call("POST", "/v1/bundles/les-veilleurs/translations", taken_up.dump()))
                          .at("submissionId")
                          .get<std::string>();
    auto const before = parse(call("GET", "/v1/bundles/les-veilleurs/translations"));
    EXPECT_EQ(before.at("translations").size(), 0u) << "nothing is offered before the creator approves it";
    EXPECT_EQ(before.at("licence"), "CC-BY-4.0");
    ASSERT_EQ(before.at("latest").size(), 1u) << "the last submission, where the next translator takes up";
    EXPECT_EQ(before.at("latest")[0].at("submissionId"), luis);
    auto other_terms = taken_up;
    other_terms["licence"] = "All rights reserved";
    EXPECT_EQ(call("POST", "/v1/bundles/les-veilleurs/translations", other_terms.dump()).status, 422u)
        << "a translator agrees to the gate's terms, not others";

    ctx_->admin_token = "0123456789abcdef0123456789abcdef";
    auto const admin = [&](std::string method, std::string target, std::string body = {}) {
        return call_with(std::move(method), std::move(target), std::move(body),
                         {{"authorization", "Bearer " + ctx_->admin_token}});
    };
    auto const approve = [&](std::string const& id) {
        return admin("POST", "/v1/admin/translations/" + id + "/approve");
    };
    EXPECT_EQ(code_of(approve(luis)), "gate_misconfigured") << "no translation key to sign with";
    auto const translator_key = protocol::generate_signing_keypair();
    ctx_->translation_key = translator_key;
    auto const unlisted = approve(luis);
    EXPECT_EQ(unlisted.status, 422u);
    EXPECT_EQ(code_of(unlisted), "key_not_listed");
    std::error_code ec;
    EXPECT_EQ(store_->find_translation(luis, ec)->state, "pending");

    // Version 2 lists the key; the approval fits the version hosts now have.
    auto v2 = testing::make_test_bundle("les-veilleurs", 2);
    v2.publisher = bundle_.publisher;
    v2.manifest.publisher_key = bundle_.publisher.public_key;
    v2.manifest.translation_keys = {translator_key.public_key};
    put(v2);
    auto const approved = approve(luis);
    ASSERT_EQ(approved.status, 200u) << approved.body;
    EXPECT_EQ(parse(approved).at("state"), "approved");
    EXPECT_EQ(parse(approved).at("credit"), "Ana, Luis") << "who did what is kept";
    auto const addon_text = parse(approved).at("addon").get<std::string>();
    auto const verified = protocol::verify_translation_addon(addon_text, v2.manifest, track);
    ASSERT_TRUE(verified) << verified.detail;
    EXPECT_EQ(verified.addon.version, 2u);
    EXPECT_EQ(verified.addon.credit, "Ana, Luis");
    EXPECT_EQ(verified.addon.label, "Español");
    EXPECT_FALSE(protocol::verify_translation_addon(addon_text, bundle_.manifest, track))
        << "version 1 does not list the key";
    EXPECT_EQ(approve(luis).body, approved.body) << "approving again changes nothing";

    // Hosts fetch the add-on and its track.
    auto const offered = parse(call("GET", "/v1/bundles/les-veilleurs/translations")).at("translations");
    ASSERT_EQ(offered.size(), 1u);
    EXPECT_EQ(offered[0].at("addon"), addon_text);
    auto const served = call("GET", "/v1/bundles/les-veilleurs/translations/" + luis);
    EXPECT_EQ(served.status, 200u);
    EXPECT_EQ(parse(served).at("track"), track);
    EXPECT_EQ(parse(served).at("credit"), "Ana, Luis");
    EXPECT_FALSE(parse(served).contains("licence"));
    EXPECT_EQ(call("GET", "/v1/bundles/other/translations/" + luis).status, 404u);
    EXPECT_EQ(code_of(call("GET", "/v1/bundles/nobody/translations")), "bundle_not_found");

    // Rejected with a reason; an approved one stays approved, a rejected one is served to nobody.
    EXPECT_EQ(code_of(admin("POST", "/v1/admin/translations/" + luis + "/reject", R"({"reason":"no"})")),
              "translation_approved");
    auto const rejected =
        admin("POST", "/v1/admin/translations/" + ana + "/reject", R"({"reason":"Only the first line."})");
    ASSERT_EQ(rejected.status, 200u) << rejected.body;
    EXPECT_EQ(parse(rejected).at("reason"), "Only the first line.");
    EXPECT_EQ(code_of(approve(ana)), "translation_rejected");
    EXPECT_EQ(call("GET", "/v1/bundles/les-veilleurs/translations/" + ana).status, 404u);
    EXPECT_EQ(code_of(admin("POST", "/v1/admin/translations/" + ana + "/reject", R"({"reason":"\u0007"})")),
              "invalid_request");
    EXPECT_EQ(code_of(approve("no-such-submission")), "not_found");

    auto const listed = parse(admin("GET", "/v1/admin/translations")).at("translations");
    ASSERT_EQ(listed.size(), 2u);
    for (auto const& t : listed) {
        EXPECT_EQ(t.at("state"), t.at("submissionId") == ana ? "rejected" : "approved");
        EXPECT_EQ(t.value("basedOn", ""), t.at("submissionId") == ana ? "" : ana);
    }
    EXPECT_EQ(parse(admin("GET", "/v1/admin/translations/" + luis)).at("track"), track);
}

TEST_P(GateRouter, TheDashboardListsTranslationsAndPreviewsOneWithItsTrack) {
    std::string const track = "WEBVTT\n\n00:00.500 --> 00:02.000\n<i>Esta</i> noche &amp; <b>siempre</b>\n";
    json const submission{{"version", 1},       {"item", "pilot.webm"},   {"lang", "es"},
                          {"label", "Español"}, {"translator", "Ana <3"}, {"licence", "CC-BY-4.0"},
                          {"track", track}};
    auto const submitted = call("POST", "/v1/bundles/les-veilleurs/translations", submission.dump());
    ASSERT_EQ(submitted.status, 201u) << submitted.body;
    auto const id = parse(submitted).at("submissionId").get<std::string>();

    ctx_->admin_token = "0123456789abcdef0123456789abcdef";
    EXPECT_EQ(header(call("GET", "/admin/translations"), "Location"), "login");
    EXPECT_EQ(header(call("GET", "/admin/translations/" + id), "Location"), "../login");
    auto const in = call_with("POST", "/admin/login", "token=" + ctx_->admin_token, {});
    auto const set_cookie = header(in, "Set-Cookie");
    auto const page = [&](std::string const& target) {
        return call_with("GET", target, "", {{"cookie", set_cookie.substr(0, set_cookie.find(';'))}});
    };

    auto const list = page("/admin/translations");
    ASSERT_EQ(list.status, 200u) << list.body;
    EXPECT_NE(list.body.find("<a href=\"translations/" + id + "\">" + id + "</a>"), std::string::npos);
    EXPECT_NE(list.body.find("<td>Ana &lt;3</td>"), std::string::npos) << "the credit, escaped";
    EXPECT_NE(list.body.find("<td>pending</td>"), std::string::npos);
    EXPECT_NE(page("/admin/").body.find("<a href=\"translations\">Translations</a>"), std::string::npos);

    auto const shown = page("/admin/translations/" + id);
    ASSERT_EQ(shown.status, 200u) << shown.body;
    EXPECT_NE(shown.body.find("<input id=\"preview-file\" type=\"file\""), std::string::npos);
    EXPECT_NE(shown.body.find("&lt;i&gt;Esta&lt;/i&gt; noche &amp;amp;"), std::string::npos)
        << "the track as text, never as markup";
    EXPECT_NE(shown.body.find("assets/translation.js"), std::string::npos);
    EXPECT_EQ(shown.body.find("uPlot"), std::string::npos) << "no plots here";
    EXPECT_NE(shown.body.find("--key TRANSLATION.key " + id), std::string::npos);
    // The preview's data: the track in a JSON script block, where "</" cannot end the block.
    auto const data_at = shown.body.find("<script type=\"application/json\" id=\"figures\">");
    ASSERT_NE(data_at, std::string::npos);
    auto const data_end = shown.body.find("</script>", data_at);
    auto const data = shown.body.substr(data_at, data_end - data_at);
    EXPECT_EQ(data.find("</i>"), std::string::npos);
    EXPECT_NE(header(shown, "Content-Security-Policy").find("media-src blob:"), std::string::npos);
    EXPECT_NE(call("GET", "/admin/assets/translation.js").body.find("createObjectURL"), std::string::npos);

    std::error_code ec;
    ASSERT_TRUE(store_->review_translation(id, "rejected", 1'790'000'000, "Too short.", {}, ec))
        << ec.message();
    auto const rejected = page("/admin/translations/" + id);
    EXPECT_NE(rejected.body.find("<dd>Too short.</dd>"), std::string::npos);
    EXPECT_EQ(rejected.body.find("translations approve"), std::string::npos) << "nothing left to decide";
    EXPECT_EQ(page("/admin/translations/nobody").status, 404u);
}

TEST_P(GateRouter, WhateverArrivesTheAnswerIsAJson4xx) {
    std::mt19937 gen(7);
    std::vector<std::string> const targets{"/v1/bundles/les-veilleurs/unlock/email",
                                           "/v1/bundles/les-veilleurs/unlock/email/confirm",
                                           "/v1/campaigns/saison-2/pledges",
                                           "/v1/bundles/%00",
                                           "/b/\xff",
                                           ""};
    std::vector<std::string> const pieces{"{",
                                          "}",
                                          "[",
                                          "]",
                                          "\"email\"",
                                          "\"device\"",
                                          "\"requestId\"",
                                          "\"code\"",
                                          ":",
                                          ",",
                                          "\"a@b.co\"",
                                          "\"x25519:AAAA\"",
                                          "1e999",
                                          "-0",
                                          "null",
                                          "true",
                                          "\"\\u0000\"",
                                          "\xc3\x28",
                                          " "};
    for (int i = 0; i < 2000; ++i) {
        std::string body;
        auto const n = gen() % 12;
        for (unsigned j = 0; j < n; ++j) {
            body += pieces[gen() % pieces.size()];
        }
        auto const r = call(gen() % 4 ? "POST" : "GET", targets[gen() % targets.size()], body,
                            "10.0.0." + std::to_string(i % 250));
        ASSERT_GE(r.status, 400u) << body;
        ASSERT_LT(r.status, 500u) << body << " -> " << r.body;
        ASSERT_FALSE(code_of(r).empty());
    }
}

TEST(GateLandingPage, ScriptJsonCannotCloseTheElement) {
    EXPECT_EQ(json_for_script(R"({"t":"</script><!--&"})"), R"({"t":"\u003c/script\u003e\u003c!--\u0026"})");
    EXPECT_EQ(json_for_script("{\"t\":\"a\xE2\x80\xA8"
                              "b\xE2\x80\xA9\"}"),
              R"({"t":"a\u2028b\u2029"})");
    EXPECT_EQ(json::parse(json_for_script(R"({"t":"</script>"})")).at("t"), "</script>");
    EXPECT_EQ(html_escape("<a href=\"x\">'&'</a>"), "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;");
}

} // namespace
} // namespace sluice::gate

namespace sluice::gate {
namespace {

// A pledge campaign's bundle, and a provider whose webhooks the tests sign as Stripe would.
// A single-price campaign of 15 EUR with a backers goal, open until 2026-06-01.
protocol::pledge_gate test_pledge_gate(std::string campaign_id, std::uint64_t goal_backers) {
    protocol::pledge_gate p;
    p.campaign_id = std::move(campaign_id);
    p.goal_backers = goal_backers;
    p.deadline = "2026-06-01T00:00:00Z";
    p.deadline_unix = *protocol::parse_utc_timestamp(p.deadline);
    p.price = 1500;
    p.currency = "EUR";
    p.expected_delivery = "2026-09-01";
    p.if_goal_missed = "Nothing is charged.";
    return p;
}

class GatePledges : public GateRouter {
protected:
    static constexpr char const* secret = "whsec_test_0123456789abcdef";

    void SetUp() override {
        GateRouter::SetUp();
        pledge_bundle_ = testing::make_test_bundle("saison-2-bundle");
        auto& m = pledge_bundle_.manifest;
        m.items[1].gate = protocol::gate_kind::pledge;
        m.gates.email.reset();
        auto const p = test_pledge_gate("saison-2", 3);
        m.gates.pledge = p;
        pledge_bundle_.keys.items[0].gate = protocol::gate_kind::pledge;
        pledge_bundle_.gate = bundle_.gate;
        m.gate_keys = {bundle_.gate.public_key};
        put(pledge_bundle_);
        std::error_code ec;
        store_->ensure_campaign({"saison-2", m.id, 3, std::nullopt, 1500, "EUR", p.deadline_unix,
                                 "2026-09-01", "Nothing is charged.", "open", std::nullopt},
                                ec);
        ASSERT_FALSE(ec);
        ctx_->public_url = "https://gate.example/";
        ctx_->payments = provider_;
    }

    gate_response pledge(std::string const& key, json body) {
        gate_request req{"POST", "/v1/campaigns/saison-2/pledges", body.dump(), "192.0.2.1", {}};
        if (!key.empty()) {
            req.headers.emplace_back("idempotency-key", key);
        }
        return handle_request(*ctx_, req);
    }
    json device_body(std::optional<std::uint64_t> amount = std::nullopt) const {
        json body{{"device", protocol::encode_public_key("x25519", device_.public_key)}};
        if (amount) {
            body["amount"] = *amount;
        }
        return body;
    }

    std::int64_t unix_now() const {
        return std::chrono::duration_cast<std::chrono::seconds>(now_.time_since_epoch()).count();
    }

    // A Stripe event, signed at `t` (now by default) with the endpoint's secret.
    gate_response webhook(std::string const& body, std::optional<std::int64_t> t = std::nullopt,
                          std::string const& key = secret) {
        return call_with(
            "POST", "/v1/payments/webhook", body,
            {{"stripe-signature", sluice::testing::provider_signature(key, body, t.value_or(unix_now()))}});
    }

    // The provider saved a method for the pledge (`setup_intent.succeeded`).
    gate_response method_saved(std::string const& pledge_id, std::string const& method,
                               std::string const& event_id = {}) {
        return webhook(sluice::testing::stripe_event(
            event_id.empty() ? "evt_saved_" + method : event_id, "setup_intent.succeeded",
            {{"id", "seti_" + method},
             {"object", "setup_intent"},
             {"status", "succeeded"},
             {"customer", "cus_" + pledge_id},
             {"payment_method", method},
             {"metadata", {{"sluice_pledge", pledge_id}, {"sluice_campaign", "saison-2"}}}}));
    }

    // A pledge whose method the provider saved.
    std::string confirmed_pledge(std::string const& key, std::string const& method) {
        auto const r = pledge(key, device_body());
        EXPECT_EQ(r.status, 201u) << r.body;
        auto const id = parse(r).at("pledgeId").get<std::string>();
        EXPECT_EQ(method_saved(id, method).status, 200u);
        return id;
    }

    // Runs the charge run until it has nothing left to do now.
    void charge_all(charge_run_settings settings = {}) {
        boost::asio::io_context io;
        charge_runner runner(io, *store_, *provider_, settings, [this] { return unix_now(); });
        runner.start();
        // The run sleeps when idle: one round of its own is all a test needs.
        io.run_for(std::chrono::milliseconds(300));
        runner.stop();
        io.run();
    }

    json status_of(std::string const& id) {
        return parse(call("GET", "/v1/campaigns/saison-2/pledges/" + id));
    }

    std::shared_ptr<sluice::testing::scripted_provider> provider_ =
        std::make_shared<sluice::testing::scripted_provider>(secret);
    testing::test_bundle pledge_bundle_;
};

// The receipt's body, once its signature holds for the gate's key.
json open_receipt(std::string const& text, protocol::signing_keypair const& gate) {
    auto const envelope = json::parse(text);
    EXPECT_EQ(envelope.at("format"), "sluice-receipt/1");
    EXPECT_EQ(envelope.at("gateKey"), protocol::encode_public_key("ed25519", gate.public_key));
    auto const payload = protocol::from_base64(envelope.at("payload").get<std::string>());
    auto const signature = protocol::from_base64(envelope.at("signature").get<std::string>());
    std::array<unsigned char, 64> sig{};
    EXPECT_TRUE(payload && signature && signature->size() == 64);
    std::copy(signature->begin(), signature->end(), sig.begin());
    EXPECT_TRUE(protocol::verify(*payload, sig, gate.public_key));
    return json::parse(*payload);
}

TEST_P(GatePledges, APledgeOpensTheProvidersPageOncePerIdempotencyKey) {
    auto const first = pledge("key-1", device_body());
    ASSERT_EQ(first.status, 201u) << first.body;
    auto const answer = parse(first);
    auto const id = answer.at("pledgeId").get<std::string>();
    EXPECT_EQ(answer.at("amount"), 1500);
    EXPECT_EQ(answer.at("state"), "pending");
    EXPECT_EQ(answer.at("chargedOn"), "2026-06-01T00:00:00Z");
    EXPECT_EQ(answer.at("checkoutUrl"), "https://checkout.example/c/sluice-pledge-" + id);
    auto const receipt = open_receipt(answer.at("receipt").get<std::string>(), bundle_.gate);
    EXPECT_EQ(receipt.at("kind"), "pledge");
    EXPECT_EQ(receipt.at("pledgeId"), id);
    EXPECT_EQ(receipt.at("campaignId"), "saison-2");
    // The provider was asked to save a method for a later charge, in the campaign's currency, with the
    // pledge named so its webhooks can be tied back.
    ASSERT_EQ(provider_->checkouts.size(), 1u);
    auto const& asked = provider_->checkouts[0];
    EXPECT_EQ(asked.mode, checkout_request::kind::setup);
    EXPECT_EQ(asked.currency, "EUR");
    EXPECT_EQ(asked.success_url, "https://gate.example/checkout/done");
    EXPECT_EQ(asked.idempotency_key, "sluice-pledge-" + id);
    EXPECT_NE(asked.description.find("only if the campaign is funded"), std::string::npos);
    EXPECT_EQ(asked.references, (std::vector<std::pair<std::string, std::string>>{
                                    {"sluice_pledge", id}, {"sluice_campaign", "saison-2"}}));

    auto const retry = pledge("key-1", device_body());
    EXPECT_EQ(retry.status, 201u);
    EXPECT_EQ(retry.body, first.body);
    EXPECT_EQ(header(retry, "Idempotent-Replayed"), "true");
    EXPECT_EQ(provider_->checkouts.size(), 1u);
    auto const other = pledge("key-1", device_body(2000));
    EXPECT_EQ(other.status, 422u);
    EXPECT_EQ(code_of(other), "idempotency_key_reused");
    EXPECT_EQ(code_of(pledge("", device_body())), "idempotency_key_required");
    EXPECT_EQ(code_of(pledge("key 2", device_body())), "idempotency_key_required");
    EXPECT_EQ(code_of(pledge("key-2", device_body(1499))), "amount_too_low");
    EXPECT_EQ(code_of(pledge("key-2", json{{"device", "x"}})), "invalid_device");
    EXPECT_EQ(status_of(id).at("checkoutUrl"), answer.at("checkoutUrl"));
}

TEST_P(GatePledges, OnlyASavedMethodCountsTowardTheGoal) {
    auto const a = parse(pledge("key-a", device_body())).at("pledgeId").get<std::string>();
    ASSERT_EQ(pledge("key-b", device_body(2500)).status, 201u);
    auto progress = parse(call("GET", "/v1/campaigns/saison-2"));
    EXPECT_EQ(progress.at("backers"), 0);
    EXPECT_EQ(progress.at("amount"), 0);

    auto const saved = method_saved(a, "pm_a");
    ASSERT_EQ(saved.status, 200u) << saved.body;
    EXPECT_EQ(parse(saved), json::parse(R"({"received":true})"));
    EXPECT_EQ(status_of(a).at("state"), "confirmed");
    EXPECT_FALSE(status_of(a).contains("checkoutUrl"));
    // The same event again (the provider retries until it hears 2xx) changes nothing.
    EXPECT_EQ(parse(method_saved(a, "pm_a")), json::parse(R"({"received":true,"duplicate":true})"));
    progress = parse(call("GET", "/v1/campaigns/saison-2"));
    EXPECT_EQ(progress.at("backers"), 1);
    EXPECT_EQ(progress.at("amount"), 1500);
    EXPECT_EQ(progress.at("goalBackers"), 3);
    EXPECT_EQ(progress.at("state"), "open");
    EXPECT_EQ(progress.at("secondsLeft"), 12 * 24 * 3600);
    EXPECT_EQ(code_of(call("GET", "/v1/campaigns/unknown")), "campaign_not_found");
    auto const status = parse(call("GET", "/v1/bundles/saison-2-bundle"));
    EXPECT_EQ(status.at("campaign"), progress);
    auto const page = call("GET", "/b/saison-2-bundle").body;
    EXPECT_NE(page.find("<li class=\"progress\">open: 1 backers, 15.00 EUR pledged</li>"), std::string::npos)
        << page;

    // 10,000 pledges nobody confirms move the goal by nothing.
    for (int i = 0; i < 200; ++i) {
        ASSERT_EQ(pledge("script-" + std::to_string(i), device_body()).status, 201u);
    }
    EXPECT_EQ(parse(call("GET", "/v1/campaigns/saison-2")).at("backers"), 1);
}

TEST_P(GatePledges, AProviderFailureLeavesThePledgeForARetryWithTheSameKey) {
    provider_->fail_next_checkout = provider_failure::transient;
    auto const failed = pledge("key-1", device_body());
    EXPECT_EQ(failed.status, 502u);
    EXPECT_EQ(code_of(failed), "payment_provider_failed");
    auto const retry = pledge("key-1", device_body());
    ASSERT_EQ(retry.status, 201u) << retry.body;
    // One pledge, and both calls asked the provider under the same key.
    ASSERT_EQ(provider_->checkouts.size(), 2u);
    EXPECT_EQ(provider_->checkouts[0].idempotency_key, provider_->checkouts[1].idempotency_key);
    std::error_code ec;
    EXPECT_EQ(store_->ledger("saison-2", ec).size(), 1u);
    // Without a provider there are no pledges at all.
    ctx_->payments.reset();
    EXPECT_EQ(code_of(pledge("key-2", device_body())), "payments_unavailable");
}

// A second request with the key of a pledge whose page is still being opened (the provider is slow, or the
// first request is on another gate) is told to retry, not answered with a second page; once the first
// request's lease has run out (its gate died), a retry opens the page.
TEST_P(GatePledges, ARequestWhoseKeyIsStillInFlightIsToldToRetry) {
    provider_->hold_checkouts = true;
    boost::asio::io_context first_io;
    std::optional<gate_response> first;
    gate_request req{"POST", "/v1/campaigns/saison-2/pledges", device_body().dump(), "192.0.2.1", {}};
    req.headers.emplace_back("idempotency-key", "key-1");
    handle_request(*ctx_, req,
                   responder(first_io.get_executor(), [&](gate_response r) { first = std::move(r); }));
    ASSERT_EQ(provider_->held_checkouts.size(), 1u);

    auto const second = pledge("key-1", device_body());
    EXPECT_EQ(second.status, 409u) << second.body;
    EXPECT_EQ(code_of(second), "idempotency_key_in_flight");
    EXPECT_EQ(second.headers, (std::vector<std::pair<std::string, std::string>>{{"Retry-After", "1"}}));
    EXPECT_EQ(provider_->checkouts.size(), 1u) << "no second page was asked for";

    now_ += std::chrono::seconds(checkout_lease_seconds + 1);
    provider_->hold_checkouts = false;
    auto const third = pledge("key-1", device_body());
    ASSERT_EQ(third.status, 201u) << third.body;
    // The first request's answer arrives late: it answers what was recorded, the same pledge and page.
    provider_->held_checkouts[0].second(
        {checkout_session{"cs_late", "https://checkout.example/late"}, provider_failure::none, {}});
    first_io.run();
    ASSERT_TRUE(first);
    EXPECT_EQ(first->status, 201u);
    EXPECT_EQ(first->body, third.body);
    std::error_code ec;
    EXPECT_EQ(store_->ledger("saison-2", ec).size(), 1u);
}

TEST_P(GatePledges, FundedCampaignsChargeConfirmedPledgesOnceAndOnlyChargedOnesGetTokens) {
    std::vector<std::string> ids;
    for (int i = 0; i < 3; ++i) {
        ids.push_back(confirmed_pledge("key-" + std::to_string(i), "pm_" + std::to_string(i)));
    }
    auto const never = parse(pledge("key-never", device_body())).at("pledgeId").get<std::string>();
    EXPECT_FALSE(status_of(ids[0]).contains("token"));
    std::error_code ec;
    EXPECT_EQ(store_->close_campaign("saison-2", unix_now(), ec), "funded");
    EXPECT_EQ(code_of(pledge("late", device_body())), "campaign_closed");
    // A pledge never confirmed is released at the close, and never charged.
    EXPECT_EQ(status_of(never).at("state"), "released");
    EXPECT_EQ(status_of(ids[0]).at("state"), "confirmed");
    EXPECT_FALSE(status_of(ids[0]).contains("token"));

    charge_all();
    ASSERT_EQ(provider_->charges.size(), 3u);
    for (auto const& c : provider_->charges) {
        EXPECT_EQ(c.amount, 1500u);
        EXPECT_EQ(c.currency, "EUR");
        EXPECT_EQ(c.idempotency_key.rfind("sluice-charge-", 0), 0u) << c.idempotency_key;
    }
    for (auto const& id : ids) {
        auto const r = status_of(id);
        EXPECT_EQ(r.at("state"), "charged");
        auto const token = r.at("token").get<std::string>();
        auto const verified = verify(token, pledge_bundle_);
        ASSERT_TRUE(verified) << verified.detail;
        EXPECT_EQ(verified.token.grantee.kind, protocol::grantee_kind::pledge);
        EXPECT_EQ(verified.token.grantee.ref, id);
        EXPECT_EQ(verified.token.item_keys.at("episode-1.webm.locked"), pledge_bundle_.keys.items[0].key);
        EXPECT_EQ(status_of(id).at("token"), token);
    }
    // Another run charges nobody again.
    charge_all();
    EXPECT_EQ(provider_->charges.size(), 3u);
    EXPECT_EQ(store_->count_unlocks("saison-2-bundle", ec), 3u);
    EXPECT_EQ(code_of(call("POST", "/v1/campaigns/saison-2/pledges/" + ids[0] + "/cancel")),
              "campaign_closed");
    auto const ledger = store_->ledger("saison-2", ec);
    ASSERT_EQ(ledger.size(), 4u);
    // Rows made in the same second come in pledge id order, which is random: find each by id.
    for (auto const& row : ledger) {
        bool const charged = row.pledge.pledge_id != never;
        EXPECT_EQ(row.charged, charged ? 1500u : 0u) << row.pledge.pledge_id;
        EXPECT_EQ(row.provider_payment_id, charged ? "pi_sluice-charge-" + row.pledge.pledge_id + "-1" : "");
    }
}

TEST_P(GatePledges, TheCampaignsProgressAndTheBundlesFunnelAreCountedByDay) {
    // Day 1 (2026-05-20): two backers. Day 2: two more, and one of day 1's cancels. Day 3: the campaign
    // closes funded (3 of 3) and the three are charged, and unlocked when their hosts ask.
    auto const first = confirmed_pledge("d1-a", "pm_1");
    confirmed_pledge("d1-b", "pm_2");
    now_ += 24h;
    confirmed_pledge("d2-a", "pm_3");
    confirmed_pledge("d2-b", "pm_4");
    EXPECT_EQ(call("POST", "/v1/campaigns/saison-2/pledges/" + first + "/cancel").status, 200u);
    now_ += 24h;
    std::error_code ec;
    EXPECT_EQ(store_->close_campaign("saison-2", unix_now(), ec), "funded");
    charge_all();
    ASSERT_EQ(provider_->charges.size(), 3u);

    auto const progress = campaign_figures(*store_, "saison-2");
    ASSERT_TRUE(progress.done()) << progress.message;
    auto const& p = progress.body;
    EXPECT_EQ(p.at("state"), "funded");
    EXPECT_EQ(p.at("goal").at("backers"), 3);
    EXPECT_TRUE(p.at("goal").at("amount").is_null());
    ASSERT_EQ(p.at("days").size(), 3u) << p.dump();
    auto const day = [&](int i) { return p.at("days").at(static_cast<std::size_t>(i)); };
    EXPECT_EQ(day(0).at("day"), "2026-05-20");
    EXPECT_EQ(day(0).at("backers"), 2);
    EXPECT_EQ(day(0).at("amount"), 3000);
    EXPECT_EQ(day(0).at("needed").at("backers"), 0);
    EXPECT_TRUE(day(0).at("onTrack").get<bool>());
    EXPECT_EQ(day(1).at("backers"), 3);
    EXPECT_EQ(day(1).at("amount"), 4500);
    EXPECT_EQ(day(2).at("day"), "2026-05-22");
    EXPECT_EQ(day(2).at("backers"), 3);
    EXPECT_EQ(day(2).at("charged"), 3);
    // The line reaches the goal on the deadline's day only.
    EXPECT_LT(day(2).at("needed").at("backers").get<int>(), 3);

    for (auto const* key : {"d1-b", "d2-a", "d2-b"}) {
        auto const pledge_id = store_->find_pledge_by_key("saison-2", key, ec)->pledge_id;
        EXPECT_TRUE(status_of(pledge_id).contains("token")) << key;
    }
    auto const figures = bundle_figures(*store_, "saison-2-bundle", unix_now());
    ASSERT_TRUE(figures.done()) << figures.message;
    auto const& funnel = figures.body.at("funnel");
    ASSERT_EQ(funnel.size(), 3u) << funnel.dump();
    EXPECT_EQ(funnel.at(0).at("pledges"), 2);
    EXPECT_EQ(funnel.at(1).at("pledges"), 2);
    EXPECT_EQ(funnel.at(2).at("charged"), 3);
    EXPECT_EQ(funnel.at(2).at("unlocks").at("pledge"), 3);
    EXPECT_EQ(funnel.at(2).at("views"), 0);

    EXPECT_EQ(campaign_figures(*store_, "no-such").status, 404u);
    EXPECT_EQ(bundle_figures(*store_, "no-such", unix_now()).status, 404u);
}

TEST_P(GatePledges, ADeclinedChargeIsRetriedWithinTheGracePeriodAndANewCardIsChargedAtOnce) {
    auto const fixed = confirmed_pledge("key-a", "pm_declines");
    auto const never = confirmed_pledge("key-b", "pm_needs_action");
    auto const fine = confirmed_pledge("key-c", "pm_fine");
    provider_->outcome_by_method["pm_declines"] = charge_outcome::status::declined;
    provider_->outcome_by_method["pm_needs_action"] = charge_outcome::status::requires_action;
    std::error_code ec;
    ASSERT_EQ(store_->close_campaign("saison-2", unix_now(), ec), "funded");
    charge_run_settings settings;
    settings.policy.grace = 7 * 86400;
    settings.policy.retry_interval = 86400;
    charge_all(settings);
    EXPECT_EQ(status_of(fine).at("state"), "charged");
    auto failed = status_of(fixed);
    EXPECT_EQ(failed.at("state"), "charge_failed");
    EXPECT_EQ(failed.at("declineCode"), "insufficient_funds");
    EXPECT_EQ(failed.at("retryUntil"), "2026-05-27T00:00:00Z");
    EXPECT_EQ(failed.at("nextAttempt"), "2026-05-21T00:00:00Z");
    EXPECT_FALSE(failed.contains("token"));
    EXPECT_EQ(status_of(never).at("declineCode"), "authentication_required");

    // Before the retry is due nothing is sent; a new card is charged at once, under a new key.
    charge_all(settings);
    EXPECT_EQ(provider_->charges.size(), 3u);
    auto const page = call("POST", "/v1/campaigns/saison-2/pledges/" + fixed + "/payment-method");
    ASSERT_EQ(page.status, 200u) << page.body;
    EXPECT_EQ(parse(page).at("checkoutUrl"),
              "https://checkout.example/c/sluice-pledge-" + fixed + "-method-1");
    EXPECT_EQ(provider_->checkouts.back().mode, checkout_request::kind::setup);
    ASSERT_EQ(method_saved(fixed, "pm_new_card").status, 200u);
    charge_all(settings);
    ASSERT_EQ(provider_->charges.size(), 4u);
    EXPECT_EQ(provider_->charges.back().payment_method, "pm_new_card");
    EXPECT_EQ(provider_->charges.back().idempotency_key, "sluice-charge-" + fixed + "-2");
    EXPECT_EQ(status_of(fixed).at("state"), "charged");
    EXPECT_TRUE(status_of(fixed).contains("token"));

    // The other is tried every day until the grace period ends, then it has failed for good.
    for (int day = 1; day <= 8; ++day) {
        now_ += std::chrono::hours(24);
        charge_all(settings);
    }
    EXPECT_EQ(status_of(never).at("state"), "failed");
    EXPECT_FALSE(status_of(never).contains("token"));
    auto const tries = std::count_if(provider_->charges.begin(), provider_->charges.end(),
                                     [](auto const& c) { return c.payment_method == "pm_needs_action"; });
    EXPECT_EQ(tries, 7); // the first, then one a day while the seven days last
    EXPECT_EQ(code_of(call("POST", "/v1/campaigns/saison-2/pledges/" + never + "/payment-method")),
              "pledge_not_updatable");
    EXPECT_EQ(code_of(call("POST", "/v1/campaigns/saison-2/pledges/" + fine + "/payment-method")),
              "pledge_not_updatable");
}

TEST_P(GatePledges, ABackerWhoseChargeFailedIsToldByMailWithAPageThatSavesAnotherCard) {
    auto const id = confirmed_pledge("key-a", "pm_declines");
    confirmed_pledge("key-b", "pm_b");
    confirmed_pledge("key-c", "pm_c");
    auto const done =
        webhook(sluice::testing::stripe_event("evt_done", "checkout.session.completed",
                                              {{"object", "checkout.session"},
                                               {"mode", "setup"},
                                               {"customer_details", {{"email", "Ada@Example.ORG"}}},
                                               {"metadata", {{"sluice_pledge", id}}}}));
    ASSERT_EQ(done.status, 200u) << done.body;
    provider_->outcome_by_method["pm_declines"] = charge_outcome::status::declined;
    std::error_code ec;
    ASSERT_EQ(store_->close_campaign("saison-2", unix_now(), ec), "funded");
    charge_all();
    ASSERT_EQ(status_of(id).at("state"), "charge_failed");
    boost::asio::io_context io;
    tell_backers_of_failed_charges(*ctx_, io.get_executor(),
                                   {{"sluice-charge-" + id + "-1", id, "declined", "", ""}});
    io.run();
    auto const [to, code] = last_mail();
    EXPECT_EQ(to, "Ada@example.org");
    std::ifstream in(std::filesystem::directory_iterator(outbox_)->path());
    std::string const text{std::istreambuf_iterator<char>(in), {}};
    EXPECT_NE(text.find("the funds are insufficient"), std::string::npos) << text;
    EXPECT_NE(text.find("https://gate.example/pledges/saison-2/" + id + "/payment-method"), std::string::npos)
        << text;
    EXPECT_NE(text.find("Until 2026-05-27T00:00:00Z"), std::string::npos) << text;
    // The link: a page of the provider that saves another card, reached by a redirect.
    auto const page = call("GET", "/pledges/saison-2/" + id + "/payment-method");
    EXPECT_EQ(page.status, 303u);
    EXPECT_EQ(header(page, "Location"), "https://checkout.example/c/sluice-pledge-" + id + "-method-1");
    EXPECT_EQ(call("GET", "/pledges/saison-2/nope/payment-method").status, 404u);
}

TEST_P(GatePledges, AChargeWhoseAnswerIsLostIsAskedAgainWithTheSameKey) {
    auto const id = confirmed_pledge("key-a", "pm_a");
    for (int i = 1; i < 3; ++i) {
        confirmed_pledge("key-" + std::to_string(i), "pm_" + std::to_string(i));
    }
    std::error_code ec;
    ASSERT_EQ(store_->close_campaign("saison-2", unix_now(), ec), "funded");
    provider_->fail_charges = provider_failure::transient;
    charge_run_settings settings;
    settings.unknown_retry = std::chrono::milliseconds(50);
    charge_all(settings);
    ASSERT_GE(provider_->charges.size(), 6u); // each asked at least twice
    EXPECT_EQ(status_of(id).at("state"), "charging");
    // The gate restarts: the charge still unsettled is sent again under its first key, and settles.
    provider_->fail_charges = provider_failure::none;
    auto const before = provider_->charges.size();
    charge_all(settings);
    EXPECT_EQ(status_of(id).at("state"), "charged");
    std::set<std::string> keys;
    for (std::size_t i = 0; i < provider_->charges.size(); ++i) {
        keys.insert(provider_->charges[i].idempotency_key);
    }
    EXPECT_EQ(keys.size(), 3u) << "a charge of unknown outcome must never get a second key";
    EXPECT_GT(provider_->charges.size(), before);
    // A webhook settling a charge already settled by its answer changes nothing.
    auto const key = "sluice-charge-" + id + "-1";
    auto const late = webhook(
        sluice::testing::stripe_event("evt_late", "payment_intent.payment_failed",
                                      {{"id", "pi_" + key},
                                       {"object", "payment_intent"},
                                       {"status", "requires_payment_method"},
                                       {"metadata", {{"sluice_charge", key}, {"sluice_pledge", id}}}}));
    ASSERT_EQ(late.status, 200u) << late.body;
    EXPECT_EQ(parse(late).at("ignored"), true);
    EXPECT_EQ(status_of(id).at("state"), "charged");
}

TEST_P(GatePledges, CancelledUntilTheDeadlineThenAFailedCampaignReleasesEverySavedMethod) {
    auto const a = confirmed_pledge("key-a", "pm_a");
    auto const b = confirmed_pledge("key-b", "pm_b");
    auto const cancelled = call("POST", "/v1/campaigns/saison-2/pledges/" + b + "/cancel");
    ASSERT_EQ(cancelled.status, 200u) << cancelled.body;
    EXPECT_EQ(parse(cancelled).at("state"), "cancelled");
    EXPECT_EQ(open_receipt(parse(cancelled).at("receipt").get<std::string>(), bundle_.gate).at("kind"),
              "cancellation");
    EXPECT_EQ(call("POST", "/v1/campaigns/saison-2/pledges/" + b + "/cancel").status, 200u);
    EXPECT_EQ(code_of(call("POST", "/v1/campaigns/saison-2/pledges/nope/cancel")), "pledge_not_found");
    EXPECT_EQ(parse(call("GET", "/v1/campaigns/saison-2")).at("backers"), 1);
    // A method saved for a cancelled pledge does not bring it back.
    EXPECT_EQ(parse(method_saved(b, "pm_b2")).at("ignored"), true);
    EXPECT_EQ(status_of(b).at("state"), "cancelled");

    // The deadline passes: the first request to look closes the campaign, short of its goal.
    now_ = std::chrono::sys_days{std::chrono::year{2026} / 6 / 1};
    auto const progress = parse(call("GET", "/v1/campaigns/saison-2"));
    EXPECT_EQ(progress.at("state"), "failed");
    EXPECT_EQ(progress.at("secondsLeft"), 0);
    auto const status = status_of(a);
    EXPECT_EQ(status.at("state"), "released");
    EXPECT_FALSE(status.contains("token"));
    auto const release = open_receipt(status.at("release").get<std::string>(), bundle_.gate);
    EXPECT_EQ(release.at("kind"), "release");
    EXPECT_EQ(release.at("pledgeId"), a);
    EXPECT_FALSE(status_of(b).contains("release"));
    EXPECT_EQ(code_of(pledge("key-c", device_body())), "campaign_closed");
    EXPECT_EQ(code_of(call("POST", "/v1/campaigns/saison-2/pledges/" + a + "/cancel")), "campaign_closed");
    // Nothing is charged; both saved methods are forgotten at the provider, once.
    charge_all();
    charge_all();
    EXPECT_TRUE(provider_->charges.empty());
    std::sort(provider_->releases.begin(), provider_->releases.end());
    EXPECT_EQ(provider_->releases, (std::vector<std::string>{"pm_a", "pm_b"}));
    std::error_code ec;
    EXPECT_EQ(store_->count_unlocks("saison-2-bundle", ec), 0u);
}

// A campaign of two tiers: "season" unlocks the first film and receives no delivery; "collector" unlocks
// both films, receives the later bundle, and has one place.
class GateTiers : public GatePledges {
protected:
    void SetUp() override {
        GatePledges::SetUp();
        tiered_ = tiered_bundle("tiered-bundle");
        auto& p = *tiered_.manifest.gates.pledge;
        protocol::pledge_tier season;
        season.id = "season";
        season.title = "The season";
        season.price = 1500;
        season.items = std::vector<std::string>{"episode-1.webm.locked"};
        season.deliveries = std::vector<std::string>{};
        protocol::pledge_tier collector;
        collector.id = "collector";
        collector.title = "The season and its making-of";
        collector.price = 4000;
        collector.limit = 1;
        p.tiers = {season, collector};
        p.price = 1500;
        put(tiered_);
        extra_ = tiered_bundle("tiered-extra");
        put(extra_);
        std::error_code ec;
        store_->ensure_campaign({"tiered", tiered_.manifest.id, 2, std::nullopt, 1500, "EUR", p.deadline_unix,
                                 p.expected_delivery, p.if_goal_missed, "open", std::nullopt, p.tiers},
                                ec);
        ASSERT_FALSE(ec);
    }

    testing::test_bundle tiered_bundle(std::string id) {
        auto b = testing::make_test_bundle(std::move(id));
        b.gate = bundle_.gate;
        auto& m = b.manifest;
        m.gate_keys = {bundle_.gate.public_key};
        m.gates.email.reset();
        m.items[1].gate = protocol::gate_kind::pledge;
        b.keys.items[0].gate = protocol::gate_kind::pledge;
        auto making_of = m.items[1];
        making_of.path = "making-of.webm.locked";
        m.items.push_back(making_of);
        b.keys.items.push_back({making_of.path, protocol::generate_item_key(), protocol::gate_kind::pledge});
        m.gates.pledge = test_pledge_gate("tiered", 2);
        return b;
    }

    gate_response tier_pledge(std::string const& key, json body) {
        gate_request req{"POST", "/v1/campaigns/tiered/pledges", body.dump(), "192.0.2.1", {}};
        req.headers.emplace_back("idempotency-key", key);
        return handle_request(*ctx_, req);
    }
    json in_tier(std::string const& tier, std::optional<std::uint64_t> amount = std::nullopt) const {
        auto body = device_body(amount);
        body["tier"] = tier;
        return body;
    }
    gate_response saved(std::string const& pledge_id, std::string const& method) {
        return webhook(sluice::testing::stripe_event(
            "evt_saved_" + method, "setup_intent.succeeded",
            {{"id", "seti_" + method},
             {"object", "setup_intent"},
             {"status", "succeeded"},
             {"customer", "cus_" + pledge_id},
             {"payment_method", method},
             {"metadata", {{"sluice_pledge", pledge_id}, {"sluice_campaign", "tiered"}}}}));
    }
    json tier_status(std::string const& id) {
        return parse(call("GET", "/v1/campaigns/tiered/pledges/" + id));
    }
    json tier_of(json const& progress, std::string const& id) {
        for (auto const& t : progress.at("tiers")) {
            if (t.at("id") == id) {
                return t;
            }
        }
        ADD_FAILURE() << "no tier " << id << " in " << progress.dump();
        return {};
    }

    testing::test_bundle tiered_;
    testing::test_bundle extra_;
};

TEST_P(GateTiers, EachTierChargesItsPriceUnlocksItsItemsAndFillsUpAtItsLimit) {
    auto progress = parse(call("GET", "/v1/campaigns/tiered"));
    ASSERT_EQ(progress.at("tiers").size(), 2u);
    EXPECT_EQ(progress.at("price"), 1500);
    EXPECT_EQ(tier_of(progress, "collector").at("left"), 1);
    EXPECT_EQ(tier_of(progress, "collector").at("backers"), 0);
    EXPECT_FALSE(tier_of(progress, "season").contains("left"));
    // A single-price campaign is one tier of everything.
    auto const single = parse(call("GET", "/v1/campaigns/saison-2")).at("tiers");
    ASSERT_EQ(single.size(), 1u);
    EXPECT_EQ(single[0], json::parse(R"({"id":"pledge","title":"Pledge","price":1500,"backers":0})"));

    // Several tiers: the backer names one, at its price or more.
    EXPECT_EQ(code_of(tier_pledge("k-none", device_body())), "unknown_tier");
    EXPECT_EQ(code_of(tier_pledge("k-bad", in_tier("platinum"))), "unknown_tier");
    EXPECT_EQ(code_of(tier_pledge("k-low", in_tier("collector", 3999))), "amount_too_low");
    auto const first = tier_pledge("k-season", in_tier("season"));
    ASSERT_EQ(first.status, 201u) << first.body;
    EXPECT_EQ(parse(first).at("tier"), "season");
    EXPECT_EQ(parse(first).at("amount"), 1500);
    auto const season = parse(first).at("pledgeId").get<std::string>();
    // Pending pledges hold no place: two backers are on the provider's page for the one collector place.
    auto const c1 = parse(tier_pledge("k-c1", in_tier("collector"))).at("pledgeId").get<std::string>();
    auto const c2 = parse(tier_pledge("k-c2", in_tier("collector"))).at("pledgeId").get<std::string>();
    EXPECT_EQ(tier_status(c1).at("amount"), 4000);
    // The same key for another tier is another request.
    EXPECT_EQ(code_of(tier_pledge("k-c1", in_tier("season"))), "idempotency_key_reused");

    ASSERT_EQ(saved(season, "pm_season").status, 200u);
    ASSERT_EQ(saved(c1, "pm_c1").status, 200u);
    ASSERT_EQ(saved(c2, "pm_c2").status, 200u);
    EXPECT_EQ(tier_status(c1).at("state"), "confirmed");
    auto const late = tier_status(c2);
    EXPECT_EQ(late.at("state"), "released");
    EXPECT_EQ(late.at("reason"), "tier_sold_out");
    EXPECT_TRUE(late.contains("release"));
    progress = parse(call("GET", "/v1/campaigns/tiered"));
    EXPECT_EQ(progress.at("backers"), 2);
    EXPECT_EQ(progress.at("amount"), 5500);
    EXPECT_EQ(tier_of(progress, "collector").at("left"), 0);
    EXPECT_EQ(tier_of(progress, "season").at("backers"), 1);
    // A full tier takes no new pledge; the one made before it filled is still answered as it was.
    EXPECT_EQ(code_of(tier_pledge("k-c3", in_tier("collector"))), "tier_sold_out");
    auto const replay = tier_pledge("k-c2", in_tier("collector"));
    EXPECT_EQ(replay.status, 201u);
    EXPECT_EQ(parse(replay).at("pledgeId"), c2);

    std::error_code ec;
    ASSERT_EQ(store_->close_campaign("tiered", unix_now(), ec), "funded");
    charge_all();
    std::map<std::string, std::uint64_t> charged;
    for (auto const& c : provider_->charges) {
        charged[c.payment_method] = c.amount;
    }
    EXPECT_EQ(charged, (std::map<std::string, std::uint64_t>{{"pm_season", 1500}, {"pm_c1", 4000}}));
    // The sold-out backer's card is forgotten at the provider, never charged.
    EXPECT_NE(std::find(provider_->releases.begin(), provider_->releases.end(), "pm_c2"),
              provider_->releases.end());

    admin_outcome const delivered = deliver_bundle(*store_, "tiered", "tiered-extra", unix_now());
    ASSERT_TRUE(delivered.done()) << delivered.message;
    auto const items_of = [&](json const& status, testing::test_bundle const& b) {
        auto const verified = verify(status.at("token").get<std::string>(), b);
        EXPECT_TRUE(verified) << verified.detail;
        std::set<std::string> paths;
        for (auto const& [path, key] : verified.token.item_keys) {
            paths.insert(path);
        }
        return paths;
    };
    auto const s = tier_status(season);
    EXPECT_EQ(s.at("state"), "charged");
    EXPECT_EQ(items_of(s, tiered_), std::set<std::string>{"episode-1.webm.locked"});
    EXPECT_EQ(s.at("deliveries"), json::array());
    auto const c = tier_status(c1);
    EXPECT_EQ(items_of(c, tiered_),
              (std::set<std::string>{"episode-1.webm.locked", "making-of.webm.locked"}));
    ASSERT_EQ(c.at("deliveries").size(), 1u);
    EXPECT_EQ(c.at("deliveries")[0].at("bundleId"), "tiered-extra");
    EXPECT_EQ(items_of(c.at("deliveries")[0], extra_).size(), 2u);

    auto const ledger = *campaign_ledger(*store_, "tiered", ec);
    ASSERT_EQ(ledger.at("tiers").size(), 2u);
    EXPECT_EQ(ledger.at("charged"), json::parse(R"({"count":2,"amount":5500})"));
    EXPECT_EQ(ledger.at("tiers")[0].at("id"), "season");
    EXPECT_EQ(ledger.at("tiers")[0].at("charged"), json::parse(R"({"count":1,"amount":1500})"));
    EXPECT_EQ(ledger.at("tiers")[1].at("charged"), json::parse(R"({"count":1,"amount":4000})"));
    EXPECT_EQ(ledger.at("tiers")[1].at("released"), json::parse(R"({"count":1,"amount":4000})"));
}

TEST_P(GatePledges, ForgedStaleAndUnknownWebhooksChangeNothing) {
    auto const id = parse(pledge("key-a", device_body())).at("pledgeId").get<std::string>();
    auto const body = sluice::testing::stripe_event("evt_1", "setup_intent.succeeded",
                                                    {{"id", "seti_1"},
                                                     {"object", "setup_intent"},
                                                     {"customer", "cus_1"},
                                                     {"payment_method", "pm_1"},
                                                     {"metadata", {{"sluice_pledge", id}}}});
    auto const t = unix_now();
    EXPECT_EQ(code_of(call_with("POST", "/v1/payments/webhook", body, {})), "invalid_signature_header");
    EXPECT_EQ(
        code_of(call_with("POST", "/v1/payments/webhook", body,
                          {{"sluice-signature", sluice::testing::provider_signature(secret, body, t)}})),
        "invalid_signature_header");
    EXPECT_EQ(code_of(webhook(body, t - 301)), "signature_expired");
    EXPECT_EQ(code_of(webhook(body, t + 301)), "signature_expired");
    EXPECT_EQ(code_of(webhook(body, t, "whsec_someone_else_entirely")), "invalid_signature");
    EXPECT_EQ(
        code_of(call_with("POST", "/v1/payments/webhook", body + " ",
                          {{"stripe-signature", sluice::testing::provider_signature(secret, body, t)}})),
        "invalid_signature");
    EXPECT_EQ(status_of(id).at("state"), "pending");
    // Signed, but not an event of the provider's.
    EXPECT_EQ(code_of(webhook("{\"id\":\"evt\"}")), "invalid_request");
    EXPECT_EQ(code_of(webhook("[1,2")), "invalid_request");
    // An event the gate does not act on is acknowledged, so the provider stops sending it.
    auto const other = webhook(sluice::testing::stripe_event("evt_2", "customer.created", {{"id", "cus_1"}}));
    EXPECT_EQ(other.status, 200u);
    EXPECT_EQ(parse(other).at("ignored"), true);
    // A method saved for no pledge of this gate.
    EXPECT_EQ(parse(method_saved("AAAAAAAAAAAAAAAAAAAAAA", "pm_x")).at("ignored"), true);
    // At the window's edge the signature still counts.
    EXPECT_EQ(webhook(body, t - 300).status, 200u);
    EXPECT_EQ(status_of(id).at("state"), "confirmed");
}

} // namespace
} // namespace sluice::gate

namespace sluice::gate {
namespace {

// A bundle whose locked item is paid for, through the provider's one-off checkout.
class GatePayments : public GatePledges {
protected:
    void SetUp() override {
        GatePledges::SetUp();
        paid_ = testing::make_test_bundle("paid-bundle");
        paid_.manifest.items[1].gate = protocol::gate_kind::pay;
        paid_.manifest.gates.email.reset();
        paid_.manifest.gates.pay = protocol::pay_gate{300, 500, "EUR"};
        paid_.keys.items[0].gate = protocol::gate_kind::pay;
        paid_.gate = bundle_.gate;
        paid_.manifest.gate_keys = {bundle_.gate.public_key};
        put(paid_);
    }

    json pay_body(std::uint64_t amount = 500, std::string currency = "EUR") const {
        return json{{"device", protocol::encode_public_key("x25519", device_.public_key)},
                    {"amount", amount},
                    {"currency", std::move(currency)}};
    }

    gate_response pay(std::string const& key, json const& body, std::string const& bundle = "paid-bundle") {
        std::vector<std::pair<std::string, std::string>> headers;
        if (!key.empty()) {
            headers.emplace_back("idempotency-key", key);
        }
        return call_with("POST", "/v1/bundles/" + bundle + "/unlock/pay", body.dump(), headers);
    }

    std::string new_payment(std::string const& key = "pay-1") {
        auto const r = pay(key, pay_body());
        EXPECT_EQ(r.status, 201u) << r.body;
        return parse(r).at("paymentId").get<std::string>();
    }

    // The provider's news about a payment's checkout: paid (`checkout.session.completed`) or expired.
    gate_response event(std::string const& event_id, bool paid, std::string const& payment_id) {
        return webhook(sluice::testing::stripe_event(
            event_id, paid ? "checkout.session.completed" : "checkout.session.expired",
            {{"id", "cs_" + payment_id},
             {"object", "checkout.session"},
             {"mode", "payment"},
             {"payment_status", paid ? "paid" : "unpaid"},
             {"payment_intent", paid ? json("pi_" + payment_id) : json(nullptr)},
             {"metadata", {{"sluice_payment", payment_id}}}}));
    }

    testing::test_bundle paid_;
};

TEST_P(GatePayments, OnePendingPaymentPerIdempotencyKeyWithTheProvidersCheckout) {
    auto const first = pay("pay-1", pay_body(650));
    ASSERT_EQ(first.status, 201u) << first.body;
    auto const answer = parse(first);
    auto const id = answer.at("paymentId").get<std::string>();
    EXPECT_TRUE(std::regex_match(id, std::regex("[A-Za-z0-9_-]{22}"))) << id;
    EXPECT_EQ(answer, (json{{"paymentId", id},
                            {"bundleId", "paid-bundle"},
                            {"state", "pending"},
                            {"amount", 650},
                            {"currency", "EUR"},
                            {"checkoutUrl", "https://checkout.example/c/sluice-pay-" + id}}));
    // The provider learnt the amount, the currency and what is bought.
    ASSERT_EQ(provider_->checkouts.size(), 1u);
    auto const& asked = provider_->checkouts[0];
    EXPECT_EQ(asked.mode, checkout_request::kind::payment);
    EXPECT_EQ(asked.amount, 650u);
    EXPECT_EQ(asked.currency, "EUR");
    EXPECT_NE(asked.description.find(paid_.manifest.title), std::string::npos);
    EXPECT_EQ(asked.references, (std::vector<std::pair<std::string, std::string>>{{"sluice_payment", id}}));
    auto const retry = pay("pay-1", pay_body(650));
    EXPECT_EQ(retry.status, 201u);
    EXPECT_EQ(retry.body, first.body);
    EXPECT_EQ(header(retry, "Idempotent-Replayed"), "true");
    EXPECT_EQ(provider_->checkouts.size(), 1u);
    auto const other = pay("pay-1", pay_body(700));
    EXPECT_EQ(other.status, 422u);
    EXPECT_EQ(code_of(other), "idempotency_key_reused");

    auto const status = call("GET", "/v1/payments/" + id);
    ASSERT_EQ(status.status, 200u) << status.body;
    EXPECT_EQ(parse(status), (json{{"paymentId", id},
                                   {"bundleId", "paid-bundle"},
                                   {"state", "pending"},
                                   {"amount", 650},
                                   {"currency", "EUR"}}));
    // A provider that fails leaves the payment to a retry under the same key.
    provider_->fail_next_checkout = provider_failure::rejected;
    EXPECT_EQ(code_of(pay("pay-2", pay_body())), "payment_provider_failed");
    EXPECT_EQ(pay("pay-2", pay_body()).status, 201u);
}

TEST_P(GatePayments, PayRequestsThatAreRefused) {
    EXPECT_EQ(code_of(pay("", pay_body())), "idempotency_key_required");
    EXPECT_EQ(code_of(pay("with space", pay_body())), "idempotency_key_required");
    auto const low = pay("k", pay_body(299));
    EXPECT_EQ(low.status, 400u);
    EXPECT_EQ(code_of(low), "amount_too_low");
    EXPECT_EQ(pay("k-min", pay_body(300)).status, 201u);
    auto const currency = pay("k", pay_body(500, "USD"));
    EXPECT_EQ(currency.status, 400u);
    EXPECT_EQ(code_of(currency), "currency_mismatch");
    EXPECT_EQ(code_of(pay("k", json{{"device", "x25519:AAAA"}, {"amount", 500}, {"currency", "EUR"}})),
              "invalid_device");
    EXPECT_EQ(code_of(pay("k", json{{"amount", 500}, {"currency", "EUR"}})), "invalid_request");
    EXPECT_EQ(code_of(pay("k", json{{"device", "x"}, {"amount", -1}, {"currency", "EUR"}})),
              "invalid_request");
    EXPECT_EQ(code_of(pay("k", json{{"device", "x"}, {"amount", "5"}, {"currency", "EUR"}})),
              "invalid_request");
    auto extra = pay_body();
    extra["tip"] = 1;
    EXPECT_EQ(code_of(pay("k", extra)), "invalid_request");
    auto const unknown = pay("k", pay_body(), "no-such-bundle");
    EXPECT_EQ(unknown.status, 404u);
    EXPECT_EQ(code_of(unknown), "bundle_not_found");
    // les-veilleurs unlocks by email only.
    auto const not_offered = pay("k", pay_body(), "les-veilleurs");
    EXPECT_EQ(not_offered.status, 404u);
    EXPECT_EQ(code_of(not_offered), "gate_not_offered");

    auto untrusted = testing::make_test_bundle("untrusted-pay");
    untrusted.manifest.items[1].gate = protocol::gate_kind::pay;
    untrusted.manifest.gates.email.reset();
    untrusted.manifest.gates.pay = protocol::pay_gate{100, std::nullopt, "EUR"};
    untrusted.keys.items[0].gate = protocol::gate_kind::pay;
    put(untrusted);
    auto const misconfigured = pay("k", pay_body(), "untrusted-pay");
    EXPECT_EQ(misconfigured.status, 503u);
    EXPECT_EQ(code_of(misconfigured), "gate_misconfigured");

    EXPECT_EQ(code_of(call("GET", "/v1/payments/AAAAAAAAAAAAAAAAAAAAAA")), "payment_not_found");
    EXPECT_EQ(call("GET", "/v1/payments/not-a-payment-id").status, 404u);
    EXPECT_EQ(code_of(call("GET", "/v1/payments/not-a-payment-id")), "payment_not_found");
    EXPECT_EQ(call("POST", "/v1/payments/AAAAAAAAAAAAAAAAAAAAAA").status, 405u);
    EXPECT_EQ(header(call("GET", "/v1/payments/webhook"), "Allow"), "POST");
    EXPECT_EQ(header(call("GET", "/v1/bundles/paid-bundle/unlock/pay"), "Allow"), "POST");
}

TEST_P(GatePayments, WithoutAProviderPaymentsAre503) {
    auto const id = new_payment();
    ctx_->payments.reset();
    auto const r = pay("pay-2", pay_body());
    EXPECT_EQ(r.status, 503u);
    EXPECT_EQ(code_of(r), "payments_unavailable");
    auto const hook = event("evt_1", true, id);
    EXPECT_EQ(hook.status, 503u);
    EXPECT_EQ(code_of(hook), "payments_unavailable");
    // What was recorded stays readable.
    EXPECT_EQ(parse(call("GET", "/v1/payments/" + id)).at("state"), "pending");
}

TEST_P(GatePayments, APaidCheckoutPaysOnceAndTheTokenIsIssuedOnce) {
    auto const id = new_payment();
    auto const first = event("evt_1", true, id);
    ASSERT_EQ(first.status, 200u) << first.body;
    EXPECT_EQ(parse(first), json::parse(R"({"received":true})"));
    auto const again = event("evt_1", true, id);
    EXPECT_EQ(again.status, 200u);
    EXPECT_EQ(parse(again), json::parse(R"({"received":true,"duplicate":true})"));

    auto const status = parse(call("GET", "/v1/payments/" + id));
    EXPECT_EQ(status.at("state"), "paid");
    auto const token = status.at("token").get<std::string>();
    auto const verified = verify(token, paid_);
    ASSERT_TRUE(verified) << protocol::to_string(verified.problem) << ": " << verified.detail;
    EXPECT_EQ(verified.token.grantee.kind, protocol::grantee_kind::payment);
    EXPECT_EQ(verified.token.grantee.ref, id);
    ASSERT_EQ(verified.token.item_keys.size(), 1u);
    EXPECT_EQ(verified.token.item_keys.at("episode-1.webm.locked"), paid_.keys.items[0].key);
    EXPECT_EQ(parse(call("GET", "/v1/payments/" + id)).at("token"), token);
    std::error_code ec;
    EXPECT_EQ(store_->count_unlocks("paid-bundle", ec), 1u);
    // The same news under another event id changes nothing, and is not a conflict.
    EXPECT_EQ(event("evt_2", true, id).status, 200u);
    EXPECT_EQ(store_->stats(ec).payments.paid, 1u);
    // An unpaid completion (an asynchronous method still running) is not a payment.
    auto const other = new_payment("pay-2");
    auto const unpaid = webhook(sluice::testing::stripe_event("evt_3", "checkout.session.completed",
                                                              {{"object", "checkout.session"},
                                                               {"mode", "payment"},
                                                               {"payment_status", "unpaid"},
                                                               {"metadata", {{"sluice_payment", other}}}}));
    EXPECT_EQ(parse(unpaid).at("ignored"), true);
    EXPECT_EQ(parse(call("GET", "/v1/payments/" + other)).at("state"), "pending");
}

TEST_P(GatePayments, ASettledPaymentDoesNotChangeSides) {
    auto const paid = new_payment("pay-a");
    ASSERT_EQ(event("evt_a1", true, paid).status, 200u);
    auto const conflict = event("evt_a2", false, paid);
    EXPECT_EQ(conflict.status, 409u);
    EXPECT_EQ(code_of(conflict), "payment_state_conflict");
    EXPECT_EQ(parse(call("GET", "/v1/payments/" + paid)).at("state"), "paid");

    auto const failed = new_payment("pay-b");
    ASSERT_EQ(event("evt_b1", false, failed).status, 200u);
    auto const failed_status = parse(call("GET", "/v1/payments/" + failed));
    EXPECT_EQ(failed_status.at("state"), "failed");
    EXPECT_FALSE(failed_status.contains("token"));
    EXPECT_EQ(code_of(event("evt_b2", true, failed)), "payment_state_conflict");
    EXPECT_EQ(parse(call("GET", "/v1/payments/" + failed)).at("state"), "failed");
    auto const unknown = event("evt_9", true, "AAAAAAAAAAAAAAAAAAAAAA");
    EXPECT_EQ(unknown.status, 404u);
    EXPECT_EQ(code_of(unknown), "payment_not_found");
}

// The admin endpoints and the deliveries they publish, on the pledge fixture's campaign.
class GateAdmin : public GatePledges {
protected:
    static constexpr char const* token = "0123456789abcdef0123456789abcdef";

    void SetUp() override {
        GatePledges::SetUp();
        ctx_->admin_token = token;
    }

    gate_response admin(std::string const& method, std::string const& path, std::string const& body = {},
                        std::optional<std::string> authorization = std::string("Bearer ") + token) {
        std::vector<std::pair<std::string, std::string>> headers;
        if (authorization) {
            headers.emplace_back("authorization", *authorization);
        }
        return call_with(method, "/v1/admin/" + path, body, headers);
    }

    // Another bundle of the saison-2 campaign (or of `campaign`), its item locked by the pledge gate.
    testing::test_bundle episode(std::string const& id, std::string const& campaign = "saison-2") {
        auto b = testing::make_test_bundle(id);
        b.manifest.items[1].gate = protocol::gate_kind::pledge;
        b.manifest.gates.email.reset();
        auto p = *pledge_bundle_.manifest.gates.pledge;
        p.campaign_id = campaign;
        b.manifest.gates.pledge = p;
        b.keys.items[0].gate = protocol::gate_kind::pledge;
        b.gate = bundle_.gate;
        b.manifest.gate_keys = {bundle_.gate.public_key};
        put(b);
        return b;
    }
};

TEST_P(GateAdmin, WithoutATokenConfiguredThereIsNoAdmin) {
    ctx_->admin_token.clear();
    for (auto const* path : {"stats", "campaigns/saison-2/close", "whatever"}) {
        auto const r = admin("GET", path);
        EXPECT_EQ(r.status, 404u) << path;
        EXPECT_EQ(code_of(r), "not_found");
    }
    EXPECT_EQ(code_of(admin("POST", "campaigns/saison-2/close", "", "Bearer ")), "not_found");
}

TEST_P(GateAdmin, EveryPathNeedsTheToken) {
    for (auto const& authorization : std::vector<std::optional<std::string>>{
             std::nullopt, "", "Bearer", "Bearer 0123456789abcdef0123456789abcdeX",
             "Bearer 0123456789abcdef0123456789abcdef0",
             "Basic MDEyMzQ1Njc4OWFiY2RlZg==", "0123456789abcdef0123456789abcdef"}) {
        for (auto const* path : {"stats", "campaigns/saison-2/close", "nothing/here"}) {
            auto const r = admin("POST", path, "", authorization);
            EXPECT_EQ(r.status, 401u) << path << " " << authorization.value_or("(none)");
            EXPECT_EQ(code_of(r), "unauthorized");
            EXPECT_EQ(header(r, "WWW-Authenticate"), "Bearer");
        }
    }
    // Nothing was closed by the refused requests.
    EXPECT_EQ(parse(call("GET", "/v1/campaigns/saison-2")).at("state"), "open");
    auto const stats = admin("GET", "stats");
    ASSERT_EQ(stats.status, 200u) << stats.body;
    EXPECT_EQ(parse(stats).at("campaigns").at(0).at("state"), "open");
    EXPECT_EQ(parse(stats).at("payments"), json::parse(R"({"pending":0,"paid":0,"failed":0})"));
    EXPECT_EQ(admin("POST", "stats").status, 405u);
    EXPECT_EQ(header(admin("GET", "campaigns/saison-2/close"), "Allow"), "POST");
    EXPECT_EQ(code_of(admin("GET", "nothing/here")), "not_found");
}

TEST_P(GateAdmin, CloseAndDeliverAsTheCommandLineDoes) {
    EXPECT_EQ(code_of(admin("POST", "campaigns/nope/close")), "campaign_not_found");
    auto const ep2 = episode("saison-2-ep2");
    auto const deliver = [&](std::string const& campaign, std::string const& bundle) {
        return admin("POST", "campaigns/" + campaign + "/deliveries", json{{"bundleId", bundle}}.dump());
    };
    auto const open = deliver("saison-2", "saison-2-ep2");
    EXPECT_EQ(open.status, 409u);
    EXPECT_EQ(code_of(open), "campaign_open");
    std::vector<std::string> pledges;
    for (int i = 0; i < 3; ++i) {
        pledges.push_back(confirmed_pledge("key-" + std::to_string(i), "pm_" + std::to_string(i)));
    }
    auto const closed = admin("POST", "campaigns/saison-2/close");
    ASSERT_EQ(closed.status, 200u) << closed.body;
    EXPECT_EQ(parse(closed),
              json::parse(R"({"campaignId":"saison-2","state":"funded","backers":3,"amount":4500})"));

    EXPECT_EQ(code_of(deliver("nope", "saison-2-ep2")), "campaign_not_found");
    EXPECT_EQ(code_of(deliver("saison-2", "no-such-bundle")), "bundle_not_found");
    EXPECT_EQ(code_of(deliver("saison-2", "les-veilleurs")), "campaign_mismatch");
    episode("other-campaign-ep", "other-campaign");
    EXPECT_EQ(deliver("saison-2", "other-campaign-ep").status, 409u);
    EXPECT_EQ(code_of(admin("POST", "campaigns/saison-2/deliveries", "{}")), "invalid_request");

    auto const delivered = deliver("saison-2", "saison-2-ep2");
    ASSERT_EQ(delivered.status, 201u) << delivered.body;
    auto const delivery = parse(delivered);
    EXPECT_EQ(delivery.at("campaignId"), "saison-2");
    EXPECT_EQ(delivery.at("bundleId"), "saison-2-ep2");
    EXPECT_EQ(delivery.at("version"), 1);
    EXPECT_EQ(delivery.at("magnet"), ep2.stored().magnet);
    EXPECT_EQ(delivery.at("publishedAt"), "2026-05-20T00:00:00Z");
    auto const again = deliver("saison-2", "saison-2-ep2");
    EXPECT_EQ(again.status, 200u);
    EXPECT_EQ(again.body, delivered.body);

    auto const progress = parse(call("GET", "/v1/campaigns/saison-2"));
    EXPECT_EQ(progress.at("deliveries"), json::array({json{{"bundleId", "saison-2-ep2"},
                                                           {"version", 1},
                                                           {"magnet", delivery.at("magnet")},
                                                           {"publishedAt", "2026-05-20T00:00:00Z"}}}));

    // Each charged pledger's status carries a token for the delivery, issued once, sealed to its device.
    charge_all();
    auto const ledger = admin("GET", "campaigns/saison-2/ledger");
    ASSERT_EQ(ledger.status, 200u) << ledger.body;
    EXPECT_EQ(parse(ledger).at("charged"), json::parse(R"({"count":3,"amount":4500})"));
    EXPECT_EQ(parse(ledger).at("net"), 4500);
    EXPECT_EQ(code_of(admin("GET", "campaigns/nope/ledger")), "campaign_not_found");
    std::error_code ec;
    for (auto const& id : pledges) {
        auto const status = parse(call("GET", "/v1/campaigns/saison-2/pledges/" + id));
        ASSERT_EQ(status.at("deliveries").size(), 1u) << status.dump();
        auto const& d = status.at("deliveries").at(0);
        EXPECT_EQ(d.at("bundleId"), "saison-2-ep2");
        EXPECT_EQ(d.at("version"), 1);
        auto const verified = verify(d.at("token").get<std::string>(), ep2);
        ASSERT_TRUE(verified) << verified.detail;
        EXPECT_EQ(verified.token.item_keys.at("episode-1.webm.locked"), ep2.keys.items[0].key);
        EXPECT_EQ(verified.token.grantee.kind, protocol::grantee_kind::pledge);
        EXPECT_EQ(verified.token.grantee.ref, id);
        EXPECT_NE(status.at("token"), d.at("token"));
        auto const again_status = parse(call("GET", "/v1/campaigns/saison-2/pledges/" + id));
        EXPECT_EQ(again_status.at("deliveries").at(0).at("token"), d.at("token"));
        EXPECT_EQ(again_status.at("token"), status.at("token"));
    }
    EXPECT_EQ(store_->count_unlocks("saison-2-ep2", ec), 3u);
    EXPECT_EQ(store_->count_unlocks("saison-2-bundle", ec), 3u);
}

TEST_P(GateAdmin, UpdatesReachTheBackersWithTheCampaign) {
    auto const posted =
        admin("POST", "campaigns/saison-2/updates",
              json{{"title", "Tournage décalé"}, {"text", "Two weeks late.\nEverything else holds."}}.dump());
    ASSERT_EQ(posted.status, 201u) << posted.body;
    auto const update = parse(posted);
    EXPECT_EQ(update.at("postedAt"), "2026-05-20T00:00:00Z");
    now_ += std::chrono::hours(1);
    ASSERT_EQ(admin("POST", "campaigns/saison-2/updates", json{{"title", "Second"}, {"text", "More."}}.dump())
                  .status,
              201u);
    auto const updates = parse(call("GET", "/v1/campaigns/saison-2")).at("updates");
    ASSERT_EQ(updates.size(), 2u);
    EXPECT_EQ(updates[0], (json{{"id", update.at("id")},
                                {"title", "Tournage décalé"},
                                {"text", "Two weeks late.\nEverything else holds."},
                                {"postedAt", "2026-05-20T00:00:00Z"}}));
    EXPECT_EQ(updates[1].at("title"), "Second");
    for (auto const& bad :
         {json{{"title", "two\nlines"}, {"text", "x"}}, json{{"title", "t"}, {"text", ""}},
          json{{"title", std::string(201, 'a')}, {"text", "x"}}, json{{"title", "t"}, {"text", "a\u0007"}},
          json{{"title", "t\u0085"}, {"text", "x"}}, json{{"title", "t"}}}) {
        EXPECT_EQ(code_of(admin("POST", "campaigns/saison-2/updates", bad.dump())), "invalid_request")
            << bad.dump();
    }
    EXPECT_EQ(code_of(admin("POST", "campaigns/nope/updates", json{{"title", "t"}, {"text", "x"}}.dump())),
              "campaign_not_found");
    EXPECT_EQ(header(admin("GET", "campaigns/saison-2/updates"), "Allow"), "POST");
    EXPECT_EQ(parse(call("GET", "/v1/campaigns/saison-2")).at("updates").size(), 2u);
}

TEST_P(GateAdmin, AFailedCampaignGetsNoDeliveries) {
    episode("saison-2-ep2");
    now_ = std::chrono::sys_days{std::chrono::year{2026} / 6 / 2};
    auto const r = admin("POST", "campaigns/saison-2/deliveries", json{{"bundleId", "saison-2-ep2"}}.dump());
    EXPECT_EQ(r.status, 409u);
    EXPECT_EQ(code_of(r), "campaign_failed");
    EXPECT_EQ(parse(call("GET", "/v1/campaigns/saison-2")).at("deliveries"), json::array());
}

INSTANTIATE_TEST_SUITE_P(Engines, GateRouter,
                         ::testing::Values(store_engine::sqlite, store_engine::postgresql), engine_name);
INSTANTIATE_TEST_SUITE_P(Engines, GatePledges,
                         ::testing::Values(store_engine::sqlite, store_engine::postgresql), engine_name);
INSTANTIATE_TEST_SUITE_P(Engines, GateTiers,
                         ::testing::Values(store_engine::sqlite, store_engine::postgresql), engine_name);
INSTANTIATE_TEST_SUITE_P(Engines, GatePayments,
                         ::testing::Values(store_engine::sqlite, store_engine::postgresql), engine_name);
INSTANTIATE_TEST_SUITE_P(Engines, GateAdmin,
                         ::testing::Values(store_engine::sqlite, store_engine::postgresql), engine_name);

} // namespace
} // namespace sluice::gate
