#include "bundle/gate_agent.hpp"

#include <algorithm>

namespace sluice::bundle {

gate_agent::gate_agent(boost::asio::io_context& io, keystore& keys, bundle_library& library,
                       torrent::torrent_engine& engine, event_sink emit, std::chrono::seconds poll_interval,
                       std::chrono::seconds gate_timeout, gate_call call)
    : poll_interval_(poll_interval), gate_timeout_(gate_timeout),
      pledges_(io, keys, library, engine, emit, poll_interval, gate_timeout, call),
      payments_(io, keys, library, emit, poll_interval, gate_timeout, call), timer_(io) {}

void gate_agent::start() {
    schedule(std::chrono::milliseconds(0));
}

void gate_agent::schedule(std::chrono::milliseconds delay) {
    timer_.expires_after(delay);
    timer_.async_wait([this](boost::system::error_code ec) {
        if (ec) {
            return;
        }
        pledges_.look_after();
        payments_.look_after();
        // Short enough for the payment or the saved payment method a viewer waits for; each record keeps its
        // own pace in its follower's retry schedule.
        schedule(std::min<std::chrono::milliseconds>(
            {poll_interval_, payment_follower::checkout_poll, pledge_follower::checkout_poll}));
    });
}

} // namespace sluice::bundle
