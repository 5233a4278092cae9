#include "sluice-gate/stripe_objects.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>

namespace sluice::gate::stripe {

namespace {

using nlohmann::json;

// The provider is reached over TLS with the creator's key, and its webhooks are signed: what it answers is
// trusted to be Stripe's, but still read without assuming any member is there or of its kind.
json parse(std::string_view body) {
    return json::parse(body, nullptr, false);
}

std::string text(json const& o, char const* name) {
    if (!o.is_object()) {
        return {};
    }
    auto const it = o.find(name);
    return it != o.end() && it->is_string() ? it->get<std::string>() : std::string();
}

std::uint64_t count(json const& o, char const* name) {
    if (!o.is_object()) {
        return 0;
    }
    auto const it = o.find(name);
    return it != o.end() && it->is_number_unsigned() ? it->get<std::uint64_t>() : 0;
}

std::int64_t seconds(json const& o, char const* name) {
    if (!o.is_object()) {
        return 0;
    }
    auto const it = o.find(name);
    return it != o.end() && it->is_number_integer() ? it->get<std::int64_t>() : 0;
}

// An id field that may be a string or an expanded object holding one.
std::string id_of(json const& o, char const* name) {
    if (!o.is_object()) {
        return {};
    }
    auto const it = o.find(name);
    if (it == o.end()) {
        return {};
    }
    return it->is_object() ? text(*it, "id") : (it->is_string() ? it->get<std::string>() : std::string());
}

std::vector<std::pair<std::string, std::string>> metadata(json const& o) {
    std::vector<std::pair<std::string, std::string>> out;
    if (!o.is_object() || !o.contains("metadata") || !o["metadata"].is_object()) {
        return out;
    }
    for (auto const& [k, v] : o["metadata"].items()) {
        if (v.is_string()) {
            out.emplace_back(k, v.get<std::string>());
        }
    }
    return out;
}

std::string upper(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::toupper(c); });
    return s;
}

template <typename T>
provider_answer<T> failed(provider_failure why, std::string error) {
    provider_answer<T> out;
    out.failure = why;
    out.error = std::move(error);
    return out;
}

// Stripe's error object, {"error": {"type", "code", "message", ...}}, as a failure of the call.
template <typename T>
provider_answer<T> error_answer(int status, json const& body) {
    auto const& error = body.is_object() && body.contains("error") ? body["error"] : json();
    auto message = text(error, "message");
    if (message.empty()) {
        message = "the provider answered HTTP " + std::to_string(status);
    }
    auto const code = text(error, "code");
    if (!code.empty()) {
        message += " (" + code + ")";
    }
    return failed<T>(failure_of_status(status), "HTTP " + std::to_string(status) + ": " + message);
}

template <typename T>
provider_answer<T> success(T value) {
    provider_answer<T> out;
    out.value = std::move(value);
    return out;
}

// The object a 200 carries, of the `object` kind expected; else the failure the answer means.
template <typename T>
std::optional<provider_answer<T>> unexpected(int status, json const& body, char const* object) {
    if (status != 200) {
        return error_answer<T>(status, body);
    }
    if (!body.is_object() || text(body, "object") != object || text(body, "id").empty()) {
        return failed<T>(provider_failure::transient,
                         std::string("the provider's answer is not a ") + object + " object");
    }
    return std::nullopt;
}

charge_outcome outcome_of(json const& intent) {
    charge_outcome out;
    out.provider_id = text(intent, "id");
    auto const status = text(intent, "status");
    out.result = status == "succeeded"         ? charge_outcome::status::succeeded
                 : status == "requires_action" ? charge_outcome::status::requires_action
                                               : charge_outcome::status::declined;
    auto const& last =
        intent.is_object() && intent.contains("last_payment_error") ? intent["last_payment_error"] : json();
    out.decline_code = text(last, "decline_code");
    out.message = text(last, "message");
    return out;
}

template <typename T, typename Read>
provider_answer<provider_page<T>> read_list(int status, std::string_view text_body, Read read_item) {
    auto const body = parse(text_body);
    if (status != 200) {
        return error_answer<provider_page<T>>(status, body);
    }
    if (!body.is_object() || text(body, "object") != "list" || !body.contains("data") ||
        !body["data"].is_array()) {
        return failed<provider_page<T>>(provider_failure::transient, "the provider's answer is not a list");
    }
    provider_page<T> page;
    for (auto const& item : body["data"]) {
        page.items.push_back(read_item(item));
    }
    auto const more = body.find("has_more");
    if (more != body.end() && more->is_boolean() && more->get<bool>() && !page.items.empty()) {
        // A page's cursor is the last item's id (Stripe's `starting_after`).
        page.next_cursor = body["data"].back().value("id", "");
    }
    return success(std::move(page));
}

} // namespace

provider_failure failure_of_status(int status) {
    // 409: the idempotency key is in use by a request still running; 429: rate limited; 5xx: Stripe's
    // trouble. In each the outcome is unknown or not yet reached, and the same key may be sent again.
    return status == 409 || status == 429 || status >= 500 || status == 0 ? provider_failure::transient
                                                                          : provider_failure::rejected;
}

