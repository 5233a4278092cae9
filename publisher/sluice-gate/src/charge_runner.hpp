#pragma once

#include "sluice-gate/gate_store.hpp"
#include "sluice-gate/payment_provider.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <set>
#include <string>
#include <vector>

namespace sluice::gate {

struct charge_run_settings {
    charge_policy policy;
    std::size_t concurrency = 16; // charges at the provider at once
    // How often the store is looked at when nothing is under way: a campaign another gate closed (its wake
    // reaches only its own process) starts charging within this.
    std::chrono::milliseconds poll{2'000};
    std::chrono::milliseconds unknown_retry{5'000}; // a charge whose outcome is unknown is asked again after
    std::chrono::milliseconds standby_poll{1'000};  // how often a gate that does not run the charges asks
                                                    // whether the one that did is gone
};

// Charges the confirmed pledges of funded campaigns, retries failed charges within their grace period, and
// has the provider forget the methods of cancelled and released pledges, on the gate's io_context. Of the
// gates sharing a database, one runs the charges (gate_store::hold_charge_run) and the others take over when
// it is gone.
//
// Each charge is written to the store (`started`, with the idempotency key the provider gets) before it is
// sent, in batches of up to `concurrency` per transaction; outcomes are recorded in batches too. A charge
// whose answer is lost (the gate killed, the network) stays `started` and is sent again with the same key,
// which the provider answers with the first outcome: a backer is charged at most once whatever happens in
// between. A charge whose outcome stays unknown is never replaced by a new one.
class charge_runner {
public:
    charge_runner(boost::asio::io_context& io, gate_store& store, payment_provider const& provider,
                  charge_run_settings settings, std::function<std::int64_t()> now);

    // Resumes the charges left unsettled by a previous run, then looks for work.
    void start();
    // Something may be chargeable now (a campaign closed, a method saved).
    void wake();
    void stop();

    std::size_t in_flight() const { return in_flight_; }
    // Called with the charges that failed, once their outcome is recorded (to tell their backers).
    void on_failures(std::function<void(std::vector<charge_settlement> const&)> notify) {
        on_failures_ = std::move(notify);
    }

private:
    void fill();
    void send(charge_record charge);
    void send_queued();
    void settle(charge_settlement outcome);
    void flush();
    void release_methods();
    void sleep(std::chrono::milliseconds delay);
    void close_due_campaigns();
    // Whether this gate runs the charges now; on taking the run over, queues what the last run left.
    bool leading();

    boost::asio::io_context& io_;
    gate_store& store_;
    payment_provider const& provider_;
    charge_run_settings settings_;
    std::function<std::int64_t()> now_;
    std::function<void(std::vector<charge_settlement> const&)> on_failures_;

    std::deque<charge_record> to_send_; // written `started`, not at the provider now: claimed ahead, or sent
                                        // before with the outcome unknown (sent again with the same key)
    std::set<std::string> charging_;    // keys at the provider now
    std::vector<charge_settlement> settled_; // outcomes waiting for the next flush
    std::size_t in_flight_ = 0;
    std::size_t releasing_ = 0;
    bool flush_posted_ = false;
    bool stopped_ = false;
    bool woken_ = false; // campaigns to close or methods to release may be waiting
    bool leading_ = false;
    static constexpr std::chrono::seconds housekeeping_interval{1};
    std::chrono::steady_clock::time_point next_housekeeping_{};
    boost::asio::steady_timer timer_;
};

} // namespace sluice::gate
