#pragma once

#include "sluice-gate/http_types.hpp"
#include "sluice-gate/webhook_signature.hpp"

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sluice::gate {

// The service that takes the backers' money, as the gate uses it: the calls every real provider offers
// (Stripe, Mollie, Adyen, PayPal each have them under other names) and nothing of one provider's wire
// format, which stays in its adapter (stripe_provider.hpp). The gate never sees a card: it creates a
// checkout, sends the viewer (through the host) to the provider's page, learns the outcome from the
// provider's signed webhooks, and charges a saved payment method itself when a campaign is funded.
//
// Every call that changes something at the provider carries an idempotency key the gate wrote down before
// the call: the adapter retries a call whose answer was lost with the same key, and so does the gate after a
// crash, and the provider carries out each key once. That is what makes "nobody is charged twice" hold.
// Calls complete on the gate's io_context thread; `done` is called exactly once.

// Why a call has no answer to act on.
enum class provider_failure {
    none,
    // Unknown outcome (network, timeout, 5xx, rate limit, key in use): call again with the same key.
    transient,
    // The provider refused the request itself (4xx other than a card's answer): calling again is useless.
    rejected,
};

template <typename T>
struct provider_answer {
    std::optional<T> value;
    provider_failure failure = provider_failure::none;
    std::string error; // for a person (the log, the creator's command line)
};

// A hosted checkout page: a one-off payment, or saving a payment method for a later off-session charge.
struct checkout_request {
    enum class kind { payment, setup };
    kind mode = kind::payment;
    std::uint64_t amount = 0; // minor units; payment mode only
    std::string currency;     // ISO 4217, either case; for setup, the currency of the later charge
    std::string description;  // what is bought, shown on the provider's page
    std::string success_url;
    std::string cancel_url;
    // The gate's own ids, carried in the provider's metadata so its webhooks and records name them.
    std::vector<std::pair<std::string, std::string>> references;
    std::string idempotency_key;
};

struct checkout_session {
    std::string id;  // the provider's
    std::string url; // the page the viewer opens
};

// An off-session charge of a saved payment method.
struct charge_request {
    std::uint64_t amount = 0;
    std::string currency;
    std::string customer;       // the provider's customer id the method is saved to
    std::string payment_method; // the provider's id of the saved method
    std::string description;
    std::vector<std::pair<std::string, std::string>> references;
    std::string idempotency_key;
};

struct charge_outcome {
    enum class status {
        succeeded,
        declined,        // the bank refused (insufficient funds, a blocked card...)
        requires_action, // the bank wants the backer to authenticate (SCA): only they can fix it
    };
    status result = status::succeeded;
    std::string provider_id; // the provider's payment id, also when declined
    std::string decline_code;
    std::string message; // the provider's words, for the backer's notice
};

struct refund_request {
    std::string provider_payment_id;
    std::uint64_t amount = 0; // minor units
    std::vector<std::pair<std::string, std::string>> references;
    std::string idempotency_key;
};

struct refund_outcome {
    std::string provider_id;
    std::uint64_t amount = 0;
};

// One payment as the provider's own records have it, for reconciliation.
struct provider_payment {
    std::string id;
    std::uint64_t amount = 0;
    std::uint64_t amount_refunded = 0;
    std::string currency; // upper case
    bool succeeded = false;
    std::vector<std::pair<std::string, std::string>> references;
    std::int64_t created = 0;

    std::string const* reference(std::string_view name) const {
        for (auto const& [k, v] : references) {
            if (k == name) {
                return &v;
            }
        }
        return nullptr;
    }
};

// One refund as the provider's records have it.
struct provider_refund {
    std::string id;
    std::string provider_payment_id;
    std::uint64_t amount = 0;
    bool succeeded = false;
};

// A page of a provider's list, newest first; `next_cursor` is "" on the last page.
template <typename T>
struct provider_page {
    std::vector<T> items;
    std::string next_cursor;
};

// What a webhook tells the gate, once its signature is checked, in the gate's terms.
struct provider_event {
    enum class kind {
        payment_succeeded, // a one-off checkout was paid
        payment_expired,   // a one-off checkout ended unpaid
        method_saved,      // a setup checkout saved a payment method
        setup_completed,   // a setup checkout ended, with the address the backer gave the provider
        charge_succeeded,  // an off-session charge succeeded
        charge_failed,     // an off-session charge failed
        refunded,          // a refund went through
        ignored,           // an event the gate does not act on (still acknowledged)
    };
    std::string id; // the provider's event id: each is applied once
    kind what = kind::ignored;
    std::string type; // the provider's own name for it, for the log
    std::vector<std::pair<std::string, std::string>> references;
    std::string customer;
    std::string payment_method;
    std::string provider_payment_id;
    std::string email; // the address the viewer gave on the provider's page, if the event carries it
    std::int64_t created = 0;

    std::string reference(std::string_view name) const {
        for (auto const& [k, v] : references) {
            if (k == name) {
                return v;
            }
        }
        return {};
    }
};

// The names the gate gives its references at the provider.
namespace reference {
inline constexpr char const* payment = "sluice_payment";   // a pay-what-you-want payment id
inline constexpr char const* pledge = "sluice_pledge";     // a pledge id
inline constexpr char const* campaign = "sluice_campaign"; // the pledge's campaign
inline constexpr char const* charge = "sluice_charge";     // the charge's idempotency key
} // namespace reference

class payment_provider {
public:
    template <typename T>
    using callback = std::function<void(provider_answer<T>)>;

    virtual ~payment_provider() = default;

    virtual void create_checkout(checkout_request request, callback<checkout_session> done) const = 0;
    virtual void charge(charge_request request, callback<charge_outcome> done) const = 0;
    virtual void refund(refund_request request, callback<refund_outcome> done) const = 0;
    // Forgets a saved payment method (a pledge cancelled, a campaign failed): it can never be charged again.
    virtual void release(std::string payment_method, std::string idempotency_key,
                         callback<bool> done) const = 0;
    // The provider's payments and refunds, newest first, a page from `cursor` ("" for the first).
    virtual void list_payments(std::string cursor, callback<provider_page<provider_payment>> done) const = 0;
    virtual void list_refunds(std::string cursor, callback<provider_page<provider_refund>> done) const = 0;

    // Whether the request is a webhook this provider signed (the body exactly as it arrived), and then
    // what it says: nullopt when the body is not an event of the provider's format.
    virtual webhook_check check_webhook(gate_request const& request, std::int64_t now) const = 0;
    virtual std::optional<provider_event> read_event(std::string_view body) const = 0;
};

} // namespace sluice::gate