provider_answer<checkout_session> read_checkout_session(int status, std::string_view text_body) {
    auto const body = parse(text_body);
    if (auto bad = unexpected<checkout_session>(status, body, "checkout.session")) {
        return *bad;
    }
    auto url = text(body, "url");
    if (!(url.starts_with("https://") || url.starts_with("http://")) || url.size() > 2048) {
        return failed<checkout_session>(provider_failure::rejected, "the checkout session has no usable url");
    }
    return success(checkout_session{text(body, "id"), std::move(url)});
}

provider_answer<std::string> read_customer(int status, std::string_view text_body) {
    auto const body = parse(text_body);
    if (auto bad = unexpected<std::string>(status, body, "customer")) {
        return *bad;
    }
    return success(text(body, "id"));
}

provider_answer<charge_outcome> read_charge(int status, std::string_view text_body) {
    auto const body = parse(text_body);
    if (status == 402) {
        // A card error: the bank's answer, the outcome of the charge (not a failure of the call).
        auto const& error = body.is_object() && body.contains("error") ? body["error"] : json();
        if (text(error, "type") != "card_error") {
            return error_answer<charge_outcome>(status, body);
        }
        charge_outcome out;
        out.provider_id = id_of(error, "payment_intent");
        auto const code = text(error, "code");
        out.result = code == "authentication_required" ? charge_outcome::status::requires_action
                                                       : charge_outcome::status::declined;
        out.decline_code = text(error, "decline_code");
        if (out.decline_code.empty()) {
            out.decline_code = code;
        }
        out.message = text(error, "message");
        return success(std::move(out));
    }
    if (auto bad = unexpected<charge_outcome>(status, body, "payment_intent")) {
        return *bad;
    }
    auto const state = text(body, "status");
    if (state == "processing" || state == "requires_confirmation") {
        // Not settled yet: the webhook tells, and asking again with the same key answers the same.
        return failed<charge_outcome>(provider_failure::transient, "the charge is still " + state);
    }
    return success(outcome_of(body));
}

provider_answer<refund_outcome> read_refund(int status, std::string_view text_body) {
    auto const body = parse(text_body);
    if (auto bad = unexpected<refund_outcome>(status, body, "refund")) {
        return *bad;
    }
    auto const state = text(body, "status");
    if (state == "failed" || state == "canceled") {
        return failed<refund_outcome>(provider_failure::rejected, "the refund " + state);
    }
    return success(refund_outcome{text(body, "id"), count(body, "amount")});
}

provider_answer<bool> read_detached(int status, std::string_view text_body) {
    auto const body = parse(text_body);
    if (auto bad = unexpected<bool>(status, body, "payment_method")) {
        return *bad;
    }
    return success(true);
}

provider_answer<provider_page<provider_payment>> read_payment_list(int status, std::string_view body) {
    return read_list<provider_payment>(status, body, [](json const& pi) {
        provider_payment p;
        p.id = text(pi, "id");
        p.amount = count(pi, "amount");
        p.currency = upper(text(pi, "currency"));
        p.succeeded = text(pi, "status") == "succeeded";
        p.references = metadata(pi);
        p.created = seconds(pi, "created");
        return p;
    });
}

provider_answer<provider_page<provider_refund>> read_refund_list(int status, std::string_view body) {
    return read_list<provider_refund>(status, body, [](json const& r) {
        return provider_refund{text(r, "id"), id_of(r, "payment_intent"), count(r, "amount"),
                               text(r, "status") == "succeeded"};
    });
}

std::optional<provider_event> read_event(std::string_view text_body) {
    auto const body = parse(text_body);
    if (!body.is_object() || text(body, "object") != "event" || text(body, "id").empty() ||
        text(body, "type").empty() || !body.contains("data") || !body["data"].is_object() ||
        !body["data"].contains("object") || !body["data"]["object"].is_object()) {
        return std::nullopt;
    }
    auto const& object = body["data"]["object"];
    provider_event e;
    e.id = text(body, "id");
    e.type = text(body, "type");
    e.created = seconds(body, "created");
    e.references = metadata(object);
    e.customer = id_of(object, "customer");
    using kind = provider_event::kind;
    bool const charge = !e.reference(reference::charge).empty();
    if (e.type == "checkout.session.completed" && text(object, "mode") == "payment" &&
        text(object, "payment_status") == "paid") {
        e.what = kind::payment_succeeded;
        e.provider_payment_id = id_of(object, "payment_intent");
    } else if (e.type == "checkout.session.completed" && text(object, "mode") == "setup") {
        e.what = kind::setup_completed;
        auto const& details = object.contains("customer_details") ? object["customer_details"] : json();
        e.email = text(details, "email");
    } else if (e.type == "checkout.session.expired" && text(object, "mode") == "payment") {
        e.what = kind::payment_expired;
    } else if (e.type == "setup_intent.succeeded") {
        e.what = kind::method_saved;
        e.payment_method = id_of(object, "payment_method");
    } else if (e.type == "payment_intent.succeeded" && charge) {
        e.what = kind::charge_succeeded;
        e.provider_payment_id = text(object, "id");
    } else if (e.type == "payment_intent.payment_failed" && charge) {
        e.what = kind::charge_failed;
        e.provider_payment_id = text(object, "id");
    } else if (e.type == "charge.refunded") {
        e.what = kind::refunded;
        e.provider_payment_id = id_of(object, "payment_intent");
    }
    return e;
}

} // namespace sluice::gate::stripe
