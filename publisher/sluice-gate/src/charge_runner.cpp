#include "sluice-gate/charge_runner.hpp"

#include "sluice-gate/campaigns.hpp"

#include <boost/asio/post.hpp>

#include <algorithm>
#include <iostream>
#include <iterator>
#include <utility>

namespace sluice::gate {

namespace {

char const* state_of(charge_outcome::status s) {
    switch (s) {
    case charge_outcome::status::succeeded:
        return "succeeded";
    case charge_outcome::status::declined:
        return "declined";
    case charge_outcome::status::requires_action:
        return "requires_action";
    }
    return "declined";
}

void warn(std::string const& line) {
    // stderr is the gate's log (journald under systemd).
    std::cerr << "sluice-gate: " << line << "\n";
}

} // namespace

charge_runner::charge_runner(boost::asio::io_context& io, gate_store& store, payment_provider const& provider,
                             charge_run_settings settings, std::function<std::int64_t()> now)
    : io_(io), store_(store), provider_(provider), settings_(settings), now_(std::move(now)), timer_(io) {}

void charge_runner::start() {
    woken_ = true;
    fill();
}

bool charge_runner::leading() {
    std::error_code ec;
    bool const now_leading = store_.hold_charge_run(ec);
    if (ec) {
        warn("could not tell whether this gate runs the charges: " + ec.message());
    }
    if (now_leading && !leading_) {
        // The charges the last run (this gate's before a restart, or a gate that died) left unsettled are
        // sent again under their keys: the provider answers each with its first outcome.
        for (auto& c : store_.unsettled_charges(ec)) {
            if (!charging_.contains(c.charge_key)) {
                to_send_.push_back(std::move(c));
            }
        }
        if (ec) {
            warn("could not read the unsettled charges: " + ec.message());
        }
        if (!to_send_.empty()) {
            warn("resuming " + std::to_string(to_send_.size()) + " charges sent before (same keys)");
        }
    }
    leading_ = now_leading;
    return leading_;
}

void charge_runner::wake() {
    if (!stopped_) {
        boost::asio::post(io_, [this] {
            woken_ = true;
            fill();
        });
    }
}

void charge_runner::stop() {
    stopped_ = true;
    timer_.cancel();
}

void charge_runner::close_due_campaigns() {
    std::error_code ec;
    for (auto const& id : store_.due_campaigns(now_(), ec)) {
        current_campaign(store_, id, now_(), ec);
    }
}

void charge_runner::fill() {
    if (stopped_) {
        return;
    }
    // Gates sharing a database run one charge run between them; the others stand by to take it over.
    if (!leading()) {
        if (in_flight_ == 0) {
            sleep(settings_.standby_poll);
        }
        return;
    }
    send_queued();
    // Closing campaigns and releasing methods look at the store beyond the charges: done when woken, when
    // idle, and at most every housekeeping interval during a run, not after every one of its answers.
    auto const clock = std::chrono::steady_clock::now();
    bool const housekeeping = std::exchange(woken_, false) || clock >= next_housekeeping_;
    if (housekeeping) {
        next_housekeeping_ = clock + housekeeping_interval;
        close_due_campaigns();
    }
    // New charges in batches: one transaction writes each key before its call. A batch is claimed while the
    // one before is still being sent, so the provider always has `concurrency` calls under way; a claimed
    // charge not yet sent when the gate stops is sent at the next start, under its key, as any other.
    if (to_send_.size() * 2 < settings_.concurrency) {
        std::error_code ec;
        auto claimed = store_.claim_charges(now_(), settings_.concurrency, ec);
        if (ec) {
            warn("could not claim charges: " + ec.message());
        }
        std::move(claimed.begin(), claimed.end(), std::back_inserter(to_send_));
        send_queued();
    }
    if (housekeeping) {
        release_methods();
    }
    if (in_flight_ == 0) {
        std::error_code ec;
        auto const due = store_.next_charge_due(ec);
        auto delay = settings_.poll;
        if (due) {
            auto const until = std::chrono::seconds(std::max<std::int64_t>(0, *due - now_()));
            delay = std::min<std::chrono::milliseconds>(delay, until);
        }
        sleep(std::max(delay, std::chrono::milliseconds(50)));
    }
}

void charge_runner::send_queued() {
    while (in_flight_ < settings_.concurrency && !to_send_.empty()) {
        auto c = std::move(to_send_.front());
        to_send_.pop_front();
        send(std::move(c));
    }
}

void charge_runner::sleep(std::chrono::milliseconds delay) {
    timer_.expires_after(delay);
    timer_.async_wait([this](boost::system::error_code const& e) {
        if (!e) {
            woken_ = true;
            fill();
        }
    });
}

void charge_runner::send(charge_record charge) {
    if (!charging_.insert(charge.charge_key).second) {
        return; // already at the provider
    }
    ++in_flight_;
    charge_request request;
    request.amount = charge.amount;
    request.currency = charge.currency;
    request.customer = charge.customer;
    request.payment_method = charge.payment_method;
    request.description = "Pledge " + charge.pledge_id + " to " + charge.campaign_id;
    request.references = {{reference::pledge, charge.pledge_id},
                          {reference::campaign, charge.campaign_id},
                          {reference::charge, charge.charge_key}};
    request.idempotency_key = charge.charge_key;
    provider_.charge(std::move(request), [this, charge](provider_answer<charge_outcome> answer) {
        --in_flight_;
        charging_.erase(charge.charge_key);
        if (answer.value) {
            settle({charge.charge_key, charge.pledge_id, state_of(answer.value->result),
                    answer.value->provider_id, answer.value->decline_code});
        } else if (answer.failure == provider_failure::rejected) {
            // The provider refused the request itself: nothing was charged, and the pledge waits for a
            // retry (or a new card) like a declined one.
            warn("charge " + charge.charge_key + " refused by the provider: " + answer.error);
            settle({charge.charge_key, charge.pledge_id, "error", {}, "refused"});
        } else {
            warn("charge " + charge.charge_key + " outcome unknown (" + answer.error +
                 "); asking again later");
            auto timer = std::make_shared<boost::asio::steady_timer>(io_, settings_.unknown_retry);
            timer->async_wait([this, charge, timer](boost::system::error_code const&) {
                to_send_.push_back(charge);
                fill();
            });
        }
        if (!stopped_) {
            boost::asio::post(io_, [this] { fill(); });
        }
    });
}

void charge_runner::settle(charge_settlement outcome) {
    settled_.push_back(std::move(outcome));
    if (!flush_posted_) {
        flush_posted_ = true;
        boost::asio::post(io_, [this] { flush(); });
    }
}

void charge_runner::flush() {
    flush_posted_ = false;
    if (settled_.empty()) {
        return;
    }
    std::error_code ec;
    store_.settle_charges(settled_, now_(), settings_.policy, ec);
    if (ec) {
        // Not recorded: each stays `started` in the store and is asked again (same key, same outcome).
        warn("could not record " + std::to_string(settled_.size()) + " charge outcomes: " + ec.message());
        std::error_code again;
        to_send_.clear(); // the unsettled ones are all of them, the queued among them
        for (auto& c : store_.unsettled_charges(again)) {
            if (!charging_.contains(c.charge_key)) {
                to_send_.push_back(std::move(c));
            }
        }
    } else if (on_failures_) {
        std::vector<charge_settlement> failed;
        std::copy_if(settled_.begin(), settled_.end(), std::back_inserter(failed),
                     [](charge_settlement const& s) { return s.state != "succeeded"; });
        if (!failed.empty()) {
            on_failures_(failed);
        }
    }
    settled_.clear();
}

void charge_runner::release_methods() {
    if (releasing_ > 0) {
        return;
    }
    std::error_code ec;
    auto const releases = store_.claim_releases(settings_.concurrency, ec);
    for (auto const& r : releases) {
        ++releasing_;
        provider_.release(r.payment_method, "sluice-release-" + r.pledge_id,
                          [this, r](provider_answer<bool> answer) {
                              --releasing_;
                              if (answer.failure == provider_failure::transient) {
                                  return; // asked again at the next look
                              }
                              // Released, or the provider has no such method any more: either way it
                              // cannot be charged.
                              std::error_code e;
                              store_.mark_released(r.pledge_id, e);
                              if (releasing_ == 0 && !stopped_) {
                                  boost::asio::post(io_, [this] { fill(); });
                              }
                          });
    }
}

} // namespace sluice::gate
