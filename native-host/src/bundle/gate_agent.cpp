#include "bundle/gate_agent.hpp"

#include "base/log.hpp"
#include "gate_api/campaign_progress.hpp"
#include "torrent/add_source.hpp"

#include <sluice/protocol/gate_receipt.hpp>
#include <sluice/protocol/keys.hpp>

#include <algorithm>

namespace sluice::bundle {

using nlohmann::json;
using protocol::error_code;
using protocol::rpc_error;

namespace {

constexpr auto max_backoff = std::chrono::minutes(15);
// A viewer waits at the checkout for a payment: it is looked at more often than a campaign.
constexpr auto payment_poll = std::chrono::seconds(3);

std::chrono::sys_seconds now_seconds() {
    return std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
}

} // namespace

gate_agent::gate_agent(boost::asio::io_context& io, keystore& keys, bundle_library& library,
                       torrent::torrent_engine& engine, event_sink emit, std::chrono::seconds poll_interval,
                       std::chrono::seconds gate_timeout)
    : io_(io), keys_(keys), library_(library), engine_(engine), emit_(std::move(emit)),
      poll_interval_(poll_interval), gate_timeout_(gate_timeout), timer_(io) {}

void gate_agent::start() {
    schedule(std::chrono::milliseconds(0));
}

void gate_agent::schedule(std::chrono::milliseconds delay) {
    timer_.expires_after(delay);
    timer_.async_wait([this](boost::system::error_code ec) {
        if (ec) {
            return;
        }
        look_after_all();
        // Short enough for the payment a viewer waits for; each record keeps its own pace through due().
        schedule(std::min<std::chrono::milliseconds>(poll_interval_, payment_poll));
    });
}

void gate_agent::look_after_all() {
    for (auto const& record : std::vector<gate_api::pledge_record>(keys_.pledges())) {
        if (!due(record.campaign_id) || in_flight_.count(record.campaign_id) != 0) {
            continue;
        }
        if (record.state == "sending") {
            send_pledge(record.campaign_id, [](answer const&) {});
        } else if (record.state == "active" || record.state == "funded") {
            // Funded campaigns are followed for their deliveries, which come over months.
            follow_pledge(record);
        }
    }
    for (auto const& record : std::vector<gate_api::payment_record>(keys_.payments())) {
        if (!due(record.idempotency_key) || in_flight_.count(record.idempotency_key) != 0) {
            continue;
        }
        if (record.state == "sending") {
            send_payment(record.idempotency_key, [](answer const&) {});
        } else if (record.state == "pending") {
            follow_payment(record);
        }
    }
}

// --- pledges ---

void gate_agent::pledge(protocol::bundle_manifest const& m, std::optional<std::uint64_t> amount,
                        done_fn done) {
    if (!campaign_of(m, done)) {
        return;
    }
    auto const& gate = *m.gates.pledge;
    if (amount && *amount < gate.price) {
        done(rpc_error::make(error_code::invalid_params, "amount must be at least the campaign's price, " +
                                                             std::to_string(gate.price) + " " +
                                                             gate.currency));
        return;
    }
    auto const kept = pledge_for(gate.campaign_id);
    if (kept && (kept->state == "active" || kept->state == "funded")) {
        done(with_status(*kept, "alreadyPledged"));
        return;
    }
    if (!kept || kept->state != "sending") {
        gate_api::pledge_record record;
        record.campaign_id = gate.campaign_id;
        record.bundle_id = m.id;
        record.gate_url = m.gate_url;
        for (auto const& key : m.gate_keys) {
            record.gate_keys.push_back(protocol::encode_public_key("ed25519", key));
        }
        record.idempotency_key = gate_api::new_idempotency_key();
        record.amount = amount.value_or(0);
        // Kept before the first attempt: whatever happens to this request, a retry carries the same key.
        if (!store(std::move(record))) {
            done(rpc_error::make(error_code::internal_error,
                                 "the pledge could not be written to the keystore, so it was not sent"));
            return;
        }
    }
    // A pledge left unacknowledged is sent again as it was first sent, whatever amount this call names.
    if (in_flight_.count(gate.campaign_id) != 0) {
        done(rpc_error::make(error_code::pledge_pending, "the pledge is being sent to the gate"));
        return;
    }
    send_pledge(gate.campaign_id, std::move(done));
}

void gate_agent::send_pledge(std::string const& campaign_id, done_fn done) {
    auto const record = pledge_for(campaign_id);
    json body = {{"device", device_key()}};
    if (record->amount != 0) {
        body["amount"] = record->amount;
    }
    ask(campaign_id, record->gate_url,
        gate_api::gate_request{"POST",
                               "v1/campaigns/" + campaign_id + "/pledges",
                               std::move(body),
                               {{"Idempotency-Key", record->idempotency_key}},
                               gate_timeout_},
        [this, campaign_id, done = std::move(done)](gate_api::gate_reply const& reply) {
            on_pledged(campaign_id, reply, done);
        });
}

void gate_agent::on_pledged(std::string const& campaign_id, gate_api::gate_reply const& reply,
                            done_fn const& done) {
    auto record = pledge_for(campaign_id);
    if (!record || record->state != "sending") {
        done(rpc_error::make(error_code::pledge_not_found, "the pledge was forgotten while it was sent"));
        return;
    }
    if (reply.what == gate_api::gate_reply::outcome::refused) {
        // The gate said no for good (a closed campaign, an amount too low...): nothing left to retry.
        record->state = "refused";
        store(*record);
        done(gate_api::to_rpc_error(reply));
        return;
    }
    auto const answer = reply.what == gate_api::gate_reply::outcome::answered
                            ? gate_api::read_pledge_receipt_answer(reply.body)
                            : gate_api::gate_answer<gate_api::pledge_receipt_answer>{};
    if (reply.what != gate_api::gate_reply::outcome::answered || !answer) {
        // Kept as it is: the timer sends it again with the same key, and the gate answers what it recorded.
        failed(campaign_id);
        auto error = reply.what == gate_api::gate_reply::outcome::answered
                         ? rpc_error::make(error_code::gate_bad_answer,
                                           "the gate's answer to the pledge is unusable: " + answer.problem)
                         : gate_api::to_rpc_error(reply);
        error.data["willRetry"] = true;
        done(std::move(error));
        return;
    }
    record->pledge_id = answer.value.pledge_id;
    auto const& receipt = answer.value.receipt;
    if (auto const problem = gate_api::receipt_problem(receipt, receipt_of(*record, "pledge"),
                                                       trusted_keys(record->gate_keys))) {
        failed(campaign_id);
        auto error =
            rpc_error::make(error_code::gate_bad_answer, "the pledge's receipt was refused: " + *problem);
        error.data["willRetry"] = true;
        done(std::move(error));
        return;
    }
    record->state = "active";
    record->receipts.push_back(receipt);
    if (!store(*record)) {
        done(
            rpc_error::make(error_code::internal_error,
                            "the gate recorded the pledge but the keystore could not be written; it is asked "
                            "again later with the same key"));
        return;
    }
    succeeded(campaign_id, poll_interval_);
    base::log::info("pledged to campaign " + campaign_id + " (pledge " + record->pledge_id + ")");
    done(with_status(*record, "pledged"));
}

void gate_agent::cancel_pledge(protocol::bundle_manifest const& m, done_fn done) {
    auto const campaign = campaign_of(m, done);
    if (!campaign) {
        return;
    }
    auto const& campaign_id = *campaign;
    auto const record = pledge_for(campaign_id);
    if (!record || record->state == "refused") {
        done(rpc_error::make(error_code::pledge_not_found, "no pledge to campaign " + campaign_id));
        return;
    }
    if (record->state == "sending" || in_flight_.count(campaign_id) != 0) {
        done(rpc_error::make(error_code::pledge_pending,
                             "the gate has not acknowledged the pledge yet; try again once it has"));
        return;
    }
    if (record->state == "cancelled") {
        done(with_status(*record, "cancelled"));
        return;
    }
    ask(campaign_id, record->gate_url,
        gate_api::gate_request{"POST",
                               "v1/campaigns/" + campaign_id + "/pledges/" + record->pledge_id + "/cancel",
                               json(),
                               {},
                               gate_timeout_},
        [this, campaign_id, done = std::move(done)](gate_api::gate_reply const& reply) {
            auto record = pledge_for(campaign_id);
            if (!record || reply.what != gate_api::gate_reply::outcome::answered) {
                done(record ? gate_api::to_rpc_error(reply)
                            : rpc_error::make(error_code::pledge_not_found,
                                              "the pledge was forgotten meanwhile"));
                return;
            }
            auto const answer = gate_api::read_pledge_receipt_answer(reply.body);
            if (!answer) {
                done(rpc_error::make(error_code::gate_bad_answer,
                                     "the gate's answer to the cancellation is unusable: " + answer.problem));
                return;
            }
            auto const& receipt = answer.value.receipt;
            if (auto const problem =
                    answer.value.pledge_id != record->pledge_id
                        ? std::optional<std::string>("the answer is about another pledge")
                        : gate_api::receipt_problem(receipt, receipt_of(*record, "cancellation"),
                                                    trusted_keys(record->gate_keys))) {
                done(rpc_error::make(error_code::gate_bad_answer,
                                     "the cancellation's receipt was refused: " + *problem));
                return;
            }
            record->state = "cancelled";
            record->receipts.push_back(receipt);
            store(*record);
            base::log::info("cancelled pledge " + record->pledge_id + " to campaign " + campaign_id);
            done(with_status(*record, "cancelled"));
        });
}

void gate_agent::campaign(protocol::bundle_manifest const& m, done_fn done) {
    auto const campaign = campaign_of(m, done);
    if (!campaign) {
        return;
    }
    auto const& campaign_id = *campaign;
    gate_api::call_gate(
        io_, m.gate_url,
        gate_api::gate_request{"GET", "v1/campaigns/" + campaign_id, json(), {}, gate_timeout_},
        [this, campaign_id, done = std::move(done)](gate_api::gate_reply reply) {
            if (reply.what != gate_api::gate_reply::outcome::answered) {
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
            auto const record = pledge_for(campaign_id);
            done(json{{"campaign", std::move(*progress)},
                      {"pledge", record && record->state != "refused" ? summary(*record) : json()}});
        });
}

void gate_agent::follow_pledge(gate_api::pledge_record const& record) {
    auto const campaign_id = record.campaign_id;
    ask(campaign_id, record.gate_url,
        gate_api::gate_request{
            "GET", "v1/campaigns/" + campaign_id + "/pledges/" + record.pledge_id, json(), {}, gate_timeout_},
        [this, campaign_id](gate_api::gate_reply const& reply) { on_pledge_status(campaign_id, reply); });
}

void gate_agent::on_pledge_status(std::string const& campaign_id, gate_api::gate_reply const& reply) {
    auto record = pledge_for(campaign_id);
    if (!record) {
        return;
    }
    if (reply.what != gate_api::gate_reply::outcome::answered) {
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
    auto const& campaign_state = status.campaign_state;
    if (status.state == "cancelled" && record->state == "active") {
        record->state = "cancelled"; // cancelled elsewhere (another device holding the pledge id)
        store(*record);
    } else if (campaign_state == "funded") {
        if (record->state == "active") {
            auto const& token = status.token;
            if (token.empty()) {
                base::log::warning("campaign " + campaign_id + " is funded but the gate gave no token yet");
                failed(campaign_id);
                return;
            }
            take_token(*record, token);
        }
        if (record->state == "funded") {
            take_deliveries(*record, reply.body);
        }
    } else if (campaign_state == "failed" && record->state == "active") {
        auto const& release = status.release;
        if (auto const problem = gate_api::receipt_problem(release, receipt_of(*record, "release"),
                                                           trusted_keys(record->gate_keys))) {
            base::log::warning("campaign " + campaign_id +
                               " failed, but its release was refused: " + *problem);
            failed(campaign_id);
            return;
        }
        record->state = "failed";
        record->receipts.push_back(release);
        if (store(*record)) {
            emit_("campaign.failed", {{"campaignId", campaign_id},
                                      {"bundleId", record->bundle_id},
                                      {"pledgeId", record->pledge_id}});
        }
    }
    succeeded(campaign_id, poll_interval_);
    if (campaign_state == "open" || !last_progress_.count(campaign_id)) {
        follow_progress(*record);
    }
}

void gate_agent::take_token(gate_api::pledge_record& record, std::string const& token) {
    if (auto const problem = token_problem(record, token, record.bundle_id)) {
        base::log::warning("campaign " + record.campaign_id +
                           " is funded, but its token was refused: " + *problem);
        failed(record.campaign_id);
        return;
    }
    auto const outcome = library_.redeem_or_hold(token, trusted_keys(record.gate_keys), record.bundle_id);
    if (outcome.redeemed.problem != protocol::token_problem::none) {
        base::log::warning("campaign " + record.campaign_id +
                           " is funded, but its token was refused: " + outcome.redeemed.detail);
        failed(record.campaign_id);
        return;
    }
    record.state = "funded";
    if (store(record)) {
        emit_("campaign.funded", {{"campaignId", record.campaign_id},
                                  {"bundleId", record.bundle_id},
                                  {"pledgeId", record.pledge_id},
                                  {"items", outcome.redeemed.items}});
    }
}

void gate_agent::take_deliveries(gate_api::pledge_record& record, json const& status) {
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

void gate_agent::follow_progress(gate_api::pledge_record const& record) {
    auto const campaign_id = record.campaign_id;
    gate_api::call_gate(
        io_, record.gate_url,
        gate_api::gate_request{"GET", "v1/campaigns/" + campaign_id, json(), {}, gate_timeout_},
        [this, campaign_id](gate_api::gate_reply reply) {
            auto const progress = reply.what == gate_api::gate_reply::outcome::answered
                                      ? gate_api::campaign_progress(reply.body)
                                      : std::nullopt;
            auto const record = pledge_for(campaign_id);
            if (!progress || !record) {
                return;
            }
            auto& last = last_progress_[campaign_id];
            if (last == *progress) {
                return;
            }
            last = *progress;
            emit_("campaign.updated", {{"campaign", *progress}, {"pledge", summary(*record)}});
        });
}

// --- payments ---

void gate_agent::pay(protocol::bundle_manifest const& m, std::uint64_t amount, done_fn done) {
    if (!m.gates.pay) {
        done(rpc_error::make(error_code::gate_not_offered, "this bundle has no pay-what-you-want gate"));
        return;
    }
    if (amount < m.gates.pay->minimum) {
        done(rpc_error::make(error_code::invalid_params, "amount must be at least " +
                                                             std::to_string(m.gates.pay->minimum) + " " +
                                                             m.gates.pay->currency));
        return;
    }
    gate_api::payment_record record;
    record.bundle_id = m.id;
    record.gate_url = m.gate_url;
    record.idempotency_key = gate_api::new_idempotency_key();
    record.amount = amount;
    record.currency = m.gates.pay->currency;
    auto const key = record.idempotency_key;
    if (!store(std::move(record))) {
        done(rpc_error::make(error_code::internal_error,
                             "the payment could not be written to the keystore, so it was not sent"));
        return;
    }
    send_payment(key, std::move(done));
}

void gate_agent::send_payment(std::string const& key, done_fn done) {
    auto const record = payment_for(key);
    ask(key, record->gate_url,
        gate_api::gate_request{
            "POST",
            "v1/bundles/" + record->bundle_id + "/unlock/pay",
            {{"device", device_key()}, {"amount", record->amount}, {"currency", record->currency}},
            {{"Idempotency-Key", key}},
            gate_timeout_},
        [this, key, done = std::move(done)](gate_api::gate_reply const& reply) {
            on_payment_created(key, reply, done);
        });
}

void gate_agent::on_payment_created(std::string const& key, gate_api::gate_reply const& reply,
                                    done_fn const& done) {
    auto record = payment_for(key);
    if (!record) {
        // The caller is owed an answer all the same.
        done(rpc_error::make(error_code::internal_error, "the payment was forgotten while it was sent"));
        return;
    }
    if (reply.what == gate_api::gate_reply::outcome::refused) {
        record->state = "refused";
        store(*record);
        done(gate_api::to_rpc_error(reply));
        return;
    }
    auto const answer = reply.what == gate_api::gate_reply::outcome::answered
                            ? gate_api::read_payment_created(reply.body, record->bundle_id)
                            : gate_api::gate_answer<gate_api::payment_created>{};
    if (reply.what != gate_api::gate_reply::outcome::answered || !answer) {
        failed(key);
        auto error = reply.what == gate_api::gate_reply::outcome::answered
                         ? rpc_error::make(error_code::gate_bad_answer, answer.problem)
                         : gate_api::to_rpc_error(reply);
        error.data["willRetry"] = true;
        done(std::move(error));
        return;
    }
    record->payment_id = answer.value.payment_id;
    record->checkout_url = answer.value.checkout_url;
    record->state = "pending";
    store(*record);
    succeeded(key, payment_poll);
    done(json{{"status", "checkout"},
              {"bundleId", record->bundle_id},
              {"paymentId", record->payment_id},
              {"checkoutUrl", record->checkout_url},
              {"amount", record->amount},
              {"currency", record->currency}});
}

void gate_agent::follow_payment(gate_api::payment_record const& record) {
    auto const key = record.idempotency_key;
    ask(key, record.gate_url,
        gate_api::gate_request{"GET", "v1/payments/" + record.payment_id, json(), {}, gate_timeout_},
        [this, key](gate_api::gate_reply const& reply) { on_payment_status(key, reply); });
}

void gate_agent::on_payment_status(std::string const& key, gate_api::gate_reply const& reply) {
    auto record = payment_for(key);
    if (!record) {
        return;
    }
    if (reply.what != gate_api::gate_reply::outcome::answered) {
        base::log::warning("payment " + record->payment_id + ": " + reply.message);
        failed(key);
        return;
    }
    auto const answer = gate_api::read_payment_status(reply.body, record->payment_id);
    if (!answer) {
        base::log::warning("payment " + record->payment_id + ": " + answer.problem);
        failed(key);
        return;
    }
    auto const& state = answer.value.state;
    if (state == "paid") {
        // Payments are for the bundle's own items: its gate keys are the manifest's, known to the library
        // while the bundle is in the session; a payment outliving its torrent keeps waiting for it. What the
        // token is for is checked first, as the library would take a token for any bundle it has.
        auto const checked = gate_api::check_gate_token(answer.value.token, record->bundle_id, {},
                                                        keys_.device(), now_seconds());
        if (!checked) {
            base::log::warning("payment " + record->payment_id + " is paid, but its token was not taken (" +
                               std::string(protocol::to_string(checked.problem)) + "): " + checked.detail);
            failed(key);
            return;
        }
        auto const outcome = library_.redeem(answer.value.token);
        if (outcome.no_bundle || outcome.problem != protocol::token_problem::none) {
            base::log::warning("payment " + record->payment_id +
                               " is paid, but its token was not taken: " + outcome.detail);
            failed(key);
            return;
        }
        record->state = "paid";
    } else if (state == "failed") {
        record->state = "failed";
    } else {
        succeeded(key, payment_poll);
        return;
    }
    store(*record);
    succeeded(key, payment_poll);
    emit_("payment.updated",
          {{"bundleId", record->bundle_id}, {"paymentId", record->payment_id}, {"state", record->state}});
}

void gate_agent::ask(std::string const& key, std::string const& gate_url, gate_api::gate_request request,
                     std::function<void(gate_api::gate_reply const&)> then) {
    in_flight_.insert(key);
    gate_api::call_gate(io_, gate_url, std::move(request),
                        [this, key, then = std::move(then)](gate_api::gate_reply reply) {
                            in_flight_.erase(key);
                            then(reply);
                        });
}

std::optional<std::string> gate_agent::campaign_of(protocol::bundle_manifest const& m, done_fn const& done) {
    if (!m.gates.pledge) {
        done(rpc_error::make(error_code::gate_not_offered, "this bundle has no pledge campaign"));
        return std::nullopt;
    }
    return m.gates.pledge->campaign_id;
}

json gate_agent::with_status(gate_api::pledge_record const& record, char const* status) {
    auto out = summary(record);
    out["status"] = status;
    return out;
}

// --- records and pace ---

std::optional<gate_api::pledge_record> gate_agent::pledge_for(std::string const& campaign_id) const {
    for (auto const& p : keys_.pledges()) {
        if (p.campaign_id == campaign_id) {
            return p;
        }
    }
    return std::nullopt;
}

std::optional<gate_api::payment_record> gate_agent::payment_for(std::string const& key) const {
    for (auto const& p : keys_.payments()) {
        if (p.idempotency_key == key) {
            return p;
        }
    }
    return std::nullopt;
}

bool gate_agent::store(gate_api::pledge_record record) {
    std::error_code ec;
    auto const campaign = record.campaign_id;
    keys_.put_pledge(std::move(record), ec);
    if (ec) {
        base::log::error("could not keep the pledge to campaign " + campaign + ": " + ec.message());
    }
    return !ec;
}

bool gate_agent::store(gate_api::payment_record record) {
    std::error_code ec;
    auto const bundle = record.bundle_id;
    keys_.put_payment(std::move(record), ec);
    if (ec) {
        base::log::error("could not keep the payment for bundle " + bundle + ": " + ec.message());
    }
    return !ec;
}

std::string gate_agent::device_key() const {
    return protocol::encode_public_key("x25519", keys_.device().public_key);
}

gate_api::expected_receipt gate_agent::receipt_of(gate_api::pledge_record const& record,
                                                  char const* kind) const {
    return {kind, record.pledge_id, record.campaign_id, device_key(), record.amount};
}

std::optional<std::string> gate_agent::token_problem(gate_api::pledge_record const& record,
                                                     std::string const& token,
                                                     std::string const& bundle_id) const {
    auto const checked = gate_api::check_gate_token(token, bundle_id, trusted_keys(record.gate_keys),
                                                    keys_.device(), now_seconds());
    if (checked) {
        return std::nullopt;
    }
    return std::string(protocol::to_string(checked.problem)) + ": " + checked.detail;
}

std::vector<std::array<unsigned char, 32>> gate_agent::trusted_keys(std::vector<std::string> const& keys) {
    std::vector<std::array<unsigned char, 32>> out;
    for (auto const& text : keys) {
        if (auto const key = protocol::decode_public_key("ed25519", text)) {
            out.push_back(*key);
        }
    }
    return out;
}

json gate_agent::summary(gate_api::pledge_record const& record) {
    return {{"campaignId", record.campaign_id},
            {"bundleId", record.bundle_id},
            {"pledgeId", record.pledge_id.empty() ? json() : json(record.pledge_id)},
            {"state", record.state},
            {"amount", record.amount == 0 ? json() : json(record.amount)},
            {"receipts", record.receipts.size()}};
}

bool gate_agent::due(std::string const& key) const {
    auto const it = backoff_.find(key);
    return it == backoff_.end() || std::chrono::steady_clock::now() >= it->second.next;
}

void gate_agent::succeeded(std::string const& key, std::chrono::seconds next) {
    backoff_[key] = {std::chrono::steady_clock::now() + next, 0};
}

void gate_agent::failed(std::string const& key) {
    auto& b = backoff_[key];
    b.failures = std::min(b.failures + 1, 16);
    auto const wait =
        std::min<std::chrono::seconds>(poll_interval_ * (1LL << std::min(b.failures, 10)),
                                       std::chrono::duration_cast<std::chrono::seconds>(max_backoff));
    b.next = std::chrono::steady_clock::now() + wait;
}

} // namespace sluice::bundle
