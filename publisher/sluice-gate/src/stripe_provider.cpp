#include "sluice-gate/stripe_provider.hpp"

#include "sluice-gate/stripe_form.hpp"
#include "sluice-gate/stripe_objects.hpp"

#include <sluice/net/http_client.hpp>

#include <boost/asio/steady_timer.hpp>

#include <algorithm>
#include <cctype>

namespace sluice::gate {

struct stripe_call {
    net::outgoing_request request;
    std::function<void(stripe_reply)> done;
    int attempts = 0;
};

namespace {

std::string lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
    return s;
}

template <typename T, typename Read>
std::function<void(stripe_reply)> reading(Read read, payment_provider::callback<T> done) {
    return [read, done = std::move(done)](stripe_reply r) {
        if (r.status == 0) {
            provider_answer<T> out;
            out.failure = provider_failure::transient;
            out.error = r.error;
            return done(std::move(out));
        }
        done(read(r.status, r.body));
    };
}

} // namespace

stripe_provider::stripe_provider(boost::asio::io_context& io, stripe_config config)
    : io_(io), config_(std::move(config)) {
    if (!config_.api_base.ends_with('/')) {
        config_.api_base.push_back('/');
    }
}

void stripe_provider::call(std::string method, std::string path, std::string body,
                           std::string idempotency_key, std::function<void(stripe_reply)> done) const {
    auto pending = std::make_shared<stripe_call>();
    auto& r = pending->request;
    r.method = std::move(method);
    r.url = config_.api_base + path;
    r.body = std::move(body);
    if (r.method == "POST") {
        r.content_type = "application/x-www-form-urlencoded";
    }
    r.accept = "application/json";
    r.headers.emplace_back("Authorization", "Bearer " + config_.secret_key);
    if (!idempotency_key.empty()) {
        r.headers.emplace_back("Idempotency-Key", std::move(idempotency_key));
    }
    // Lists of a hundred payments are the largest answers.
    r.max_response_bytes = 4 * 1024 * 1024;
    r.timeout = config_.timeout;
    pending->done = std::move(done);
    attempt(std::move(pending));
}

void stripe_provider::attempt(std::shared_ptr<stripe_call> pending) const {
    ++pending->attempts;
    net::send_request(io_, pending->request, [this, pending](net::incoming_response res) {
        stripe_reply reply;
        if (res.ok) {
            reply.status = res.status;
            reply.body = std::move(res.body);
        } else {
            reply.error = "the provider could not be reached: " + res.error;
        }
        bool const unknown = !res.ok || stripe::failure_of_status(res.status) == provider_failure::transient;
        // A GET may be repeated freely; a POST only with its key, which every POST here has.
        if (unknown && pending->attempts < config_.max_attempts) {
            auto timer = std::make_shared<boost::asio::steady_timer>(io_);
            timer->expires_after(config_.first_retry_delay * (1 << (pending->attempts - 1)));
            timer->async_wait([this, pending, timer](boost::system::error_code const&) { attempt(pending); });
            return;
        }
        pending->done(std::move(reply));
    });
}

void stripe_provider::create_checkout(checkout_request request, callback<checkout_session> done) const {
    auto const setup = request.mode == checkout_request::kind::setup;
    auto const currency = lower(request.currency);
    auto const reference = request.references.empty() ? std::string() : request.references.front().second;
    auto const open_session = [this, request, setup, currency, reference, done](std::string const& customer) {
        stripe_form form;
        form.add("mode", setup ? "setup" : "payment")
            .add("success_url", request.success_url)
            .add("cancel_url", request.cancel_url)
            .add("client_reference_id", reference)
            .add_map("metadata", request.references);
        if (setup) {
            form.add("customer", customer)
                .add("currency", currency)
                .add("setup_intent_data[description]", request.description)
                .add_map("setup_intent_data[metadata]", request.references);
        } else {
            form.add("line_items[0][price_data][currency]", currency)
                .add("line_items[0][price_data][unit_amount]", request.amount)
                .add("line_items[0][price_data][product_data][name]", request.description)
                .add("line_items[0][quantity]", std::uint64_t{1})
                .add("payment_intent_data[description]", request.description)
                .add_map("payment_intent_data[metadata]", request.references);
        }
        call("POST", "v1/checkout/sessions", form.body(), request.idempotency_key,
             reading<checkout_session>(stripe::read_checkout_session, done));
    };
    if (!setup) {
        return open_session(std::string());
    }
    // A saved method is charged later as the customer's: the customer comes first, under its own key.
    stripe_form customer;
    customer.add_map("metadata", request.references);
    call("POST", "v1/customers", customer.body(), request.idempotency_key + "-customer",
         reading<std::string>(stripe::read_customer,
                              callback<std::string>([open_session, done](provider_answer<std::string> c) {
                                  if (!c.value) {
                                      provider_answer<checkout_session> out;
                                      out.failure = c.failure;
                                      out.error = std::move(c.error);
                                      return done(std::move(out));
                                  }
                                  open_session(*c.value);
                              })));
}

void stripe_provider::charge(charge_request request, callback<charge_outcome> done) const {
    stripe_form form;
    form.add("amount", request.amount)
        .add("currency", lower(request.currency))
        .add("customer", request.customer)
        .add("payment_method", request.payment_method)
        .add("off_session", "true")
        .add("confirm", "true")
        .add("description", request.description)
        .add_map("metadata", request.references);
    call("POST", "v1/payment_intents", form.body(), request.idempotency_key,
         reading<charge_outcome>(stripe::read_charge, std::move(done)));
}

void stripe_provider::refund(refund_request request, callback<refund_outcome> done) const {
    stripe_form form;
    form.add("payment_intent", request.provider_payment_id)
        .add("amount", request.amount)
        .add_map("metadata", request.references);
    call("POST", "v1/refunds", form.body(), request.idempotency_key,
         reading<refund_outcome>(stripe::read_refund, std::move(done)));
}

void stripe_provider::release(std::string payment_method, std::string idempotency_key,
                              callback<bool> done) const {
    call("POST", "v1/payment_methods/" + form_escape(payment_method) + "/detach", {},
         std::move(idempotency_key), reading<bool>(stripe::read_detached, std::move(done)));
}

void stripe_provider::list_payments(std::string cursor,
                                    callback<provider_page<provider_payment>> done) const {
    auto path = std::string("v1/payment_intents?limit=100");
    if (!cursor.empty()) {
        path += "&starting_after=" + form_escape(cursor);
    }
    call("GET", path, {}, {},
         reading<provider_page<provider_payment>>(stripe::read_payment_list, std::move(done)));
}

void stripe_provider::list_refunds(std::string cursor, callback<provider_page<provider_refund>> done) const {
    auto path = std::string("v1/refunds?limit=100");
    if (!cursor.empty()) {
        path += "&starting_after=" + form_escape(cursor);
    }
    call("GET", path, {}, {},
         reading<provider_page<provider_refund>>(stripe::read_refund_list, std::move(done)));
}

webhook_check stripe_provider::check_webhook(gate_request const& request, std::int64_t now) const {
    return check_webhook_signature(request.header("stripe-signature"), config_.webhook_secret, request.body,
                                   now);
}

std::optional<provider_event> stripe_provider::read_event(std::string_view body) const {
    return stripe::read_event(body);
}

} // namespace sluice::gate
