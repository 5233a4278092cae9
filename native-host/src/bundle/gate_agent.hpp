#pragma once

#include "bundle/bundle_library.hpp"
#include "bundle/keystore.hpp"
#include "gate_api/gate_client.hpp"
#include "torrent/torrent_engine.hpp"

#include <sluice/protocol/bundle_manifest.hpp>
#include <sluice/protocol/jsonrpc.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <variant>

namespace sluice::bundle {

// The host's side of what takes a gate more than one request: pledges to campaigns and pay-what-you-want
// payments (protocol/gate-api.md).
//
// Every pledge or payment is written to the keystore, with a fresh idempotency key, before it is first
// sent; a retry (after a network error, a 5xx, a restart, a kill -9) sends the same key and body, so the gate
// records it once. Kept pledges and payments are then looked after on a timer, with backoff on failures:
// unacknowledged ones are sent again; campaigns are followed (`campaign.updated`) until they close —
// funded: the token is taken (`campaign.funded`) and each delivery's token is kept and its bundle added
// (`campaign.delivered`); failed: the signed release is kept (`campaign.failed`); payments are followed
// until paid (the token unlocks the items: `bundle.unlocked`) or failed (`payment.updated`).
class gate_agent {
public:
    using answer = std::variant<nlohmann::json, protocol::rpc_error>;
    using done_fn = std::function<void(answer)>;
    using event_sink = torrent::torrent_engine::event_sink;

    // `gate_timeout` bounds each request to a gate as a whole (gate_api::gate_request::timeout).
    gate_agent(boost::asio::io_context& io, keystore& keys, bundle_library& library,
               torrent::torrent_engine& engine, event_sink emit, std::chrono::seconds poll_interval,
               std::chrono::seconds gate_timeout = gate_api::default_gate_timeout);

    gate_agent(gate_agent const&) = delete;
    gate_agent& operator=(gate_agent const&) = delete;

    // Sends what a previous run left unacknowledged at once, then looks after everything on the timer.
    void start();

    // `amount` defaults to the campaign's price. Pledging again to a campaign already pledged to answers the
    // kept pledge instead of making another.
    void pledge(protocol::bundle_manifest const& m, std::optional<std::uint64_t> amount, done_fn done);
    void cancel_pledge(protocol::bundle_manifest const& m, done_fn done);
    // The campaign's progress from its gate, and this host's pledge to it (or null).
    void campaign(protocol::bundle_manifest const& m, done_fn done);
    // Answers the checkout URL; the payment is then followed until the provider confirms it.
    void pay(protocol::bundle_manifest const& m, std::uint64_t amount, done_fn done);

    std::chrono::seconds gate_timeout() const { return gate_timeout_; }

private:
    void schedule(std::chrono::milliseconds delay);
    void look_after_all();

    void send_pledge(std::string const& campaign_id, done_fn done);
    void on_pledged(std::string const& campaign_id, gate_api::gate_reply const& reply, done_fn const& done);
    void follow_pledge(gate_api::pledge_record const& record);
    void on_pledge_status(std::string const& campaign_id, gate_api::gate_reply const& reply);
    void take_token(gate_api::pledge_record& record, std::string const& token);
    void take_deliveries(gate_api::pledge_record& record, nlohmann::json const& status);
    void follow_progress(gate_api::pledge_record const& record);

    void send_payment(std::string const& key, done_fn done);
    void on_payment_created(std::string const& key, gate_api::gate_reply const& reply, done_fn const& done);
    void follow_payment(gate_api::payment_record const& record);
    void on_payment_status(std::string const& key, gate_api::gate_reply const& reply);

    // One request about the pledge or payment `key`; no other about it is sent until this one is answered.
    void ask(std::string const& key, std::string const& gate_url, gate_api::gate_request request,
             std::function<void(gate_api::gate_reply const&)> then);

    std::optional<gate_api::pledge_record> pledge_for(std::string const& campaign_id) const;
    std::optional<gate_api::payment_record> payment_for(std::string const& key) const;
    bool store(gate_api::pledge_record record);
    bool store(gate_api::payment_record record);
    std::string device_key() const;
    static std::vector<std::array<unsigned char, 32>> trusted_keys(std::vector<std::string> const& keys);
    gate_api::expected_receipt receipt_of(gate_api::pledge_record const& record, char const* kind) const;
    // Why `token` cannot be taken for `bundle_id` from the gate of `record`; nullopt when it can.
    std::optional<std::string> token_problem(gate_api::pledge_record const& record, std::string const& token,
                                             std::string const& bundle_id) const;
    static nlohmann::json summary(gate_api::pledge_record const& record);
    static nlohmann::json with_status(gate_api::pledge_record const& record, char const* status);
    // The manifest's campaign; nullopt once `done` has been told the bundle has no pledge gate.
    static std::optional<std::string> campaign_of(protocol::bundle_manifest const& m, done_fn const& done);

    // Backoff per pledge (campaign id) or payment (idempotency key): the poll interval after a success,
    // doubling after each failure up to `max_backoff`.
    bool due(std::string const& key) const;
    void succeeded(std::string const& key, std::chrono::seconds next);
    void failed(std::string const& key);

    boost::asio::io_context& io_;
    keystore& keys_;
    bundle_library& library_;
    torrent::torrent_engine& engine_;
    event_sink emit_;
    std::chrono::seconds poll_interval_;
    std::chrono::seconds gate_timeout_;
    boost::asio::steady_timer timer_;
    std::set<std::string> in_flight_; // keys with a request under way: never two at once
    struct backoff {
        std::chrono::steady_clock::time_point next{};
        int failures = 0;
    };
    std::map<std::string, backoff> backoff_;
    std::map<std::string, nlohmann::json> last_progress_; // by campaign: what campaign.updated said last
};

} // namespace sluice::bundle
