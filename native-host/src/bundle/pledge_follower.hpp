#pragma once

#include "bundle/bundle_library.hpp"
#include "bundle/gate_requests.hpp"
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
// campaign's end. A pledge is written to the keystore, with a fresh idempotency key, before it is first
// sent; until the gate acknowledges it, look_after() sends it again with the same key and body, so the gate
// records it once whatever happened in between (a network error, a 5xx, a restart, a kill -9). Acknowledged
// pledges are then followed: their campaign's progress (`campaign.updated`) until it closes; funded: the
// token is taken (`campaign.funded`) and each delivery's token kept and its bundle added
// (`campaign.delivered`); failed: the signed release is kept (`campaign.failed`). Every receipt and token is
// checked against the manifest's gate keys before it is kept. On the io_context thread.
class pledge_follower {
public:
    using event_sink = torrent::torrent_engine::event_sink;

    pledge_follower(boost::asio::io_context& io, keystore& keys, bundle_library& library,
                    torrent::torrent_engine& engine, event_sink emit, std::chrono::seconds poll_interval,
                    std::chrono::seconds gate_timeout, gate_call call);

    pledge_follower(pledge_follower const&) = delete;
    pledge_follower& operator=(pledge_follower const&) = delete;

    // `amount` defaults to the campaign's price. Pledging again to a campaign already pledged to answers the
    // kept pledge instead of making another.
    void pledge(protocol::bundle_manifest const& m, std::optional<std::uint64_t> amount, answer_fn done);
    void cancel(protocol::bundle_manifest const& m, answer_fn done);
    // The campaign's progress from its gate, and this host's pledge to it (or null).
    void campaign(protocol::bundle_manifest const& m, answer_fn done);

    // Sends each kept pledge the gate has not acknowledged, and asks about each one it has, when its turn in
    // the retry schedule has come and no request about it is under way.
    void look_after();

    retry_schedule const& schedule() const { return schedule_; }

private:
    void send(std::string const& campaign_id, answer_fn done);
    void on_pledged(std::string const& campaign_id, gate_api::gate_reply const& reply, answer_fn const& done);
    void on_cancelled(std::string const& campaign_id, gate_api::gate_reply const& reply,
                      answer_fn const& done);
    void follow(gate_api::pledge_record const& record);
    void on_status(std::string const& campaign_id, gate_api::gate_reply const& reply);
    void take_token(gate_api::pledge_record& record, std::string const& token);
    void take_deliveries(gate_api::pledge_record& record, nlohmann::json const& status);
    void take_release(gate_api::pledge_record& record, std::string const& release);
    void follow_progress(gate_api::pledge_record const& record);

    bool store(gate_api::pledge_record record);
    void succeeded(std::string const& campaign_id);
    void failed(std::string const& campaign_id);
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
    std::map<std::string, nlohmann::json> last_progress_; // by campaign: what campaign.updated said last
};

} // namespace sluice::bundle
