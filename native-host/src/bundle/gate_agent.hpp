#pragma once

#include "bundle/bundle_library.hpp"
#include "bundle/gate_requests.hpp"
#include "bundle/keystore.hpp"
#include "bundle/payment_follower.hpp"
#include "bundle/pledge_follower.hpp"
#include "gate_api/gate_client.hpp"
#include "torrent/torrent_engine.hpp"

#include <sluice/protocol/bundle_manifest.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <cstdint>
#include <optional>

namespace sluice::bundle {

// The host's side of what takes a gate more than one request: pledges to campaigns (pledge_follower) and
// pay-what-you-want payments (payment_follower), looked after on one timer from start() on. Everything it
// sends goes through `call`, gate_api::call_gate unless a test scripts the gate's replies.
class gate_agent {
public:
    using answer = rpc_answer;
    using done_fn = answer_fn;
    using event_sink = torrent::torrent_engine::event_sink;

    // `poll_interval` paces the following of acknowledged pledges and what a failure's backoff doubles;
    // `gate_timeout` bounds each request to a gate as a whole (gate_api::gate_request::timeout).
    gate_agent(boost::asio::io_context& io, keystore& keys, bundle_library& library,
               torrent::torrent_engine& engine, event_sink emit, std::chrono::seconds poll_interval,
               std::chrono::seconds gate_timeout = gate_api::default_gate_timeout,
               gate_call call = gate_api::call_gate);

    gate_agent(gate_agent const&) = delete;
    gate_agent& operator=(gate_agent const&) = delete;

    // Sends what a previous run left unacknowledged at once, then looks after everything on the timer.
    void start();

    // The gate methods, as pledge_follower and payment_follower describe them.
    void pledge(protocol::bundle_manifest const& m, std::optional<std::uint64_t> amount,
                std::optional<std::string> tier, done_fn done) {
        pledges_.pledge(m, amount, std::move(tier), std::move(done));
    }
    void cancel_pledge(protocol::bundle_manifest const& m, done_fn done) {
        pledges_.cancel(m, std::move(done));
    }
    void update_pledge_payment(protocol::bundle_manifest const& m, done_fn done) {
        pledges_.update_payment(m, std::move(done));
    }
    void campaign(protocol::bundle_manifest const& m, done_fn done) { pledges_.campaign(m, std::move(done)); }
    void pay(protocol::bundle_manifest const& m, std::uint64_t amount, done_fn done) {
        payments_.pay(m, amount, std::move(done));
    }

    std::chrono::seconds gate_timeout() const { return gate_timeout_; }

private:
    void schedule(std::chrono::milliseconds delay);

    std::chrono::seconds poll_interval_;
    std::chrono::seconds gate_timeout_;
    pledge_follower pledges_;
    payment_follower payments_;
    boost::asio::steady_timer timer_;
};

} // namespace sluice::bundle
