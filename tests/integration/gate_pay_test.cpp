// sluice-gate's pay gate and HTTPS, driven as a publisher, a host and a payment provider drive them: bundles
// made by the real sluice-bundle, imported and served by the real sluice-gate on loopback, taking payments
// through its Stripe adapter from the fake Stripe of publisher/fake-stripe (a node process): the gate asks it
// for a checkout, the test completes the checkout as the viewer's browser would, and the fake's signed
// webhooks tell the gate. Webhooks a provider should never send (forged, stale, unsigned) are made by the
// test itself, signed with OpenSSL's HMAC, not the gate's code. Tokens are checked as a host checks them.

#include "expect_schema.hpp"
#include "fake_provider.hpp"
#include "file_helpers.hpp"
#include "gate_bundle_spec.hpp"
#include "gate_fixture.hpp"
#include "host_process.hpp"
#include "http_client.hpp"
#include "wait_until.hpp"
#include "webhook_signer.hpp"

#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace sluice::testing {
namespace {

namespace fs = std::filesystem;
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
namespace ssl = asio::ssl;
using namespace std::chrono_literals;
using nlohmann::json;

// One HTTPS request that trusts exactly the certificate in `ca_file` and checks it names 127.0.0.1, as a
// browser or the host would check a gate's certificate.
reply tls_request(int port, fs::path const& ca_file, std::string const& method, std::string const& target,
                  std::string const& body = {}, headers_t const& headers = {}) {
    asio::io_context io;
    ssl::context tls(ssl::context::tls_client);
    tls.load_verify_file(ca_file.string());
    tls.set_verify_mode(ssl::verify_peer);
    beast::ssl_stream<beast::tcp_stream> stream(io, tls);
    stream.set_verify_callback(ssl::host_name_verification("127.0.0.1"));
    beast::get_lowest_layer(stream).expires_after(20s);
    beast::get_lowest_layer(stream).connect(loopback(port));
    stream.handshake(ssl::stream_base::client);
    auto req = make_request(port, method, target, body, headers);
    bhttp::write(stream, req);
    beast::flat_buffer buffer;
    bhttp::response<bhttp::string_body> res;
    bhttp::read(stream, buffer, res);
    boost::system::error_code ignored;
    stream.shutdown(ignored);
    return to_reply(res);
}

// An event about the checkout of `payment_id` in Stripe's words (what the gate reads of one), for the
// webhooks the test sends itself.
std::string checkout_event(std::string const& event_id, std::string const& type,
                           std::string const& payment_id) {
    bool const paid = type == "checkout.session.completed";
    json const checkout{{"id", "cs_test_made_by_the_test"},
                        {"object", "checkout.session"},
                        {"mode", "payment"},
                        {"status", paid ? "complete" : "expired"},
                        {"payment_status", paid ? "paid" : "unpaid"},
                        {"metadata", {{"sluice_payment", payment_id}}}};
    return json{
        {"id", event_id},    {"object", "event"}, {"api_version", "2024-06-20"},   {"created", unix_now()},
        {"livemode", false}, {"type", type},      {"data", {{"object", checkout}}}}
        .dump();
}

class SluiceGatePay : public gate_fixture {
protected:
    void SetUp() override {
        ASSERT_NO_FATAL_FAILURE(gate_fixture::SetUp());
        episode_ = random_bytes(150 * 1024 + 11, 2);
        write_file(src_ / "episode-1.webm", episode_);
        make_paid_bundle("les-veilleurs");
        auto const imported = import("les-veilleurs");
        ASSERT_EQ(imported.exit_code, 0) << imported;
    }

    // A bundle whose episode is paid for: at least 3.00 EUR, 5.00 suggested.
    void make_paid_bundle(std::string const& id, std::string const& gate_url = "https://gate.example.org/") {
        auto spec = gated_bundle_spec(id, "pay", gate_key_);
        spec["gateUrl"] = gate_url;
        make_bundle(spec);
    }

