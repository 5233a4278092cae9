#include "bundle/pledge_follower.hpp"

#include "base/clock.hpp"
#include "base/log.hpp"
#include "bundle/gate_states.hpp"
#include "gate_api/campaign_progress.hpp"
#include "torrent/add_source.hpp"

#include <sluice/protocol/keys.hpp>

#include <algorithm>

namespace sluice::bundle {

using nlohmann::json;
using protocol::error_code;
using protocol::rpc_error;

namespace {

using base::now_seconds;

using reply_outcome = gate_api::gate_reply::outcome;

std::vector<std::array<unsigned char, 32>> trusted_keys(std::vector<std::string> const& keys) {
    std::vector<std::array<unsigned char, 32>> out;
    for (auto const& text : keys) {
        if (auto const key = protocol::decode_public_key("ed25519", text)) {
            out.push_back(*key);
        }
    }
    return out;
}

// The manifest's campaign; nullopt once `done` has been told the bundle has no pledge gate.
std::optional<std::string> campaign_of(protocol::bundle_manifest const& m, answer_fn const& done) {
    if (!m.gates.pledge) {
        done(rpc_error::make(error_code::gate_not_offered, "this bundle has no pledge campaign"));
        return std::nullopt;
    }
    return m.gates.pledge->campaign_id;
}

// A reply that brought no usable pledge receipt, as the caller's error: the pledge is kept and sent again.
rpc_error will_retry(rpc_error error) {
    error.data["willRetry"] = true;
    return error;
}

} // namespace

pledge_follower::pledge_follower(boost::asio::io_context& io, keystore& keys, bundle_library& library,
                                 torrent::torrent_engine& engine, event_sink emit,
                                 std::chrono::seconds poll_interval, std::chrono::seconds gate_timeout,
                                 gate_call call)
    : keys_(keys), library_(library), engine_(engine), emit_(std::move(emit)),
      requests_(io, std::move(call), gate_timeout), schedule_(poll_interval) {}

void pledge_follower::look_after() {
    auto const now = retry_schedule::clock::now();
    for (auto const& record : std::vector<gate_api::pledge_record>(keys_.pledges())) {
        if (!schedule_.due(record.campaign_id, now) || requests_.busy(record.campaign_id)) {
            continue;
        }
        auto const state = state_of(record);
        if (state == pledge_state::sending) {
            send(record.campaign_id, [](rpc_answer const&) {});
        } else if (is_open(state) || state == pledge_state::charged) {
            // Charged pledges are followed for their deliveries, which come over months.
            follow(record);
        }
    }
}

// --- the pledge ---

void pledge_follower::pledge(protocol::bundle_manifest const& m, std::optional<std::uint64_t> amount,
                             std::optional<std::string> tier, answer_fn done) {
    if (!campaign_of(m, done)) {
        return;
    }
    auto const& gate = *m.gates.pledge;
    // The signed manifest's price of the tier when it lists it; a tier it does not list is left to the gate,
    // which knows its campaign's tiers and refuses one it does not offer.
    auto price = gate.price;
    if (tier) {
        auto const offered = gate.offered_tiers();
        auto const it =
            std::find_if(offered.begin(), offered.end(), [&](auto const& t) { return t.id == *tier; });
        if (it != offered.end()) {
            price = it->price;
        }
    }
    if (amount && *amount < price) {
        done(rpc_error::make(error_code::invalid_params,
                             "amount must be at least the " + std::string(tier ? "tier's" : "campaign's") +
                                 " price, " + std::to_string(price) + " " + gate.currency));
        return;
    }
    auto const kept = keys_.pledge_for(gate.campaign_id);
    auto const kept_state = kept ? state_of(*kept) : pledge_state::invalid;
    if (kept && holds_campaign(kept_state)) {
        if (kept_state == pledge_state::pending) {
            // The page is likely opened again: the pledge may be saved soon.
            watch_checkout(gate.campaign_id);
        }
        done(with_status(*kept, "alreadyPledged"));
        return;
    }
    if (!kept || kept_state != pledge_state::sending) {
        gate_api::pledge_record record;
        record.campaign_id = gate.campaign_id;
        record.bundle_id = m.id;
        record.gate_url = m.gate_url;
        for (auto const& key : m.gate_keys) {
            record.gate_keys.push_back(protocol::encode_public_key("ed25519", key));
        }
        record.idempotency_key = gate_api::new_idempotency_key();
        record.amount = amount.value_or(0);
        record.tier = tier.value_or(std::string());
        set_state(record, pledge_state::sending);
        // Kept before the first attempt: whatever happens to this request, a retry carries the same key.
        if (!store(std::move(record))) {
            done(rpc_error::make(error_code::internal_error,
                                 "the pledge could not be written to the keystore, so it was not sent"));
            return;
        }
    }
    // A pledge left unacknowledged is sent again as it was first sent, whatever amount or tier this call
    // names.
    if (requests_.busy(gate.campaign_id)) {
        done(rpc_error::make(error_code::pledge_pending, "the pledge is being sent to the gate"));
        return;
    }
    send(gate.campaign_id, std::move(done));
}

void pledge_follower::send(std::string const& campaign_id, answer_fn done) {
    auto const record = keys_.pledge_for(campaign_id);
    json body = {{"device", keys_.device_public_key()}};
    if (record->amount != 0) {
        body["amount"] = record->amount;
    }
    if (!record->tier.empty()) {
        body["tier"] = record->tier;
    }
    requests_.ask(campaign_id, record->gate_url,
                  requests_.request("POST", "v1/campaigns/" + campaign_id + "/pledges", std::move(body),
                                    {{"Idempotency-Key", record->idempotency_key}}),
                  [this, campaign_id, done = std::move(done)](gate_api::gate_reply const& reply) {
                      on_pledged(campaign_id, reply, done);
                  });
}

void pledge_follower::on_pledged(std::string const& campaign_id, gate_api::gate_reply const& reply,
                                 answer_fn const& done) {
    auto record = keys_.pledge_for(campaign_id);
    if (!record || state_of(*record) != pledge_state::sending) {
        done(rpc_error::make(error_code::pledge_not_found, "the pledge was forgotten while it was sent"));
        return;
    }
    if (reply.what == reply_outcome::refused) {
        // The gate said no for good (a closed campaign, an amount too low...): nothing left to retry.
        set_state(*record, pledge_state::refused);
        store(*record);
        done(gate_api::to_rpc_error(reply));
        return;
    }
    if (reply.what != reply_outcome::answered) {
        // Kept as it is: look_after() sends it again with the same key, and the gate answers what it
        // recorded.
        failed(campaign_id);
        done(will_retry(gate_api::to_rpc_error(reply)));
        return;
    }
    auto const answer = gate_api::read_pledge_created(reply.body, campaign_id);
    if (!answer) {
        failed(campaign_id);
        done(will_retry(rpc_error::make(error_code::gate_bad_answer,
                                        "the gate's answer to the pledge is unusable: " + answer.problem)));
        return;
    }
    if (!record->tier.empty() && !answer.value.tier.empty() && answer.value.tier != record->tier) {
        failed(campaign_id);
        done(will_retry(
            rpc_error::make(error_code::gate_bad_answer, "the gate's answer is about a pledge in tier " +
                                                             answer.value.tier + ", not " + record->tier)));
        return;
    }
    record->pledge_id = answer.value.pledge_id;
    if (record->tier.empty()) {
        // None named: the campaign's only tier, as the gate calls it.
        record->tier = answer.value.tier;
    }
    auto const& receipt = answer.value.receipt;
    if (auto const problem = gate_api::receipt_problem(receipt, receipt_of(*record, "pledge"),
                                                       trusted_keys(record->gate_keys))) {
        failed(campaign_id);
        done(will_retry(
            rpc_error::make(error_code::gate_bad_answer, "the pledge's receipt was refused: " + *problem)));
        return;
    }
    // Pending until the provider confirms the saved method: the gate says so when asked.
    set_state(*record, pledge_state::pending);
    record->checkout_url = answer.value.checkout_url;
    record->receipts.push_back(receipt);
    if (!store(*record)) {
        done(
            rpc_error::make(error_code::internal_error,
                            "the gate recorded the pledge but the keystore could not be written; it is asked "
                            "again later with the same key"));
        return;
    }
    watch_checkout(campaign_id);
    succeeded(campaign_id);
    base::log::info("pledged to campaign " + campaign_id + " (pledge " + record->pledge_id + ")");
    auto out = with_status(*record, "pledged");
    // A replayed answer says the page of the first one, which may be completed by now: the state is the
    // gate's to tell when it is next asked.
    out["checkoutUrl"] = record->checkout_url;
    if (!answer.value.charged_on.empty()) {
        out["chargedOn"] = answer.value.charged_on;
    }
    done(std::move(out));
}

// --- its cancellation ---

void pledge_follower::cancel(protocol::bundle_manifest const& m, answer_fn done) {
    auto const campaign = campaign_of(m, done);
    if (!campaign) {
        return;
    }
    auto const& campaign_id = *campaign;
    auto const record = keys_.pledge_for(campaign_id);
    auto const state = record ? state_of(*record) : pledge_state::invalid;
    if (!record || state == pledge_state::refused) {
        done(rpc_error::make(error_code::pledge_not_found, "no pledge to campaign " + campaign_id));
        return;
    }
    if (state == pledge_state::sending) {
        done(rpc_error::make(error_code::pledge_pending,
                             "the gate has not acknowledged the pledge yet; try again once it has"));
        return;
    }
    if (state == pledge_state::cancelled) {
        done(with_status(*record, "cancelled"));
        return;
    }
    // Not a request about the kept record: the status asked every few seconds while a card is being saved
    // must not make the backer retry. The gate answers a second cancellation as the first.
    requests_.read(record->gate_url,
                   requests_.request("POST", "v1/campaigns/" + campaign_id + "/pledges/" + record->pledge_id +
                                                 "/cancel"),
                   [this, campaign_id, done = std::move(done)](gate_api::gate_reply reply) {
                       on_cancelled(campaign_id, reply, done);
                   });
}

void pledge_follower::on_cancelled(std::string const& campaign_id, gate_api::gate_reply const& reply,
                                   answer_fn const& done) {
    auto record = keys_.pledge_for(campaign_id);
    if (!record) {
        done(rpc_error::make(error_code::pledge_not_found, "the pledge was forgotten meanwhile"));
        return;
    }
    if (reply.what != reply_outcome::answered) {
        done(gate_api::to_rpc_error(reply));
        return;
    }
    auto const answer = gate_api::read_pledge_receipt_answer(reply.body);
    if (!answer) {
        done(rpc_error::make(error_code::gate_bad_answer,
                             "the gate's answer to the cancellation is unusable: " + answer.problem));
        return;
    }
    auto const& receipt = answer.value.receipt;
    if (auto const problem = answer.value.pledge_id != record->pledge_id
                                 ? std::optional<std::string>("the answer is about another pledge")
                                 : gate_api::receipt_problem(receipt, receipt_of(*record, "cancellation"),
                                                             trusted_keys(record->gate_keys))) {
        done(rpc_error::make(error_code::gate_bad_answer,
                             "the cancellation's receipt was refused: " + *problem));
        return;
    }
    set_state(*record, pledge_state::cancelled);
    record->receipts.push_back(receipt);
    store(*record);
    base::log::info("cancelled pledge " + record->pledge_id + " to campaign " + campaign_id);
    done(with_status(*record, "cancelled"));
}

// --- its payment method ---

void pledge_follower::update_payment(protocol::bundle_manifest const& m, answer_fn done) {
    auto const campaign = campaign_of(m, done);
    if (!campaign) {
        return;
    }
    auto const& campaign_id = *campaign;
    auto const record = keys_.pledge_for(campaign_id);
    auto const state = record ? state_of(*record) : pledge_state::invalid;
    if (!record || state == pledge_state::refused || state == pledge_state::invalid) {
        done(rpc_error::make(error_code::pledge_not_found, "no pledge to campaign " + campaign_id));
        return;
    }
    if (state == pledge_state::sending) {
        done(rpc_error::make(error_code::pledge_pending,
                             "the gate has not acknowledged the pledge yet; try again once it has"));
        return;
    }
    if (!is_open(state)) {
        // What the gate would answer: a charged, failed, cancelled or released pledge is past that point.
        done(rpc_error::make(error_code::pledge_not_updatable,
                             "the pledge is " + record->state +
                                 ": its payment method can no longer be changed"));
        return;
    }
    auto const pledge_id = record->pledge_id;
    // Not a request about the kept record: a status asked meanwhile must not make the backer wait or retry.
    requests_.read(record->gate_url,
                   requests_.request("POST", "v1/campaigns/" + campaign_id + "/pledges/" + pledge_id +
                                                 "/payment-method"),
                   [this, campaign_id, pledge_id, done = std::move(done)](gate_api::gate_reply reply) {
                       on_payment_method(campaign_id, pledge_id, reply, done);
                   });
}

void pledge_follower::on_payment_method(std::string const& campaign_id, std::string const& pledge_id,
                                        gate_api::gate_reply const& reply, answer_fn const& done) {
    if (reply.what != reply_outcome::answered) {
        if (reply.what == reply_outcome::refused) {
            // The gate knows better than the kept state (a charge may have settled meanwhile): ask it now.
            schedule_.succeeded(campaign_id, std::chrono::seconds(0), retry_schedule::clock::now());
        }
        done(gate_api::to_rpc_error(reply));
        return;
    }
    auto const answer = gate_api::read_payment_method(reply.body, pledge_id);
    if (!answer) {
        done(rpc_error::make(error_code::gate_bad_answer,
                             "the gate's answer for a new payment method is unusable: " + answer.problem));
        return;
    }
    auto record = keys_.pledge_for(campaign_id);
    if (!record || record->pledge_id != pledge_id) {
        done(rpc_error::make(error_code::pledge_not_found, "the pledge was forgotten meanwhile"));
        return;
    }
    record->checkout_url = answer.value.checkout_url;
    store(*record);
    watch_checkout(campaign_id);
    // Asked at once on the next round, and then at the checkout's pace.
    schedule_.succeeded(campaign_id, std::chrono::seconds(0), retry_schedule::clock::now());
    base::log::info("a new payment method page for pledge " + pledge_id + " to campaign " + campaign_id);
    auto out = with_status(*record, "checkout");
    out["checkoutUrl"] = answer.value.checkout_url;
    done(std::move(out));
}

// --- its campaign ---

void pledge_follower::campaign(protocol::bundle_manifest const& m, answer_fn done) {
    auto const campaign = campaign_of(m, done);
    if (!campaign) {
        return;
    }
    auto const& campaign_id = *campaign;
    requests_.read(
        m.gate_url, requests_.request("GET", "v1/campaigns/" + campaign_id),
        [this, campaign_id, done = std::move(done)](gate_api::gate_reply reply) {
            if (reply.what != reply_outcome::answered) {
                done(gate_api::to_rpc_error(reply));
                return;
            }
            auto progress = gate_api::campaign_progress(reply.body);
            if (!progress) {
                done(rpc_error::make(error_code::gate_bad_answer,
                                     "the gate's campaign progress is not what its API promises"));
                return;
            }
            if ((*progress)["campaignId"] != campaign_id) {
                done(rpc_error::make(error_code::gate_bad_answer,
                                     "the gate answered the progress of another campaign, not " +
                                         campaign_id));
                return;
            }
            auto const record = keys_.pledge_for(campaign_id);
            done(json{{"campaign", std::move(*progress)},
                      {"pledge",
                       record && state_of(*record) != pledge_state::refused ? summary(*record) : json()}});
        });
}

void pledge_follower::follow(gate_api::pledge_record const& record) {
    auto const campaign_id = record.campaign_id;
    requests_.ask(campaign_id, record.gate_url,
                  requests_.request("GET", "v1/campaigns/" + campaign_id + "/pledges/" + record.pledge_id),
                  [this, campaign_id](gate_api::gate_reply const& reply) { on_status(campaign_id, reply); });
}

void pledge_follower::on_status(std::string const& campaign_id, gate_api::gate_reply const& reply) {
    auto record = keys_.pledge_for(campaign_id);
    if (!record) {
        return;
    }
    if (reply.what != reply_outcome::answered) {
        base::log::warning("campaign " + campaign_id + ": " + reply.message);
        failed(campaign_id);
        return;
    }
    auto const answer = gate_api::read_pledge_status(reply.body, record->pledge_id, campaign_id);
    if (!answer) {
        base::log::warning("campaign " + campaign_id + ": " + answer.problem);
        failed(campaign_id);
        return;
    }
    auto const& status = answer.value;
    auto const before = state_of(*record);
    auto const said = parse_pledge_state(status.state);
    auto const before_summary = summary(*record);
    auto const before_url = record->checkout_url;
    if (record->tier.empty() && !status.tier.empty()) {
        // A pledge kept before tiers, or sent with none named: the gate says which it is in.
        record->tier = status.tier;
        store(*record);
    }
    if (is_open(before)) {
        switch (said) {
        case pledge_state::charged:
            if (status.token.empty()) {
                base::log::warning("pledge " + record->pledge_id + " to campaign " + campaign_id +
                                   " is charged but the gate gave no token yet");
                failed(campaign_id);
                return;
            }
            if (!take_token(*record, status.token)) {
                failed(campaign_id);
                return;
            }
            break;
        case pledge_state::released:
            if (auto const problem = gate_api::receipt_problem(status.release, receipt_of(*record, "release"),
                                                               trusted_keys(record->gate_keys))) {
                base::log::warning("pledge " + record->pledge_id + " to campaign " + campaign_id +
                                   " is released, but its release was refused: " + *problem);
                failed(campaign_id);
                return;
            }
            take_release(*record, status);
            break;
        default:
            // pending, confirmed, charging and charge_failed move back and forth as the provider answers (a
            // new method after a decline is charged again); failed and cancelled (elsewhere: another device
            // holding the pledge id) end it.
            set_state(*record, said);
            if (said == pledge_state::pending && !status.checkout_url.empty()) {
                record->checkout_url = status.checkout_url;
            }
            if (said != before || record->checkout_url != before_url) {
                store(*record);
            }
            break;
        }
    }
    auto const now = state_of(*record);
    if (now == pledge_state::charge_failed) {
        take_charge_failure(*record, before, status);
    } else {
        charge_failures_.erase(campaign_id);
    }
    if (now == pledge_state::charged && said == pledge_state::charged) {
        take_deliveries(*record, reply.body);
    }
    // The backer saved a method (or gave up): nothing happens soon that is worth asking about every few
    // seconds.
    if (!is_open(now) || (now == pledge_state::confirmed && before == pledge_state::pending)) {
        checkout_until_.erase(campaign_id);
    }
    succeeded(campaign_id);
    if (parse_campaign_state(status.campaign_state) == campaign_state::open ||
        !last_update_.count(campaign_id) || summary(*record) != before_summary) {
        follow_progress(*record);
    }
}

bool pledge_follower::take_token(gate_api::pledge_record& record, std::string const& token) {
    if (auto const problem = token_problem(record, token, record.bundle_id)) {
        base::log::warning("pledge " + record.pledge_id + " to campaign " + record.campaign_id +
                           " is charged, but its token was refused: " + *problem);
        return false;
    }
    auto const outcome = library_.redeem_or_hold(token, trusted_keys(record.gate_keys), record.bundle_id);
    if (outcome.redeemed.problem != protocol::token_problem::none) {
        base::log::warning("pledge " + record.pledge_id + " to campaign " + record.campaign_id +
                           " is charged, but its token was refused: " + outcome.redeemed.detail);
        return false;
    }
    set_state(record, pledge_state::charged);
    if (store(record)) {
        emit_("campaign.funded", {{"campaignId", record.campaign_id},
                                  {"bundleId", record.bundle_id},
                                  {"pledgeId", record.pledge_id},
                                  {"items", outcome.redeemed.items}});
    }
    return true;
}

void pledge_follower::take_deliveries(gate_api::pledge_record& record, json const& status) {
    for (auto const& delivery : gate_api::campaign_deliveries(status)) {
        if (delivery.token.empty() || std::find(record.deliveries.begin(), record.deliveries.end(),
                                                delivery.bundle_id) != record.deliveries.end()) {
            continue;
        }
        if (auto const problem = token_problem(record, delivery.token, delivery.bundle_id)) {
            base::log::warning("delivery " + delivery.bundle_id + " of campaign " + record.campaign_id +
                               ": its token was refused: " + *problem);
            continue;
        }
        auto const outcome =
            library_.redeem_or_hold(delivery.token, trusted_keys(record.gate_keys), delivery.bundle_id);
        if (outcome.redeemed.problem != protocol::token_problem::none) {
            base::log::warning("delivery " + delivery.bundle_id + " of campaign " + record.campaign_id +
                               ": its token was refused: " + outcome.redeemed.detail);
            continue;
        }
        json event = {{"campaignId", record.campaign_id},
                      {"bundleId", delivery.bundle_id},
                      {"version", delivery.version},
                      {"infoHash", nullptr}};
        if (!delivery.magnet.empty()) {
            auto source = torrent::parse_magnet(delivery.magnet);
            if (auto* params = std::get_if<lt::add_torrent_params>(&source)) {
                auto added = engine_.add(std::move(*params), std::nullopt);
                if (auto const* ok = std::get_if<json>(&added)) {
                    event["infoHash"] = ok->value("infoHash", json());
                } else {
                    base::log::warning("delivery " + delivery.bundle_id +
                                       " could not be added: " + std::get<rpc_error>(added).message);
                }
            } else {
                base::log::warning("delivery " + delivery.bundle_id + " has a magnet link the host refuses");
            }
        }
        record.deliveries.push_back(delivery.bundle_id);
        if (store(record)) {
            emit_("campaign.delivered", std::move(event));
        }
    }
}

void pledge_follower::take_release(gate_api::pledge_record& record, gate_api::pledge_status const& status) {
    set_state(record, pledge_state::released);
    record.receipts.push_back(status.release);
    record.release_reason = status.reason;
    if (store(record)) {
        // The campaign's state says why: failed (its goal missed), or funded while no method was saved;
        // unless the gate gives a reason of its own (the tier filled up before the method was saved).
        json event = {{"campaignId", record.campaign_id},
                      {"bundleId", record.bundle_id},
                      {"pledgeId", record.pledge_id},
                      {"campaignState", status.campaign_state}};
        if (!status.reason.empty()) {
            event["reason"] = status.reason;
        }
        emit_("campaign.released", std::move(event));
    }
}

void pledge_follower::take_charge_failure(gate_api::pledge_record const& record, pledge_state before,
                                          gate_api::pledge_status const& status) {
    charge_failure const now{status.decline_code, status.retry_until, status.next_attempt};
    auto const it = charge_failures_.find(record.campaign_id);
    // Told when a charge is first declined, and when a retry is declined for another reason; not for each
    // retry, nor again after a restart for a decline already told.
    bool const tell = before != pledge_state::charge_failed ||
                      (it != charge_failures_.end() && (it->second.decline_code != now.decline_code ||
                                                        it->second.retry_until != now.retry_until));
    charge_failures_[record.campaign_id] = now;
    if (!tell) {
        return;
    }
    base::log::info("the charge of pledge " + record.pledge_id + " to campaign " + record.campaign_id +
                    " was declined (" + (now.decline_code.empty() ? "no reason given" : now.decline_code) +
                    ")");
    json event = {{"campaignId", record.campaign_id},
                  {"bundleId", record.bundle_id},
                  {"pledgeId", record.pledge_id},
                  {"declineCode", now.decline_code.empty() ? json() : json(now.decline_code)},
                  {"retryUntil", now.retry_until.empty() ? json() : json(now.retry_until)},
                  {"nextAttempt", now.next_attempt.empty() ? json() : json(now.next_attempt)}};
    emit_("campaign.chargeFailed", std::move(event));
}

void pledge_follower::follow_progress(gate_api::pledge_record const& record) {
    auto const campaign_id = record.campaign_id;
    requests_.read(record.gate_url, requests_.request("GET", "v1/campaigns/" + campaign_id),
                   [this, campaign_id](gate_api::gate_reply reply) {
                       auto const progress = reply.what == reply_outcome::answered
                                                 ? gate_api::campaign_progress(reply.body)
                                                 : std::nullopt;
                       auto const record = keys_.pledge_for(campaign_id);
                       if (!progress || !record) {
                           return;
                       }
                       json update = {{"campaign", *progress}, {"pledge", summary(*record)}};
                       auto& last = last_update_[campaign_id];
                       if (last == update) {
                           return;
                       }
                       last = update;
                       emit_("campaign.updated", std::move(update));
                   });
}

// --- records and pace ---

bool pledge_follower::store(gate_api::pledge_record record) {
    std::error_code ec;
    auto const campaign = record.campaign_id;
    keys_.put_pledge(std::move(record), ec);
    if (ec) {
        base::log::error("could not keep the pledge to campaign " + campaign + ": " + ec.message());
    }
    return !ec;
}

json pledge_follower::summary(gate_api::pledge_record const& record) const {
    json out = {{"campaignId", record.campaign_id},
                {"bundleId", record.bundle_id},
                {"pledgeId", record.pledge_id.empty() ? json() : json(record.pledge_id)},
                // As kept: the keystore and the events spell a state alike.
                {"state", record.state},
                {"amount", record.amount == 0 ? json() : json(record.amount)},
                {"receipts", record.receipts.size()}};
    if (!record.tier.empty()) {
        out["tier"] = record.tier;
    }
    auto const state = state_of(record);
    if (state == pledge_state::pending && !record.checkout_url.empty()) {
        out["checkoutUrl"] = record.checkout_url;
    }
    if (state == pledge_state::released && !record.release_reason.empty()) {
        out["reason"] = record.release_reason;
    }
    if (auto const it = charge_failures_.find(record.campaign_id);
        state == pledge_state::charge_failed && it != charge_failures_.end()) {
        for (auto const& [key, value] : {std::pair{"declineCode", &it->second.decline_code},
                                         std::pair{"retryUntil", &it->second.retry_until},
                                         std::pair{"nextAttempt", &it->second.next_attempt}}) {
            if (!value->empty()) {
                out[key] = *value;
            }
        }
    }
    return out;
}

json pledge_follower::with_status(gate_api::pledge_record const& record, char const* status) const {
    auto out = summary(record);
    out["status"] = status;
    return out;
}

void pledge_follower::succeeded(std::string const& campaign_id) {
    auto wait = schedule_.poll_interval();
    if (auto const it = checkout_until_.find(campaign_id); it != checkout_until_.end()) {
        if (retry_schedule::clock::now() < it->second) {
            wait = std::min<std::chrono::seconds>(wait, checkout_poll);
        } else {
            checkout_until_.erase(it);
        }
    }
    schedule_.succeeded(campaign_id, wait, retry_schedule::clock::now());
}

void pledge_follower::watch_checkout(std::string const& campaign_id) {
    checkout_until_[campaign_id] = retry_schedule::clock::now() + checkout_window;
}

void pledge_follower::failed(std::string const& campaign_id) {
    schedule_.failed(campaign_id, retry_schedule::clock::now());
}

gate_api::expected_receipt pledge_follower::receipt_of(gate_api::pledge_record const& record,
                                                       char const* kind) const {
    return {kind, record.pledge_id, record.campaign_id, keys_.device_public_key(), record.amount};
}

std::optional<std::string> pledge_follower::token_problem(gate_api::pledge_record const& record,
                                                          std::string const& token,
                                                          std::string const& bundle_id) const {
    auto const checked = gate_api::check_gate_token(token, bundle_id, trusted_keys(record.gate_keys),
                                                    keys_.device(), now_seconds());
    if (checked) {
        return std::nullopt;
    }
    return std::string(protocol::to_string(checked.problem)) + ": " + checked.detail;
}

} // namespace sluice::bundle
