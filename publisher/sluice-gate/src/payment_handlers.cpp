#include "sluice-gate/payment_handlers.hpp"

#include "sluice-gate/api_error.hpp"
#include "sluice-gate/bundle_lookup.hpp"
#include "sluice-gate/checkout_pages.hpp"
#include "sluice-gate/email_address.hpp"
#include "sluice-gate/idempotency.hpp"
#include "sluice-gate/request_body.hpp"
#include "sluice-gate/token_issuer.hpp"
#include "sluice-gate/webhook_signature.hpp"

#include <sluice/protocol/strict_object.hpp>
#include <sluice/protocol/untrusted_json.hpp>

#include <algorithm>

namespace sluice::gate {

namespace {

using nlohmann::json;
using protocol::strict_object;

constexpr std::size_t max_event_id = 128;

gate_response no_payment() {
    return error_response(404, error_code::payment_not_found, "no payment with that id");
}

gate_response no_provider() {
    return error_response(503, error_code::payments_unavailable, "this gate takes no payments");
}

gate_response untrusted_gate() {
    return error_response(503, error_code::gate_misconfigured,
                          "this gate's key is not one the bundle trusts");
}

// Payment ids are the gate's own (generate_token_id): 22 base64url characters. Anything else is no payment,
// and never reaches the store.
bool is_payment_id(std::string_view id) {
    return id.size() == 22 && std::all_of(id.begin(), id.end(), [](char c) {
               return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                      c == '-' || c == '_';
           });
}

bool is_visible_ascii(std::string_view s) {
    return std::all_of(s.begin(), s.end(), [](char c) { return c > 0x20 && c < 0x7f; });
}

gate_response replay(payment_record const& existing) {
    auto res = json_response(existing.response, 201);
    res.headers.emplace_back("Idempotent-Replayed", "true");
    return res;
}

} // namespace

namespace {

// Opens the provider's checkout for a recorded payment and answers with it; the first answer is stored for
// retries of the same request. The key makes every retry open the same checkout.
void open_payment_checkout(gate_context& ctx, payment_record payment, std::string description,
                           responder const& respond) {
    if (auto busy = lease_checkout(ctx, checkout_of::payment, payment.payment_id)) {
        return respond(*busy);
    }
    checkout_request request;
    request.mode = checkout_request::kind::payment;
    request.amount = payment.amount;
    request.currency = payment.currency;
    request.description = std::move(description);
    request.success_url = checkout_return_url(ctx.public_url, true);
    request.cancel_url = checkout_return_url(ctx.public_url, false);
    request.references = {{reference::payment, payment.payment_id}};
    request.idempotency_key = "sluice-pay-" + payment.payment_id;
    ctx.payments->create_checkout(
        std::move(request), [&ctx, payment, respond](provider_answer<checkout_session> answer) {
            if (!answer.value) {
                end_checkout_lease(ctx, checkout_of::payment, payment.payment_id);
                return respond(error_response(502, error_code::payment_provider_failed,
                                              "the payment provider could not open its page (" +
                                                  answer.error + "); retry with the same Idempotency-Key"));
            }
            json const body{{"paymentId", payment.payment_id},
                            {"bundleId", payment.bundle_id},
                            {"state", "pending"},
                            {"amount", payment.amount},
                            {"currency", payment.currency},
                            {"checkoutUrl", answer.value->url}};
            std::error_code ec;
            ctx.store.set_payment_response(payment.payment_id, protocol::dump_compact(body), ec);
            auto const stored = ec ? std::nullopt : ctx.store.find_payment(payment.payment_id, ec);
            if (ec || !stored) {
                return respond(storage_failed(ec));
            }
            respond(json_response(stored->response, 201));
        });
}

} // namespace

void handle_pay(gate_context& ctx, gate_request const& req, std::string_view bundle_id,
                responder const& respond) {
    auto const key = idempotency_key(req);
    if (!key) {
        return respond(idempotency_key_required());
    }
    std::string device_text;
    std::uint64_t amount = 0;
    std::string currency;
    if (auto bad = read_json_body(req.body, [&](json const& v) {
            strict_object const o(v, "", {"device", "amount", "currency"});
            device_text = o.string("device", 1, 128);
            amount = o.integer("amount", 0, protocol::max_safe_integer);
            currency = o.string("currency", 1, 16);
        })) {
        return respond(*bad);
    }
    auto const device = protocol::decode_public_key("x25519", device_text);
    if (!device) {
        return respond(error_response(400, error_code::invalid_device,
                                      "device must be \"x25519:<base64 of 32 bytes>\""));
    }
    auto found = lookup_bundle(ctx, bundle_id);
    if (!found.bundle) {
        return respond(found.error);
    }
    auto const& bundle = *found.bundle;
    auto const device_key = protocol::encode_public_key("x25519", *device);
    auto const request_hash = request_digest(std::to_string(amount) + "\n" + currency + "\n" + device_key);
    auto const description = "Pay what you want: " + bundle.manifest.title;
    std::error_code ec;
    // A retry is answered before any rule is applied again: the payment exists, whatever changed since.
    auto resume = [&](payment_record const& existing) {
        if (existing.request_hash != request_hash) {
            return respond(error_response(422, error_code::idempotency_key_reused,
                                          "this Idempotency-Key was used for another payment request"));
        }
        if (existing.response.empty()) {
            return ctx.payments ? open_payment_checkout(ctx, existing, description, respond)
                                : respond(no_provider());
        }
        respond(replay(existing));
    };
    if (auto const existing = ctx.store.find_payment_by_key(bundle.manifest.id, *key, ec)) {
        return resume(*existing);
    }
    if (ec) {
        return respond(storage_failed(ec));
    }
    auto const& gate = bundle.manifest.gates.pay;
    if (!gate || !offers_gate(bundle.manifest, protocol::gate_kind::pay)) {
        return respond(error_response(404, error_code::gate_not_offered,
                                      "this bundle has nothing to unlock by payment"));
    }
    if (!trusts_gate_key(bundle.manifest, ctx.gate_key)) {
        return respond(untrusted_gate());
    }
    if (!ctx.payments) {
        return respond(no_provider());
    }
    if (currency != gate->currency) {
        return respond(
            error_response(400, error_code::currency_mismatch, "this bundle is paid in " + gate->currency));
    }
    if (amount < gate->minimum) {
        return respond(error_response(400, error_code::amount_too_low,
                                      "the payment is at least " + std::to_string(gate->minimum) + " " +
                                          gate->currency));
    }

    payment_record payment;
    payment.payment_id = protocol::generate_token_id();
    payment.bundle_id = bundle.manifest.id;
    payment.idempotency_key = *key;
    payment.request_hash = request_hash;
    payment.amount = amount;
    payment.currency = gate->currency;
    payment.device = device_key;
    payment.created_at = ctx.unix_now();
    std::optional<payment_record> existing;
    auto const outcome = ctx.store.add_payment(payment, existing, ec);
    if (ec) {
        return respond(storage_failed(ec));
    }
    if (outcome == payment_outcome::existing) {
        return resume(*existing);
    }
    open_payment_checkout(ctx, std::move(payment), description, respond);
}

gate_response handle_payment_status(gate_context& ctx, std::string_view payment_id) {
    if (!is_payment_id(payment_id)) {
        return no_payment();
    }
    std::error_code ec;
    auto const payment = ctx.store.find_payment(payment_id, ec);
    if (ec) {
        return storage_failed(ec);
    }
    if (!payment) {
        return no_payment();
    }
    json out{{"paymentId", payment->payment_id},
             {"bundleId", payment->bundle_id},
             {"state", payment->state},
             {"amount", payment->amount},
             {"currency", payment->currency}};
    if (payment->state == "paid") {
        auto token = payment->token;
        if (token.empty()) {
            auto found = lookup_bundle(ctx, payment->bundle_id);
            if (!found.bundle) {
                return found.error;
            }
            if (!trusts_gate_key(found.bundle->manifest, ctx.gate_key)) {
                return untrusted_gate();
            }
            auto const device = protocol::decode_public_key("x25519", payment->device);
            auto const unlock = grant_unlock(ctx, *found.bundle, protocol::gate_kind::pay,
                                             {protocol::grantee_kind::payment, payment->payment_id}, *device);
            if (!unlock) {
                return error_response(404, error_code::gate_not_offered,
                                      "the bundle has nothing to unlock by payment");
            }
            token = ctx.store.record_payment_unlock(payment->payment_id, *unlock, ec);
            if (ec) {
                return storage_failed(ec);
            }
        }
        out["token"] = token;
    }
    return json_response(protocol::dump_compact(out));
}

namespace {

gate_response received(event_outcome outcome) {
    json out{{"received", true}};
    if (outcome == event_outcome::duplicate) {
        out["duplicate"] = true;
    } else if (outcome == event_outcome::ignored) {
        out["ignored"] = true;
    }
    return json_response(protocol::dump_compact(out));
}

// A payment's checkout paid or expired.
gate_response apply_payment(gate_context& ctx, provider_event const& e) {
    auto const payment_id = e.reference(reference::payment);
    if (!is_payment_id(payment_id)) {
        return no_payment();
    }
    std::error_code ec;
    auto const outcome = ctx.store.apply_payment_event(e.id, payment_id,
                                                       e.what == provider_event::kind::payment_succeeded
                                                           ? payment_event_type::succeeded
                                                           : payment_event_type::failed,
                                                       ctx.unix_now(), ec);
    if (ec) {
        return storage_failed(ec);
    }
    switch (outcome) {
    case payment_event_outcome::applied:
        return received(event_outcome::applied);
    case payment_event_outcome::duplicate:
        return received(event_outcome::duplicate);
    case payment_event_outcome::conflict:
        return error_response(409, error_code::payment_state_conflict,
                              "the payment is settled otherwise; a paid payment stays paid");
    case payment_event_outcome::no_payment:
        return no_payment();
    }
    return storage_failed();
}

} // namespace

gate_response handle_payment_webhook(gate_context& ctx, gate_request const& req) {
    if (!ctx.payments) {
        return no_provider();
    }
    // The signature is checked over the body exactly as it arrived, before anything reads it.
    switch (ctx.payments->check_webhook(req, ctx.unix_now())) {
    case webhook_check::valid:
        break;
    case webhook_check::malformed_header:
        return error_response(400, error_code::invalid_signature_header,
                              "a signature header \"t=<unix seconds>,v1=<hex HMAC-SHA256>\" is required");
    case webhook_check::expired:
        return error_response(400, error_code::signature_expired,
                              "the signature's time is more than 300 seconds from the gate's clock");
    case webhook_check::bad_signature:
        return error_response(401, error_code::invalid_signature, "the signature does not match the body");
    }
    auto const event = ctx.payments->read_event(req.body);
    if (!event || event->id.empty() || event->id.size() > max_event_id || !is_visible_ascii(event->id)) {
        return error_response(400, error_code::invalid_request,
                              "the body is not one of the provider's events");
    }
    auto const now = ctx.unix_now();
    std::error_code ec;
    using kind = provider_event::kind;
    auto outcome = event_outcome::ignored;
    switch (event->what) {
    case kind::payment_succeeded:
    case kind::payment_expired:
        return apply_payment(ctx, *event);
    case kind::method_saved:
        outcome = ctx.store.save_pledge_method(event->id, event->reference(reference::pledge),
                                               event->customer, event->payment_method, now, ec);
        break;
    case kind::setup_completed: {
        // Only an address the gate would accept from the viewer itself is kept.
        auto const address = normalise_email(event->email).address;
        outcome = address ? ctx.store.set_pledge_email(event->id, event->reference(reference::pledge),
                                                       *address, now, ec)
                          : ctx.store.note_event(event->id, event->type, now, ec);
        break;
    }
    case kind::charge_succeeded:
    case kind::charge_failed:
        outcome = ctx.store.settle_charge_by_event(
            event->id,
            {event->reference(reference::charge),
             event->reference(reference::pledge),
             event->what == kind::charge_succeeded ? "succeeded" : "declined",
             event->provider_payment_id,
             {}},
            now, ctx.charges, ec);
        break;
    case kind::refunded:
    case kind::ignored:
        // Acknowledged, or the provider would send it again for days; kept so a replay is told apart.
        outcome = ctx.store.note_event(event->id, event->type, now, ec);
        break;
    }
    if (ec) {
        return storage_failed(ec);
    }
    if (outcome == event_outcome::applied) {
        ctx.wake_charges();
    }
    return received(outcome);
}

} // namespace sluice::gate
