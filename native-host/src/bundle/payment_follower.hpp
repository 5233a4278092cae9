#pragma once

#include "bundle/bundle_library.hpp"
#include "bundle/gate_requests.hpp"
#include "bundle/keystore.hpp"
#include "bundle/retry_schedule.hpp"

#include <sluice/protocol/bundle_manifest.hpp>

#include <chrono>
#include <cstdint>
#include <string>

namespace sluice::bundle {

// The host's pay-what-you-want payments (protocol/gate-api.md), each by its idempotency key. A payment is
// written to the keystore before it is first sent; until the gate acknowledges it, look_after() sends it
// again with the same key and body. The checkout URL goes to the caller, and the payment is then asked about
// until the provider has confirmed it (its token unlocks the items: `bundle.unlocked`) or it failed;
// `payment.updated` says which. On the io_context thread.
class payment_follower {
public:
    using event_sink = bundle_library::event_sink;

    // A viewer waits at the checkout for a payment: it is asked about this often, more than a campaign.
    static constexpr std::chrono::seconds checkout_poll{3};

    // `retry_interval` is what the retry schedule doubles after each failure.
    payment_follower(boost::asio::io_context& io, keystore& keys, bundle_library& library, event_sink emit,
                     std::chrono::seconds retry_interval, std::chrono::seconds gate_timeout, gate_call call);

    payment_follower(payment_follower const&) = delete;
    payment_follower& operator=(payment_follower const&) = delete;

    // Answers the checkout URL.
    void pay(protocol::bundle_manifest const& m, std::uint64_t amount, answer_fn done);

    // Sends each kept payment the gate has not acknowledged, and asks about each pending one, when its turn
    // in the retry schedule has come and no request about it is under way.
    void look_after();

    retry_schedule const& schedule() const { return schedule_; }

private:
    void send(std::string const& key, answer_fn done);
    void on_created(std::string const& key, gate_api::gate_reply const& reply, answer_fn const& done);
    void follow(gate_api::payment_record const& record);
    void on_status(std::string const& key, gate_api::gate_reply const& reply);
    // Whether the token of a paid payment unlocked its bundle's items.
    bool take_token(gate_api::payment_record const& record, std::string const& token);

    bool store(gate_api::payment_record record);
    void succeeded(std::string const& key);
    void failed(std::string const& key);

    keystore& keys_;
    bundle_library& library_;
    event_sink emit_;
    gate_requests requests_;
    retry_schedule schedule_;
};

} // namespace sluice::bundle
