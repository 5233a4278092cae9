#pragma once

#include "bundle/bundle_library.hpp"
#include "bundle/gate_requests.hpp"
#include "bundle/gate_states.hpp"
#include "bundle/keystore.hpp"
#include "bundle/retry_schedule.hpp"
#include "torrent/torrent_engine.hpp"

#include <sluice/protocol/bundle_manifest.hpp>

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>

namespace sluice::bundle {

// The host's pledges to campaigns (protocol/gate-api.md), one per campaign, from the first request to the
// campaign's end. A pledge is a pre-order: nothing is charged when it is made, and the gate answers the
// provider's page where the backer saves a payment method (its checkout URL, which the caller opens). A
// pledge is written to the keystore, with a fresh idempotency key, before it is first sent; until the gate
// acknowledges it, look_after() sends it again with the same key and body, so the gate records it once
// whatever happened in between (a network error, a 5xx, a restart, a kill -9). Acknowledged pledges are then
// followed, the gate's state kept as it moves: each change, and each change of their campaign's progress
// while it is open, is announced (`campaign.updated`); charged: the token is taken (`campaign.funded`) and
// each delivery's token kept and its bundle added (`campaign.delivered`); charge_failed: the decline is
// announced
// (`campaign.chargeFailed`) so the backer can save another method (update_payment); released: the signed
// release is kept (`campaign.released`). Every receipt and token is checked against the manifest's gate keys
// before it is kept. On the io_context thread.
class pledge_follower {
public:
    using event_sink = torrent::torrent_engine::event_sink;

    // While the backer is on the provider's page, the pledge is asked about this often, for this long after
    // the page was handed out: the card should say "saved" soon after it is, but a page left open is not
    // asked about every few seconds for days.
    static constexpr std::chrono::seconds checkout_poll{3};
    static constexpr std::chrono::minutes checkout_window{15};

    pledge_follower(boost::asio::io_context& io, keystore& keys, bundle_library& library,
                    torrent::torrent_engine& engine, event_sink emit, std::chrono::seconds poll_interval,
                    std::chrono::seconds gate_timeout, gate_call call);

    pledge_follower(pledge_follower const&) = delete;
    pledge_follower& operator=(pledge_follower const&) = delete;

    // `amount` defaults to the price of the `tier` pledged to (the campaign's, when it has one price). Which
    // tiers the campaign offers is the gate's to say: a tier it does not know, or none named among several,
    // is its refusal (unknown_tier), as a full one is (tier_sold_out). Pledging again to a campaign already
    // pledged to answers the kept pledge instead of making another. The answer carries the provider's page
    // (`checkoutUrl`) while no payment method is saved.
    void pledge(protocol::bundle_manifest const& m, std::optional<std::uint64_t> amount,
                std::optional<std::string> tier, answer_fn done);
    void cancel(protocol::bundle_manifest const& m, answer_fn done);
    // A new page of the provider where the backer saves another payment method (after a declined charge, or
    // before the first one): answered as `checkoutUrl`.
    void update_payment(protocol::bundle_manifest const& m, answer_fn done);
    // The campaign's progress from its gate, and this host's pledge to it (or null).
    void campaign(protocol::bundle_manifest const& m, answer_fn done);

    // Sends each kept pledge the gate has not acknowledged, and asks about each one it has, when its turn in
    // the retry schedule has come and no request about it is under way.
    void look_after();

    retry_schedule const& schedule() const { return schedule_; }

private:
    // What the gate last said of a declined charge: in memory only, as the gate says it again when asked.
    struct charge_failure {
        std::string decline_code;
        std::string retry_until;
        std::string next_attempt;
        bool operator==(charge_failure const&) const = default;
    };

    void send(std::string const& campaign_id, answer_fn done);
    void on_pledged(std::string const& campaign_id, gate_api::gate_reply const& reply, answer_fn const& done);
    void on_cancelled(std::string const& campaign_id, gate_api::gate_reply const& reply,
                      answer_fn const& done);
    void on_payment_method(std::string const& campaign_id, std::string const& pledge_id,
                           gate_api::gate_reply const& reply, answer_fn const& done);
    void follow(gate_api::pledge_record const& record);
    void on_status(std::string const& campaign_id, gate_api::gate_reply const& reply);
    // Whether the token was taken (the pledge is then charged and announced).
    bool take_token(gate_api::pledge_record& record, std::string const& token);
    void take_deliveries(gate_api::pledge_record& record, nlohmann::json const& status);
    void take_release(gate_api::pledge_record& record, gate_api::pledge_status const& status);
    void take_charge_failure(gate_api::pledge_record const& record, pledge_state before,
                             gate_api::pledge_status const& status);
    void follow_progress(gate_api::pledge_record const& record);

    // The pledge as the caller and the events show it: the record, with the provider's page while no method
    // is saved and the decline while a charge has failed.
    nlohmann::json summary(gate_api::pledge_record const& record) const;
    nlohmann::json with_status(gate_api::pledge_record const& record, char const* status) const;

    bool store(gate_api::pledge_record record);
    void succeeded(std::string const& campaign_id);
    void failed(std::string const& campaign_id);
    void watch_checkout(std::string const& campaign_id);
    gate_api::expected_receipt receipt_of(gate_api::pledge_record const& record, char const* kind) const;
    // Why `token` cannot be taken for `bundle_id` from the gate of `record`; nullopt when it can.
    std::optional<std::string> token_problem(gate_api::pledge_record const& record, std::string const& token,
                                             std::string const& bundle_id) const;

    keystore& keys_;
    bundle_library& library_;
    torrent::torrent_engine& engine_;
    event_sink emit_;
    gate_requests requests_;
    retry_schedule schedule_;
    std::map<std::string, nlohmann::json> last_update_;     // by campaign: what campaign.updated said last
    std::map<std::string, charge_failure> charge_failures_; // by campaign
    std::map<std::string, retry_schedule::clock::time_point> checkout_until_; // by campaign
};

} // namespace sluice::bundle
