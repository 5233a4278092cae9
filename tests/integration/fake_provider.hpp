#pragma once

// The FAKE Stripe of publisher/fake-stripe as the payment provider of the tests that drive the real
// sluice-gate: started with node in a process of its own, its secret key and webhook signing secret written
// to files for the gate's --stripe-* options, and its fake-only controls (/_fake/...) offered as calls: what
// the backer's browser does on the provider's page, how webhooks are delivered, injected faults, and the
// record of every charge attempt, which is how a test proves nobody was charged twice.

#include "gate_fixture.hpp"

#include <boost/process/child.hpp>
#include <boost/process/pipe.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <string>
#include <vector>

namespace sluice::testing {

// Stripe's test card numbers, as the fake behaves for each (publisher/fake-stripe/README.md, "Test cards").
namespace test_card {
inline constexpr char const* succeeds = "4242424242424242";
inline constexpr char const* declined = "4000000000000002";
inline constexpr char const* insufficient_funds = "4000000000009995";
// Saved on the page; off-session the bank asks for the backer: 402 authentication_required.
inline constexpr char const* needs_authentication = "4000002760003184";
// Saved on the page; every charge of it is declined.
inline constexpr char const* saved_then_declined = "4000000000000341";
// The fake's own, not Stripe's: the first off-session charge is declined, every later one succeeds.
inline constexpr char const* declined_once = "4000000000003055";
} // namespace test_card

class fake_provider {
public:
    struct options {
        // A PEM file node trusts besides its own CAs (NODE_EXTRA_CA_CERTS): for webhooks to an HTTPS gate.
        std::filesystem::path extra_ca_file;
        int latency_ms = 0;
        // One line per request and webhook attempt in its log, which failures show.
        bool log = true;
    };

    // Starts the fake on a free loopback port; its files (keys, log) go into `dir`. A fake that does not
    // say it is listening within 20 s fails the test (and throws).
    explicit fake_provider(std::filesystem::path const& dir);
    fake_provider(std::filesystem::path const& dir, options const& opts);
    ~fake_provider();
    fake_provider(fake_provider const&) = delete;
    fake_provider& operator=(fake_provider const&) = delete;

    std::string const& url() const { return url_; } // "http://127.0.0.1:PORT/"
    int port() const { return port_; }
    std::string const& secret_key() const { return secret_key_; }
    std::string const& webhook_secret() const { return webhook_secret_; }
    std::filesystem::path const& key_file() const { return key_file_; }
    std::filesystem::path const& webhook_secret_file() const { return webhook_secret_file_; }
    // --stripe-api, --stripe-key-file, --stripe-webhook-secret-file: this fake as the gate's Stripe account.
    std::vector<std::string> stripe_args() const;
    // What the fake has written to stderr so far.
    std::string log() const;

    // Where its webhooks go: the gate's URL + "v1/payments/webhook". Events made while no URL was known
    // are sent then.
    void set_webhook_url(std::string const& url);

    // What the backer's browser does on the page: POST /_fake/complete/<checkout id> with the card. Takes the
    // checkout URL the gate answered (<fake>/pay/<checkout id>) or a bare id. 200 complete, 402 declined,
    // 409 already complete, 410 expired...
    reply complete(std::string const& checkout, std::string const& card = test_card::succeeds,
                   std::string const& email = {});
    // The provider's id of a checkout, at the end of its URL.
    static std::string checkout_id_of(std::string const& checkout);

    // GET /_fake/records: {paymentIntents, refunds, customers, sessions, idempotentRequests, chargeAttempts}.
    nlohmann::json records();
    // Whether a saved payment method was detached from its customer (GET /v1/payment_methods/<id>, as the
    // gate's account sees it).
    bool method_detached(std::string const& payment_method);

    // Webhook delivery. hold: events are kept until released; duplicate: each sent twice; stale: signed that
    // many seconds in the past; delay: each delivery waits that long first.
    void hold_webhooks(bool on);
    void duplicate_webhooks(bool on);
    void stale_webhooks(int seconds);
    void delay_webhooks(int ms);
    // Sends every held event, one after another ("fifo", "reverse" or "shuffle"); how many, once each was
    // tried.
    int release_webhooks(std::string const& order = "fifo");
    // Sends one event again; its delivery record after the attempt.
    nlohmann::json redeliver(std::string const& event_id);
    // GET /_fake/webhooks: {url, hold, duplicate, delayMs, staleSeconds, queued, delivered, failed, events:
    // [{id, type, state, attempts, lastStatus}]}.
    nlohmann::json webhooks();
    // The delivery records of the events of `type`, in the order they were made.
    std::vector<nlohmann::json> events(std::string const& type);
    // Waits until `count` events of `type` were answered 2xx by their receiver.
    bool wait_delivered(std::string const& type, std::size_t count,
                        std::chrono::milliseconds timeout = std::chrono::seconds(20));

    // The next `count` requests to `path` (e.g. "/v1/payment_intents"): "drop_response" (carried out, the
    // connection closed unanswered), "error_500" (refused before anything is done) or "delay".
    void fault(std::string const& path, std::string const& mode, int count = 1, int delay_ms = 0);
    // The faults still waiting for their requests (GET /_fake/faults).
    nlohmann::json pending_faults();

private:
    // A control request that must succeed (200): the answer's JSON; a failure fails the test.
    nlohmann::json control(std::string const& method, std::string const& path,
                           nlohmann::json const& body = {});

    std::filesystem::path dir_;
    std::filesystem::path key_file_;
    std::filesystem::path webhook_secret_file_;
    std::filesystem::path log_file_;
    boost::process::ipstream out_;
    boost::process::child child_;
    std::string url_;
    int port_ = 0;
    std::string secret_key_;
    std::string webhook_secret_;
};

} // namespace sluice::testing
