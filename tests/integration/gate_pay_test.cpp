// sluice-gate's pay gate and HTTPS, driven as a publisher, a host and a payment provider drive them: bundles
// made by the real sluice-bundle, imported and served by the real sluice-gate on loopback; the test plays the
// provider, signing each webhook with the shared secret as a real one would (OpenSSL's HMAC, not the gate's
// code), and checks tokens as a host checks them.

#include "expect_schema.hpp"
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

class SluiceGatePay : public gate_fixture {
protected:
    static constexpr char const* secret = "whsec_integration_0123456789";
    static constexpr char const* checkout = "https://pay.example/checkout?p={payment}";

    void SetUp() override {
        ASSERT_NO_FATAL_FAILURE(gate_fixture::SetUp());
        episode_ = random_bytes(150 * 1024 + 11, 2);
        write_file(src_ / "episode-1.webm", episode_);
        write_file(secret_file(), std::string(secret) + "\n");
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

    // The provider's configuration, as a publisher gives it.
    std::vector<std::string> payment_args() const {
        return {"--payment-secret-file", secret_file().string(), "--checkout-url", checkout};
    }

    std::unique_ptr<gate_server> serve_with_payments() { return serve(payment_args()); }

    reply pay(int port, std::string const& key, std::uint64_t amount = 500) {
        return request(port, "POST", "/v1/bundles/les-veilleurs/unlock/pay",
                       json{{"device", device_text()}, {"amount", amount}, {"currency", "EUR"}}.dump(),
                       {{"Idempotency-Key", key}});
    }

    // The provider's webhook for `payment_id`, signed at `t` with `key`.
    reply webhook(int port, std::string const& event_id, std::string const& type,
                  std::string const& payment_id, std::int64_t t = unix_now(),
                  std::string const& key = secret) {
        auto const body = json{{"id", event_id}, {"type", type}, {"paymentId", payment_id}}.dump();
        return request(port, "POST", "/v1/payments/webhook", body,
                       {{"Sluice-Signature", provider_signature(key, body, t)}});
    }

    void expect_token_opens_episode(std::string const& token, std::string const& id) {
        expect_token_opens(token, id, episode_, [](protocol::verified_token const& t) {
            EXPECT_EQ(t.grantee.kind, protocol::grantee_kind::payment);
        });
    }

    fs::path secret_file() const { return dir_ / "payment.secret"; }

    std::string episode_;
};

// pay -> the provider's signed webhook -> the host's GET returns a token that opens the paid episode.
TEST_F(SluiceGatePay, APaymentConfirmedByTheProviderUnlocksOnce) {
    auto const server = serve_with_payments();
    auto const created = pay(server->port(), "host-a-1");
    ASSERT_EQ(created.status, 201) << created.body;
    auto const answer = created.body_json();
    auto const id = answer.at("paymentId").get<std::string>();
    EXPECT_EQ(answer.at("state"), "pending");
    EXPECT_EQ(answer.at("amount"), 500);
    EXPECT_EQ(answer.at("checkoutUrl"), "https://pay.example/checkout?p=" + id);
    // The host lost the answer and asks again with its key: the same payment, byte for byte.
    auto const retried = pay(server->port(), "host-a-1");
    EXPECT_EQ(retried.body, created.body);
    EXPECT_EQ(retried.headers.at("idempotent-replayed"), "true");

    auto const pending = request(server->port(), "GET", "/v1/payments/" + id).body_json();
    EXPECT_EQ(pending.at("state"), "pending");
    EXPECT_FALSE(pending.contains("token"));

    auto const hook = webhook(server->port(), "evt_001", "payment.succeeded", id);
    ASSERT_EQ(hook.status, 200) << hook.body;
    EXPECT_EQ(hook.body_json(), json::parse(R"({"received":true})"));
    // The provider retries an event it thinks was lost: applied once.
    auto const replayed = webhook(server->port(), "evt_001", "payment.succeeded", id);
    EXPECT_EQ(replayed.status, 200);
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
}

TEST_F(SluiceGatePay, ForgedStaleOrUnsignedWebhooksChangeNothing) {
    auto const server = serve_with_payments();
    auto const id = pay(server->port(), "host-b-1").body_json().at("paymentId").get<std::string>();
    auto const port = server->port();

    auto const stale = webhook(port, "evt_1", "payment.succeeded", id, unix_now() - 400);
    EXPECT_EQ(stale.status, 400) << stale.body;
    EXPECT_EQ(stale.error_code(), "signature_expired");
    auto const early = webhook(port, "evt_2", "payment.succeeded", id, unix_now() + 400);
    EXPECT_EQ(early.error_code(), "signature_expired");
    auto const forged =
        webhook(port, "evt_3", "payment.succeeded", id, unix_now(), "whsec_not_the_shared_secret");
    EXPECT_EQ(forged.status, 401) << forged.body;
    EXPECT_EQ(forged.error_code(), "invalid_signature");
    auto const body = json{{"id", "evt_4"}, {"type", "payment.succeeded"}, {"paymentId", id}}.dump();
    auto const unsigned_hook = request(port, "POST", "/v1/payments/webhook", body);
    EXPECT_EQ(unsigned_hook.status, 400);
    EXPECT_EQ(unsigned_hook.error_code(), "invalid_signature_header");
    // Signed for one body, sent with another.
    auto const other = json{{"id", "evt_5"}, {"type", "payment.succeeded"}, {"paymentId", id}}.dump();
    auto const swapped = request(port, "POST", "/v1/payments/webhook", other,
                                 {{"Sluice-Signature", provider_signature(secret, body, unix_now())}});
    EXPECT_EQ(swapped.error_code(), "invalid_signature");

    auto const status = request(port, "GET", "/v1/payments/" + id).body_json();
    EXPECT_EQ(status.at("state"), "pending");
    EXPECT_FALSE(status.contains("token"));
    EXPECT_EQ(stats().at("payments").at("pending"), 1);

    // The refused event ids were not used up: the real event, signed, is applied.
    EXPECT_EQ(webhook(port, "evt_3", "payment.succeeded", id).body_json(),
              json::parse(R"({"received":true})"));
    auto const conflict = webhook(port, "evt_6", "payment.failed", id);
    EXPECT_EQ(conflict.status, 409);
    EXPECT_EQ(conflict.error_code(), "payment_state_conflict");
    EXPECT_EQ(request(port, "GET", "/v1/payments/" + id).body_json().at("state"), "paid");
}

// Acknowledged means durable: the gate is killed right after it answered the webhook.
TEST_F(SluiceGatePay, AnAcknowledgedWebhookSurvivesKill9) {
    auto server = serve_with_payments();
    auto const id = pay(server->port(), "host-c-1").body_json().at("paymentId").get<std::string>();
    ASSERT_EQ(webhook(server->port(), "evt_paid", "payment.succeeded", id).status, 200);
    server->kill9();
    EXPECT_EQ(stats().at("payments").at("paid"), 1);
    server = serve_with_payments();
    // The applied event is remembered with the state it set.
    EXPECT_EQ(webhook(server->port(), "evt_paid", "payment.succeeded", id).body_json().at("duplicate"), true);
    auto const paid = request(server->port(), "GET", "/v1/payments/" + id).body_json();
    EXPECT_EQ(paid.at("state"), "paid");
    expect_token_opens_episode(paid.at("token").get<std::string>(), "les-veilleurs");
    // And the answered payment itself: the same key finds it after the crash.
    EXPECT_EQ(pay(server->port(), "host-c-1").body_json().at("paymentId"), id);
}

TEST_F(SluiceGatePay, ServeChecksItsPaymentOptions) {
    // Without a provider the gate serves everything else, and says payments are off.
    auto const plain = serve({});
    auto const r = pay(plain->port(), "host-d-1");
    EXPECT_EQ(r.status, 503) << r.body;
    EXPECT_EQ(r.error_code(), "payments_unavailable");
    EXPECT_EQ(request(plain->port(), "GET", "/v1/bundles/les-veilleurs").status, 200);

    // Half a provider is a mistake on the command line, as is a template without the payment's place.
    EXPECT_EQ(gate_tool(serve_args({"--checkout-url", checkout})).exit_code, 2);
    EXPECT_EQ(gate_tool(serve_args({"--payment-secret-file", secret_file().string()})).exit_code, 2);
    EXPECT_EQ(gate_tool(serve_args({"--payment-secret-file", secret_file().string(), "--checkout-url",
                                    "https://pay.example/checkout"}))
                  .exit_code,
              2);
    write_file(dir_ / "weak.secret", "short\n");
    auto const weak = gate_tool(
        serve_args({"--payment-secret-file", (dir_ / "weak.secret").string(), "--checkout-url", checkout}));
    EXPECT_EQ(weak.exit_code, 1) << weak;
    EXPECT_NE(weak.err.find("at least 16"), std::string::npos) << weak;
}

// The whole pay path with every real part: the host asks for a checkout, the provider confirms the payment to
// the gate, and the host, following the payment, takes the token and streams the episode.
TEST_F(SluiceGatePay, AHostPaysAndIsUnlockedOnceTheProviderConfirms) {
    int const port = free_port();
    make_paid_bundle("paid-on-host", "http://127.0.0.1:" + std::to_string(port) + "/");
    ASSERT_EQ(import("paid-on-host").exit_code, 0);
    auto const server = serve(payment_args(), port);
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
    EXPECT_EQ(asked["result"]["checkoutUrl"], "https://pay.example/checkout?p=" + payment);
    auto const kept = json::parse(read_file(world.data_dir() / "keystore.json")).at("payments");
    ASSERT_EQ(kept.size(), 1u);
    EXPECT_EQ(kept[0]["state"], "pending");

    ASSERT_EQ(webhook(port, "evt_host_1", "payment.succeeded", payment).status, 200);
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
    auto args = payment_args();
    args.insert(args.end(), {"--tls-cert", cert.string(), "--tls-key", key.string()});
    auto const server = serve(args);
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
    auto const body = json{{"id", "evt_tls"}, {"type", "payment.succeeded"}, {"paymentId", id}}.dump();
    auto const hook = tls_request(server->port(), cert, "POST", "/v1/payments/webhook", body,
                                  {{"Sluice-Signature", provider_signature(secret, body, unix_now())}});
    EXPECT_EQ(hook.status, 200) << hook.body;
    auto const paid = tls_request(server->port(), cert, "GET", "/v1/payments/" + id).body_json();
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
