#pragma once

#include "sluice-gate/payment_provider.hpp"

#include <string_view>

namespace sluice::gate::stripe {

// Stripe's answers and events in the gate's terms (payment_provider.hpp), from the bytes Stripe sends: each
// reader takes the HTTP status and body of one call and never throws. An answer the gate cannot read is a
// `transient` failure when its status says the outcome is unknown (5xx, 409 key in use, 429), else
// `rejected`, with Stripe's own message kept for the creator.

provider_answer<checkout_session> read_checkout_session(int status, std::string_view body);
provider_answer<std::string> read_customer(int status, std::string_view body); // the customer's id
// 200 with the PaymentIntent, or 402 with a card error naming it.
provider_answer<charge_outcome> read_charge(int status, std::string_view body);
provider_answer<refund_outcome> read_refund(int status, std::string_view body);
provider_answer<bool> read_detached(int status, std::string_view body);
provider_answer<provider_page<provider_payment>> read_payment_list(int status, std::string_view body);
provider_answer<provider_page<provider_refund>> read_refund_list(int status, std::string_view body);

// A webhook's event (after its signature was checked): nullopt when the body is not a Stripe event.
std::optional<provider_event> read_event(std::string_view body);

// The failure an HTTP status means when the body is not the expected object.
provider_failure failure_of_status(int status);

} // namespace sluice::gate::stripe