    // The provider, started the first time it is needed.
    fake_provider& provider(fake_provider::options const& opts = {}) {
        if (!provider_) {
            provider_ = std::make_unique<fake_provider>(dir_ / "provider", opts);
        }
        return *provider_;
    }

    std::unique_ptr<gate_server> serve_with_payments() { return serve_paid(provider()); }

    reply pay(int port, std::string const& key, std::uint64_t amount = 500) {
        return request(port, "POST", "/v1/bundles/les-veilleurs/unlock/pay",
                       json{{"device", device_text()}, {"amount", amount}, {"currency", "EUR"}}.dump(),
                       {{"Idempotency-Key", key}});
    }

    // A webhook the test sends itself: `event` signed at `t` with `key` (the endpoint's secret by default).
    reply webhook(int port, std::string const& event, std::int64_t t = unix_now(), std::string key = {}) {
        if (key.empty()) {
            key = provider().webhook_secret();
        }
        return request(port, "POST", "/v1/payments/webhook", event,
                       {{"Stripe-Signature", provider_signature(key, event, t)}});
    }

    // The id of the provider's one event of `type`.
    std::string event_id(std::string const& type) {
        auto const events = provider().events(type);
        EXPECT_EQ(events.size(), 1u) << provider().webhooks().dump();
        return events.empty() ? std::string() : events.front().value("id", "");
    }

    void expect_token_opens_episode(std::string const& token, std::string const& id) {
        expect_token_opens(token, id, episode_, [](protocol::verified_token const& t) {
            EXPECT_EQ(t.grantee.kind, protocol::grantee_kind::payment);
        });
    }

