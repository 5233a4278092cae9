#pragma once

#include "sluice-gate/gate_store.hpp"
#include "sluice-gate/mailer.hpp"
#include "sluice-gate/payment_provider.hpp"
#include "sluice-gate/rate_limiter.hpp"

#include <sluice/protocol/keys.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

namespace sluice::gate {

// What the request handlers share: the store, the gate's signing key, the mailer, the payment provider, the
// admin token, the rate limits and the clocks. Owned by one thread: a gate serving on several threads
// (`serve --threads`) gives each its own context, with its own store connection and provider, and only the
// rate limiters (which lock) are shared among them. Tests build one with their own store and clocks.
struct gate_context {
    gate_store& store;
    protocol::signing_keypair gate_key;
    std::string public_url; // where viewers reach this gate, "" when not configured
    gate::mailer mailer;
    // Who takes payments; null when none is configured (the pay gate then answers 503).
    std::shared_ptr<payment_provider const> payments = nullptr;
    // How failed charges of funded campaigns are retried, and what to wake when a pledge's money may move
    // (the charge run, when this process runs one: on a thread of its own, so waking it only posts there).
    charge_policy charges = {};
    std::function<void()> wake_charges = [] {};
    // The bearer token of the /v1/admin endpoints; "" when they are off (every admin path is then 404).
    std::string admin_token = {};
    // What signs the translations approved through the admin endpoints (`serve --translation-key`): a key
    // the bundles' manifests list as a translation key; none when approvals are made on the command line.
    std::optional<protocol::signing_keypair> translation_key = std::nullopt;
    // The terms a translator agrees to (`serve --translation-licence`): listed with the translations, shown
    // by the editor before sending, and the only licence a submission may name.
    std::string translation_licence = "CC-BY-4.0";

    // The TCP peer whose X-Forwarded-For names the client (a reverse proxy on this machine, say): "" when
    // the peer is always the client (client_address.hpp).
    std::string trusted_proxy = {};

    // Email unlocks: per normalised address, and per client address across every email endpoint. Shared by
    // the contexts of one process, so a limit holds per gate process whichever thread a request lands on;
    // several gates behind a load balancer each count their own (its limits, nginx `limit_req`, hold across).
    std::shared_ptr<rate_limiter> per_address = std::make_shared<rate_limiter>(5, std::chrono::minutes(10));
    std::shared_ptr<rate_limiter> per_ip = std::make_shared<rate_limiter>(30, std::chrono::minutes(10));

    // Translations submitted (translation_handlers.hpp) per client address.
    std::shared_ptr<rate_limiter> translations_per_ip =
        std::make_shared<rate_limiter>(10, std::chrono::hours(1));

    // Dashboard logins (dashboard_handlers.hpp) tried per client address.
    std::shared_ptr<rate_limiter> admin_logins = std::make_shared<rate_limiter>(10, std::chrono::minutes(10));

    // Whether landing pages count their views (view_handlers.hpp); when not, they carry no script.
    bool count_views = true;
    // Landing-page views counted per client address (view_handlers.hpp): beyond this, views are not counted.
    std::shared_ptr<rate_limiter> views_per_ip =
        std::make_shared<rate_limiter>(120, std::chrono::minutes(10));
    // Play reports (play_handlers.hpp) counted per client address: a host sends one now and then, so a few
    // dozen cover a household or an office behind one address.
    std::shared_ptr<rate_limiter> plays_per_ip = std::make_shared<rate_limiter>(60, std::chrono::minutes(10));
    // The day's view salt as this context last read it from the store (the day -1 before the first view).
    struct day_salt {
        std::int64_t day = -1;
        std::string salt;
    } views_salt = {};

    std::chrono::seconds code_lifetime{15 * 60};
    int max_code_attempts = 5;

    std::function<std::chrono::system_clock::time_point()> now = [] {
        return std::chrono::system_clock::now();
    };
    std::function<rate_limiter::clock::time_point()> steady_now = [] { return rate_limiter::clock::now(); };

    // now() in whole seconds since the epoch, as the store keeps times.
    std::int64_t unix_now() const {
        return std::chrono::duration_cast<std::chrono::seconds>(now().time_since_epoch()).count();
    }
};

} // namespace sluice::gate
