#include "bundle/payment_follower.hpp"

#include "base/clock.hpp"
#include "base/log.hpp"
#include "bundle/gate_states.hpp"

namespace sluice::bundle {

using nlohmann::json;
using protocol::error_code;
using protocol::rpc_error;

namespace {

using base::now_seconds;

using reply_outcome = gate_api::gate_reply::outcome;

// A reply that brought no usable answer, as the caller's error: the payment is kept and sent again.
rpc_error will_retry(rpc_error error) {
    error.data["willRetry"] = true;
    return error;
}

} // namespace

payment_follower::payment_follower(boost::asio::io_context& io, keystore& keys, bundle_library& library,
                                   event_sink emit, std::chrono::seconds retry_interval,
                                   std::chrono::seconds gate_timeout, gate_call call)
    : keys_(keys), library_(library), emit_(std::move(emit)), requests_(io, std::move(call), gate_timeout),
      schedule_(retry_interval) {}

void payment_follower::look_after() {
    auto const now = retry_schedule::clock::now();
    for (auto const& record : std::vector<gate_api::payment_record>(keys_.payments())) {
        if (!schedule_.due(record.idempotency_key, now) || requests_.busy(record.idempotency_key)) {
            continue;
        }
        auto const state = state_of(record);
        if (state == payment_state::sending) {
            send(record.idempotency_key, [](rpc_answer const&) {});
        } else if (state == payment_state::pending) {
            follow(record);
        }
    }
}

void payment_follower::pay(protocol::bundle_manifest const& m, std::uint64_t amount, answer_fn done) {
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
    set_state(record, payment_state::sending);
    auto const key = record.idempotency_key;
    // Kept before the first attempt: whatever happens to this request, a retry carries the same key.
    if (!store(std::move(record))) {
        done(rpc_error::make(error_code::internal_error,
                             "the payment could not be written to the keystore, so it was not sent"));
        return;
    }
    send(key, std::move(done));
}

void payment_follower::send(std::string const& key, answer_fn done) {
    auto const record = keys_.payment_for(key);
    requests_.ask(key, record->gate_url,
                  requests_.request("POST", "v1/bundles/" + record->bundle_id + "/unlock/pay",
                                    {{"device", keys_.device_public_key()},
                                     {"amount", record->amount},
                                     {"currency", record->currency}},
                                    {{"Idempotency-Key", key}}),
                  [this, key, done = std::move(done)](gate_api::gate_reply const& reply) {
                      on_created(key, reply, done);
                  });
}

void payment_follower::on_created(std::string const& key, gate_api::gate_reply const& reply,
                                  answer_fn const& done) {
    auto record = keys_.payment_for(key);
    if (!record) {
        // The caller is owed an answer all the same.
        done(rpc_error::make(error_code::internal_error, "the payment was forgotten while it was sent"));
        return;
    }
    if (reply.what == reply_outcome::refused) {
        set_state(*record, payment_state::refused);
        store(*record);
        done(gate_api::to_rpc_error(reply));
        return;
    }
    if (reply.what != reply_outcome::answered) {
        // Kept as it is: look_after() sends it again with the same key, and the gate answers what it
        // recorded.
        failed(key);
        done(will_retry(gate_api::to_rpc_error(reply)));
        return;
    }
    auto const answer = gate_api::read_payment_created(reply.body, record->bundle_id);
    if (!answer) {
        failed(key);
        done(will_retry(rpc_error::make(error_code::gate_bad_answer, answer.problem)));
        return;
    }
    record->payment_id = answer.value.payment_id;
    record->checkout_url = answer.value.checkout_url;
    set_state(*record, payment_state::pending);
    store(*record);
    succeeded(key);
    done(json{{"status", "checkout"},
              {"bundleId", record->bundle_id},
              {"paymentId", record->payment_id},
              {"checkoutUrl", record->checkout_url},
              {"amount", record->amount},
              {"currency", record->currency}});
}

void payment_follower::follow(gate_api::payment_record const& record) {
    auto const key = record.idempotency_key;
    requests_.ask(key, record.gate_url, requests_.request("GET", "v1/payments/" + record.payment_id),
                  [this, key](gate_api::gate_reply const& reply) { on_status(key, reply); });
}

void payment_follower::on_status(std::string const& key, gate_api::gate_reply const& reply) {
    auto record = keys_.payment_for(key);
    if (!record) {
        return;
    }
    if (reply.what != reply_outcome::answered) {
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
    auto const state = parse_payment_state(answer.value.state);
    if (state == payment_state::paid) {
        if (!take_token(*record, answer.value.token)) {
            failed(key);
            return;
        }
        set_state(*record, payment_state::paid);
    } else if (state == payment_state::failed) {
        set_state(*record, payment_state::failed);
    } else {
        succeeded(key);
        return;
    }
    store(*record);
    succeeded(key);
    emit_("payment.updated", {{"bundleId", record->bundle_id},
                              {"paymentId", record->payment_id},
                              {"state", std::string(to_string(state_of(*record)))}});
}

bool payment_follower::take_token(gate_api::payment_record const& record, std::string const& token) {
    // Payments are for the bundle's own items: its gate keys are the manifest's, known to the library while
    // the bundle is in the session; a payment outliving its torrent keeps waiting for it. What the token is
    // for is checked first, as the library would take a token for any bundle it has.
    auto const checked =
        gate_api::check_gate_token(token, record.bundle_id, {}, keys_.device(), now_seconds());
    if (!checked) {
        base::log::warning("payment " + record.payment_id + " is paid, but its token was not taken (" +
                           std::string(protocol::to_string(checked.problem)) + "): " + checked.detail);
        return false;
    }
    auto const outcome = library_.redeem(token);
    if (outcome.no_bundle || outcome.problem != protocol::token_problem::none) {
        base::log::warning("payment " + record.payment_id +
                           " is paid, but its token was not taken: " + outcome.detail);
        return false;
    }
    return true;
}

// --- records and pace ---

bool payment_follower::store(gate_api::payment_record record) {
    std::error_code ec;
    auto const bundle = record.bundle_id;
    keys_.put_payment(std::move(record), ec);
    if (ec) {
        base::log::error("could not keep the payment for bundle " + bundle + ": " + ec.message());
    }
    return !ec;
}

void payment_follower::succeeded(std::string const& key) {
    schedule_.succeeded(key, checkout_poll, retry_schedule::clock::now());
}

void payment_follower::failed(std::string const& key) {
    schedule_.failed(key, retry_schedule::clock::now());
}

} // namespace sluice::bundle