    std::string episode_;
    std::unique_ptr<fake_provider> provider_;
};

// pay -> the provider's page, paid with a card -> its signed webhook -> the host's GET returns a token that
// opens the paid episode.
TEST_F(SluiceGatePay, APaymentConfirmedByTheProviderUnlocksOnce) {
    auto const server = serve_with_payments();
    auto const created = pay(server->port(), "host-a-1");
    ASSERT_EQ(created.status, 201) << created.body;
    auto const answer = created.body_json();
    auto const id = answer.at("paymentId").get<std::string>();
    EXPECT_EQ(answer.at("state"), "pending");
    EXPECT_EQ(answer.at("amount"), 500);
    auto const checkout = answer.at("checkoutUrl").get<std::string>();
    EXPECT_TRUE(checkout.starts_with(provider().url() + "pay/cs_")) << checkout;
    // The host lost the answer and asks again with its key: the same payment, byte for byte, and the same
    // checkout at the provider.
    auto const retried = pay(server->port(), "host-a-1");
    EXPECT_EQ(retried.body, created.body);
    EXPECT_EQ(retried.headers.at("idempotent-replayed"), "true");
    auto const pages = provider().records().at("sessions");
    ASSERT_EQ(pages.size(), 1u) << pages.dump();
    EXPECT_EQ(pages[0].at("mode"), "payment");
    EXPECT_EQ(pages[0].at("metadata").at("sluice_payment"), id);

    auto const pending = request(server->port(), "GET", "/v1/payments/" + id).body_json();
    EXPECT_EQ(pending.at("state"), "pending");
    EXPECT_FALSE(pending.contains("token"));

    auto const paid_on_page = provider().complete(checkout, test_card::succeeds);
    ASSERT_EQ(paid_on_page.status, 200) << paid_on_page.body;
    // Answered 200 means applied and durable.
    ASSERT_TRUE(provider().wait_delivered("checkout.session.completed", 1)) << provider().webhooks().dump();
    // The intent's own event names no charge of the gate's: acknowledged, so the provider stops sending it.
    EXPECT_TRUE(provider().wait_delivered("payment_intent.succeeded", 1));
    // The provider retries an event it thinks was lost: applied once.
    auto const completed = event_id("checkout.session.completed");
    EXPECT_EQ(provider().redeliver(completed).at("lastStatus"), 200);
    auto const replayed =
        webhook(server->port(), checkout_event(completed, "checkout.session.completed", id));
    EXPECT_EQ(replayed.status, 200) << replayed.body;
    EXPECT_EQ(replayed.body_json(), json::parse(R"({"received":true,"duplicate":true})"));

    auto const paid = request(server->port(), "GET", "/v1/payments/" + id);
    ASSERT_EQ(paid.status, 200) << paid.body;
    EXPECT_EQ(paid.body_json().at("state"), "paid");
    auto const token = paid.body_json().at("token").get<std::string>();
    expect_token_opens_episode(token, "les-veilleurs");
    EXPECT_EQ(request(server->port(), "GET", "/v1/payments/" + id).body_json().at("token"), token);
    auto const s = stats();
    EXPECT_EQ(s.at("unlocks"), 1);
    EXPECT_EQ(s.at("payments"), json::parse(R"({"pending":0,"paid":1,"failed":0})"));
    // Taken once, on the page, for what was asked.
    auto const attempts = provider().records().at("chargeAttempts");
    ASSERT_EQ(attempts.size(), 1u) << attempts.dump();
    EXPECT_EQ(attempts[0].at("amount"), 500);
    EXPECT_EQ(attempts[0].at("currency"), "eur");
    EXPECT_EQ(attempts[0].at("outcome"), "succeeded");
}

TEST_F(SluiceGatePay, ForgedStaleOrUnsignedWebhooksChangeNothing) {
    auto const server = serve_with_payments();
    auto const created = pay(server->port(), "host-b-1").body_json();
    auto const id = created.at("paymentId").get<std::string>();
    auto const port = server->port();

    // The provider's own events, signed 400 s in the past (a replayed capture): refused, and the provider
    // keeps trying.
    provider().stale_webhooks(400);
    ASSERT_EQ(provider().complete(created.at("checkoutUrl").get<std::string>()).status, 200);
    ASSERT_TRUE(wait_until([&] {
        auto const events = provider().events("checkout.session.completed");
        return !events.empty() && events[0].at("lastStatus") == 400;
    })) << provider().webhooks().dump();
    auto const real_id = event_id("checkout.session.completed");
    EXPECT_EQ(request(port, "GET", "/v1/payments/" + id).body_json().at("state"), "pending");

    auto const event = checkout_event(real_id, "checkout.session.completed", id);
    auto const early = webhook(port, event, unix_now() + 400);
    EXPECT_EQ(early.status, 400) << early.body;
    EXPECT_EQ(early.error_code(), "signature_expired");
    auto const forged = webhook(port, event, unix_now(), "whsec_not_the_endpoints_secret");
    EXPECT_EQ(forged.status, 401) << forged.body;
    EXPECT_EQ(forged.error_code(), "invalid_signature");
    auto const unsigned_hook = request(port, "POST", "/v1/payments/webhook", event);
    EXPECT_EQ(unsigned_hook.status, 400);
    EXPECT_EQ(unsigned_hook.error_code(), "invalid_signature_header");
    // Signed for one body, sent with another.
    auto const other = checkout_event("evt_other", "checkout.session.completed", id);
    auto const swapped =
        request(port, "POST", "/v1/payments/webhook", other,
                {{"Stripe-Signature", provider_signature(provider().webhook_secret(), event, unix_now())}});
    EXPECT_EQ(swapped.error_code(), "invalid_signature");

    auto const status = request(port, "GET", "/v1/payments/" + id).body_json();
    EXPECT_EQ(status.at("state"), "pending");
    EXPECT_FALSE(status.contains("token"));
    EXPECT_EQ(stats().at("payments").at("pending"), 1);

    // The refused event id was not used up: once the provider signs on time, its next retry is applied.
    provider().stale_webhooks(0);
    ASSERT_TRUE(provider().wait_delivered("checkout.session.completed", 1)) << provider().webhooks().dump();
    EXPECT_EQ(request(port, "GET", "/v1/payments/" + id).body_json().at("state"), "paid");
    auto const conflict = webhook(port, checkout_event("evt_expired", "checkout.session.expired", id));
    EXPECT_EQ(conflict.status, 409) << conflict.body;
    EXPECT_EQ(conflict.error_code(), "payment_state_conflict");
    EXPECT_EQ(request(port, "GET", "/v1/payments/" + id).body_json().at("state"), "paid");
}

// Acknowledged means durable: the gate is killed right after it answered the webhook.
TEST_F(SluiceGatePay, AnAcknowledgedWebhookSurvivesKill9) {
    auto server = serve_with_payments();
    auto const created = pay(server->port(), "host-c-1").body_json();
    auto const id = created.at("paymentId").get<std::string>();
    ASSERT_EQ(provider().complete(created.at("checkoutUrl").get<std::string>()).status, 200);
    ASSERT_TRUE(provider().wait_delivered("checkout.session.completed", 1)) << provider().webhooks().dump();
    server->kill9();
    EXPECT_EQ(stats().at("payments").at("paid"), 1);
    server = serve_with_payments();
    // The applied event is remembered with the state it set, whoever sends it again.
    auto const completed = event_id("checkout.session.completed");
    EXPECT_EQ(provider().redeliver(completed).at("lastStatus"), 200);
    EXPECT_EQ(webhook(server->port(), checkout_event(completed, "checkout.session.completed", id))
                  .body_json()
                  .at("duplicate"),
              true);
    auto const paid = request(server->port(), "GET", "/v1/payments/" + id).body_json();
    EXPECT_EQ(paid.at("state"), "paid");
    expect_token_opens_episode(paid.at("token").get<std::string>(), "les-veilleurs");
    // And the answered payment itself: the same key finds it after the crash.
    EXPECT_EQ(pay(server->port(), "host-c-1").body_json().at("paymentId"), id);
    EXPECT_EQ(provider().records().at("sessions").size(), 1u);
}

TEST_F(SluiceGatePay, ServeChecksItsPaymentOptions) {
    // Without a provider the gate serves everything else, and says payments are off.
    auto const plain = serve({});
    auto const r = pay(plain->port(), "host-d-1");
    EXPECT_EQ(r.status, 503) << r.body;
    EXPECT_EQ(r.error_code(), "payments_unavailable");
    EXPECT_EQ(request(plain->port(), "GET", "/v1/bundles/les-veilleurs").status, 200);

    // Half a provider is a mistake on the command line (publisher/README.md: "half of a pair a usage error
    // (exit 2)"), as are payments without the address the provider's page sends the viewer back to.
    auto const key = provider().key_file().string();
    auto const secret = provider().webhook_secret_file().string();
    auto const half_key =
        gate_tool(serve_args({"--stripe-key-file", key, "--public-url", "https://g.example/"}));
    EXPECT_EQ(half_key.exit_code, 2) << half_key;
    auto const half_secret =
        gate_tool(serve_args({"--stripe-webhook-secret-file", secret, "--public-url", "https://g.example/"}));
    EXPECT_EQ(half_secret.exit_code, 2) << half_secret;
    auto const no_return = gate_tool(serve_args(provider().stripe_args()));
    EXPECT_EQ(no_return.exit_code, 2) << no_return;
    EXPECT_NE(no_return.err.find("--public-url"), std::string::npos) << no_return;
    auto const not_http = gate_tool(serve_args({"--stripe-key-file", key, "--stripe-webhook-secret-file",
                                                secret, "--public-url", "ftp://gate.example.org/"}));
    EXPECT_EQ(not_http.exit_code, 2) << not_http;
    write_file(dir_ / "weak.secret", "short\n");
    auto const weak =
        gate_tool(serve_args({"--stripe-key-file", key, "--stripe-webhook-secret-file",
                              (dir_ / "weak.secret").string(), "--public-url", "https://gate.example.org/"}));
    EXPECT_EQ(weak.exit_code, 1) << weak;
    EXPECT_NE(weak.err.find("at least 16"), std::string::npos) << weak;
}

// The whole pay path with every real part: the host asks for a checkout, the viewer pays on the provider's
// page, the provider confirms the payment to the gate, and the host, following the payment, takes the token
// and streams the episode.
TEST_F(SluiceGatePay, AHostPaysAndIsUnlockedOnceTheProviderConfirms) {
    int const port = free_port();
    make_paid_bundle("paid-on-host", "http://127.0.0.1:" + std::to_string(port) + "/");
    ASSERT_EQ(import("paid-on-host").exit_code, 0);
    auto const server = serve_paid(provider(), {}, port);
    ASSERT_EQ(server->port(), port);

    host_world world(R"({"gatePollSeconds": 1})");
    host_process host(world);
    auto const added =
        host.call("torrent.add", {{"torrent", protocol::to_base64(read_file(out_ / "paid-on-host.torrent"))},
                                  {"savePath", out_.string()}});
    ASSERT_TRUE(added.contains("result")) << added.dump();
    auto const hash = added["result"]["infoHash"].get<std::string>();
    ASSERT_TRUE(wait_until([&] {
        return host.call("bundle.get", {{"infoHash", hash}})["result"].value("status", "") == "verified";
    }));

    auto const too_little =
        host.call("bundle.unlock", {{"infoHash", hash}, {"gate", "pay"}, {"amount", 299}});
    EXPECT_EQ(too_little["error"]["code"], -32602) << too_little.dump();
    auto const asked =
        host.call("bundle.unlock", {{"infoHash", hash}, {"gate", "pay"}, {"amount", 500}}, 30s);
    ASSERT_TRUE(asked.contains("result")) << asked.dump();
    expect_schema(asked["result"], "bundle.unlock.result");
    EXPECT_EQ(asked["result"]["status"], "checkout");
    auto const payment = asked["result"]["paymentId"].get<std::string>();
    auto const checkout = asked["result"]["checkoutUrl"].get<std::string>();
    EXPECT_TRUE(checkout.starts_with(provider().url() + "pay/cs_")) << checkout;
    auto const kept = json::parse(read_file(world.data_dir() / "keystore.json")).at("payments");
    ASSERT_EQ(kept.size(), 1u);
    EXPECT_EQ(kept[0]["state"], "pending");

    // The viewer's browser, on the page the extension opened.
    ASSERT_EQ(provider().complete(checkout, test_card::succeeds).status, 200);
    json paid;
    ASSERT_TRUE(wait_until(
        [&] {
            host.call("bundle.deviceKey");
            for (auto const& e : host.events) {
                if (e.value("method", "") == "payment.updated") {
                    paid = e["params"];
                }
            }
            return paid.is_object();
        },
        20s));
    expect_schema(paid, "payment.updated.event");
    EXPECT_EQ(paid["paymentId"], payment);
    EXPECT_EQ(paid["state"], "paid");
    EXPECT_TRUE(host.saw_event("bundle.unlocked", hash));
    std::string url;
    auto const bundle = host.call("bundle.get", {{"infoHash", hash}});
    for (auto const& item : bundle["result"]["items"]) {
        if (item["path"] == "episode-1.webm.locked") {
            url = item.value("streamUrl", "");
        }
    }
    ASSERT_FALSE(url.empty()) << bundle.dump();
    auto const [stream_port, target] = split_url(url);
    EXPECT_TRUE(http_get(stream_port, target).body == episode_);
    EXPECT_EQ(stats().at("payments").at("paid"), 1);
}

class SluiceGateTls : public SluiceGatePay {
protected:
    // A self-signed certificate for 127.0.0.1, made by the openssl command as a publisher would.
    run_result make_certificate(fs::path const& cert, fs::path const& key) {
        return run("/usr/bin/env",
                   {"openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                    "-nodes", "-keyout", key.string(), "-out", cert.string(), "-days", "2", "-subj",
                    "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"});
    }
};

TEST_F(SluiceGateTls, ServesHttpsWithTheGivenCertificate) {
    auto const cert = dir_ / "cert.pem";
    auto const key = dir_ / "key.pem";
    auto const made = make_certificate(cert, key);
    ASSERT_EQ(made.exit_code, 0) << made;
    // The provider trusts the gate's certificate, as Stripe trusts a public CA's: its webhooks go over TLS.
    fake_provider::options trusting;
    trusting.extra_ca_file = cert;
    auto const server =
        serve_paid(provider(trusting), {"--tls-cert", cert.string(), "--tls-key", key.string()});
    ASSERT_GT(server->port(), 0);
    EXPECT_EQ(server->url(), "https://127.0.0.1:" + std::to_string(server->port()) + "/");

    auto const status = tls_request(server->port(), cert, "GET", "/v1/bundles/les-veilleurs");
    ASSERT_EQ(status.status, 200) << status.body;
    EXPECT_EQ(status.body_json().at("bundleId"), "les-veilleurs");
    // A whole payment over TLS, the webhook included.
    auto const created =
        tls_request(server->port(), cert, "POST", "/v1/bundles/les-veilleurs/unlock/pay",
                    json{{"device", device_text()}, {"amount", 300}, {"currency", "EUR"}}.dump(),
                    {{"Idempotency-Key", "tls-1"}});
    ASSERT_EQ(created.status, 201) << created.body;
    auto const id = created.body_json().at("paymentId").get<std::string>();
    ASSERT_EQ(provider().complete(created.body_json().at("checkoutUrl").get<std::string>()).status, 200);
    EXPECT_TRUE(provider().wait_delivered("checkout.session.completed", 1))
        << provider().webhooks().dump() << provider().log();
    auto const paid = tls_request(server->port(), cert, "GET", "/v1/payments/" + id).body_json();
    ASSERT_EQ(paid.value("state", ""), "paid") << paid.dump();
    expect_token_opens_episode(paid.at("token").get<std::string>(), "les-veilleurs");

    // Plain HTTP gets no answer from an HTTPS port, and a client that trusts another certificate refuses it.
    EXPECT_ANY_THROW(request(server->port(), "GET", "/v1/bundles/les-veilleurs"));
    auto const other_cert = dir_ / "other-cert.pem";
    ASSERT_EQ(make_certificate(other_cert, dir_ / "other-key.pem").exit_code, 0);
    EXPECT_ANY_THROW(tls_request(server->port(), other_cert, "GET", "/v1/bundles/les-veilleurs"));
    // The server still answers after both.
    EXPECT_EQ(tls_request(server->port(), cert, "GET", "/v1/bundles/les-veilleurs").status, 200);
}

TEST_F(SluiceGateTls, ABadCertificateOrKeyIsAClearError) {
    auto const cert = dir_ / "cert.pem";
    auto const key = dir_ / "key.pem";
    ASSERT_EQ(make_certificate(cert, key).exit_code, 0);
    auto const other_key = dir_ / "other-key.pem";
    ASSERT_EQ(make_certificate(dir_ / "other-cert.pem", other_key).exit_code, 0);
    write_file(dir_ / "garbage.pem", "-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----\n");

    EXPECT_EQ(gate_tool(serve_args({"--tls-cert", cert.string()})).exit_code, 2);
    EXPECT_EQ(gate_tool(serve_args({"--tls-key", key.string()})).exit_code, 2);
    auto const garbage =
        gate_tool(serve_args({"--tls-cert", (dir_ / "garbage.pem").string(), "--tls-key", key.string()}));
    EXPECT_EQ(garbage.exit_code, 1) << garbage;
    EXPECT_NE(garbage.err.find("garbage.pem"), std::string::npos) << garbage;
    auto const mismatched =
        gate_tool(serve_args({"--tls-cert", cert.string(), "--tls-key", other_key.string()}));
    EXPECT_EQ(mismatched.exit_code, 1) << mismatched;
    EXPECT_NE(mismatched.err.find("is not the key of the certificate"), std::string::npos) << mismatched;
    auto const missing =
        gate_tool(serve_args({"--tls-cert", (dir_ / "none.pem").string(), "--tls-key", key.string()}));
    EXPECT_EQ(missing.exit_code, 1) << missing;
}

} // namespace
} // namespace sluice::testing
