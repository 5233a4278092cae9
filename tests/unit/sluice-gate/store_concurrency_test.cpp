// The store's guarantees when several connections (several gates, or several threads of one) do the same
// thing at the same moment: each thread has its own connection, as each gate process has, and the threads
// are released together.

#include "sandbox_dir.hpp"
#include "scripted_provider.hpp"
#include "sluice-gate/charge_runner.hpp"
#include "store_engines.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <barrier>
#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <thread>

namespace sluice::gate {
namespace {

using sluice::testing::sandbox_dir;

constexpr std::int64_t now = 1'700'000'000;
constexpr std::int64_t deadline = now + 3600;

class GateStoreConcurrency : public ::testing::TestWithParam<store_engine> {
protected:
    void SetUp() override {
        store_ = open();
        ASSERT_TRUE(store_);
        std::error_code ec;
        store_->put_bundle({"les-veilleurs", 1, "{}", std::string(64, '\x01'), "{}", "", now}, ec);
        ASSERT_FALSE(ec) << ec.message();
    }

    std::unique_ptr<gate_store> open() {
        std::error_code ec;
        std::string detail;
        auto store = place_.open(ec, &detail);
        EXPECT_TRUE(store) << ec.message() << " " << detail << place_.server_log();
        return store;
    }

    void campaign(std::string id, std::optional<std::uint64_t> limit = std::nullopt) {
        protocol::pledge_tier tier{"pledge", "Pledge", "", 1500, std::nullopt, std::nullopt, limit};
        campaign_record const c{
            std::move(id), "les-veilleurs",       1,      std::nullopt, 1500,  "EUR", deadline,
            "2030-01-01",  "Nothing is charged.", "open", std::nullopt, {tier}};
        std::error_code ec;
        store_->ensure_campaign(c, ec);
        ASSERT_FALSE(ec) << ec.message();
    }

    static pledge_record pledge(std::string campaign, std::string key, std::string id) {
        pledge_record p;
        p.pledge_id = std::move(id);
        p.campaign_id = std::move(campaign);
        p.idempotency_key = std::move(key);
        p.request_hash = "h";
        p.amount = 1500;
        p.device = "x25519:AAAA";
        p.response = "{}";
        p.created_at = now;
        return p;
    }

    // `threads` threads, each on its own connection, run `work(thread, store)` released at once.
    void at_once(int threads, std::function<void(int, gate_store&)> const& work) {
        std::vector<std::unique_ptr<gate_store>> stores;
        for (int i = 0; i < threads; ++i) {
            stores.push_back(open());
            ASSERT_TRUE(stores.back());
        }
        std::barrier start(threads);
        std::vector<std::thread> running;
        for (int i = 0; i < threads; ++i) {
            running.emplace_back([&, i] {
                start.arrive_and_wait();
                work(i, *stores[static_cast<std::size_t>(i)]);
            });
        }
        for (auto& t : running) {
            t.join();
        }
    }

    sandbox_dir dir_;
    store_place place_{GetParam(), dir_.path()};
    std::unique_ptr<gate_store> store_;
};

TEST_P(GateStoreConcurrency, OnePledgePerKeyWhateverTheNumberOfRequestsWithIt) {
    campaign("c");
    constexpr int keys = 40;
    std::mutex m;
    std::map<std::string, std::set<std::string>> answered; // key -> pledge ids the requests were answered
    std::atomic<int> failures = 0;
    at_once(6, [&](int thread, gate_store& store) {
        for (int k = 0; k < keys; ++k) {
            auto const key = "key-" + std::to_string(k);
            auto const p = pledge("c", key, "p-" + std::to_string(k) + "-" + std::to_string(thread));
            std::optional<pledge_record> existing;
            std::error_code ec;
            auto const outcome = store.add_pledge(p, now, existing, ec);
            if (ec) {
                ++failures;
                continue;
            }
            std::lock_guard lock(m);
            if (outcome == pledge_outcome::created) {
                answered[key].insert(p.pledge_id);
            } else if (outcome == pledge_outcome::existing && existing) {
                answered[key].insert(existing->pledge_id);
            }
        }
    });
    EXPECT_EQ(failures, 0);
    ASSERT_EQ(answered.size(), static_cast<std::size_t>(keys));
    for (auto const& [key, ids] : answered) {
        EXPECT_EQ(ids.size(), 1u) << key << ": every request with it was answered the same pledge";
    }
}

TEST_P(GateStoreConcurrency, ACampaignIsClosedOnceAndNoPledgeSlipsInAfter) {
    campaign("c");
    std::atomic<int> closes_seen_open = 0;
    std::mutex m;
    std::set<std::string> created;
    std::set<std::string> states;
    at_once(5, [&](int thread, gate_store& store) {
        std::error_code ec;
        if (thread < 3) {
            for (int i = 0; i < 30; ++i) {
                auto const p = pledge("c", "k" + std::to_string(thread) + "-" + std::to_string(i),
                                      "p" + std::to_string(thread) + "-" + std::to_string(i));
                std::optional<pledge_record> existing;
                if (store.add_pledge(p, now, existing, ec) == pledge_outcome::created && !ec) {
                    std::lock_guard lock(m);
                    created.insert(p.pledge_id);
                }
            }
            return;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
        auto const before = store.find_campaign("c", ec);
        auto const state = store.close_campaign("c", deadline, ec);
        std::lock_guard lock(m);
        states.insert(state);
        if (before && before->state == "open") {
            ++closes_seen_open;
        }
    });
    EXPECT_EQ(states, std::set<std::string>{"failed"}); // the one close, seen by both closers
    std::error_code ec;
    auto const campaign = store_->find_campaign("c", ec);
    ASSERT_TRUE(campaign);
    EXPECT_EQ(campaign->state, "failed");
    // Every pledge answered `created` was in before the close, and the close released it.
    for (auto const& id : created) {
        auto const p = store_->find_pledge(id, ec);
        ASSERT_TRUE(p) << id;
        EXPECT_EQ(p->state, "released") << id;
    }
    std::optional<pledge_record> existing;
    EXPECT_EQ(store_->add_pledge(pledge("c", "late", "late"), now, existing, ec), pledge_outcome::closed);
}

TEST_P(GateStoreConcurrency, TheLastPlaceOfATierGoesToOneCard) {
    campaign("c", 1);
    constexpr int backers = 6;
    std::error_code ec;
    for (int i = 0; i < backers; ++i) {
        std::optional<pledge_record> existing;
        ASSERT_EQ(store_->add_pledge(pledge("c", "k" + std::to_string(i), "p" + std::to_string(i)), now,
                                     existing, ec),
                  pledge_outcome::created);
    }
    at_once(backers, [&](int thread, gate_store& store) {
        std::error_code e;
        store.save_pledge_method("evt-" + std::to_string(thread), "p" + std::to_string(thread), "cus", "pm",
                                 now + 1, e);
        EXPECT_FALSE(e) << e.message();
    });
    int confirmed = 0;
    int sold_out = 0;
    for (int i = 0; i < backers; ++i) {
        auto const p = store_->find_pledge("p" + std::to_string(i), ec);
        ASSERT_TRUE(p);
        confirmed += p->state == "confirmed";
        sold_out += p->state == "released" && p->release_reason == "tier_sold_out";
    }
    EXPECT_EQ(confirmed, 1);
    EXPECT_EQ(sold_out, backers - 1);
    EXPECT_EQ(store_->totals("c", ec).backers, 1u);
}

TEST_P(GateStoreConcurrency, EachPledgeIsClaimedForItsFirstChargeOnce) {
    campaign("c");
    constexpr int pledges = 60;
    std::error_code ec;
    for (int i = 0; i < pledges; ++i) {
        auto const id = "p" + std::to_string(i);
        std::optional<pledge_record> existing;
        store_->add_pledge(pledge("c", "k" + std::to_string(i), id), now, existing, ec);
        store_->save_pledge_method("evt-" + id, id, "cus", "pm", now + 1, ec);
        ASSERT_FALSE(ec) << ec.message();
    }
    ASSERT_EQ(store_->close_campaign("c", deadline, ec), "funded");
    std::mutex m;
    std::multiset<std::string> claimed;
    at_once(3, [&](int, gate_store& store) {
        for (;;) {
            std::error_code e;
            auto const batch = store.claim_charges(deadline + 1, 7, e);
            EXPECT_FALSE(e) << e.message();
            if (batch.empty() || e) {
                return;
            }
            std::lock_guard lock(m);
            for (auto const& c : batch) {
                claimed.insert(c.charge_key);
            }
        }
    });
    EXPECT_EQ(claimed.size(), static_cast<std::size_t>(pledges));
    EXPECT_EQ(std::set<std::string>(claimed.begin(), claimed.end()).size(), claimed.size())
        << "a charge claimed twice";
    EXPECT_EQ(store_->unsettled_charges(ec).size(), static_cast<std::size_t>(pledges));
}

TEST_P(GateStoreConcurrency, AWebhookDeliveredToSeveralGatesAtOnceIsAppliedOnce) {
    std::error_code ec;
    payment_record pay;
    pay.payment_id = "pay-1";
    pay.bundle_id = "les-veilleurs";
    pay.idempotency_key = "k";
    pay.request_hash = "h";
    pay.amount = 500;
    pay.currency = "EUR";
    pay.device = "x25519:AAAA";
    pay.created_at = now;
    std::optional<payment_record> existing;
    ASSERT_EQ(store_->add_payment(pay, existing, ec), payment_outcome::created);
    std::atomic<int> applied = 0;
    std::atomic<int> duplicates = 0;
    at_once(4, [&](int, gate_store& store) {
        std::error_code e;
        auto const outcome =
            store.apply_payment_event("evt-paid", "pay-1", payment_event_type::succeeded, now + 5, e);
        EXPECT_FALSE(e) << e.message();
        applied += outcome == payment_event_outcome::applied;
        duplicates += outcome == payment_event_outcome::duplicate;
    });
    EXPECT_EQ(applied, 1);
    EXPECT_EQ(duplicates, 3);
    EXPECT_EQ(store_->find_payment("pay-1", ec)->state, "paid");
}

TEST_P(GateStoreConcurrency, APledgesTokenForABundleIsIssuedOnce) {
    std::mutex m;
    std::set<std::string> answered;
    at_once(4, [&](int thread, gate_store& store) {
        unlock_record u{"token-" + std::to_string(thread) + "-aaaaaaaaaaaa",
                        "les-veilleurs",
                        1,
                        "pledge",
                        "pledge-1",
                        "x25519:AAAA",
                        "{\"token\":" + std::to_string(thread) + "}",
                        now};
        std::error_code e;
        auto const token = store.record_unlock_once(u, e);
        EXPECT_FALSE(e) << e.message();
        std::lock_guard lock(m);
        answered.insert(token);
    });
    ASSERT_EQ(answered.size(), 1u) << "every request answered the token that stands";
    std::error_code ec;
    EXPECT_EQ(store_->count_unlocks("les-veilleurs", ec), 1u);
    EXPECT_EQ(store_->find_unlock("pledge", "pledge-1", "les-veilleurs", ec)->token, *answered.begin());
}

// Three gates on one database, each with its charge run: one runs the charges, and when its gate is gone
// (its connection ends) another takes over and finishes, with the keys the first one wrote.
TEST_P(GateStoreConcurrency, OneGateRunsTheChargesAndAnotherTakesOverWhenItIsGone) {
    campaign("c");
    constexpr int pledges = 40;
    std::error_code ec;
    for (int i = 0; i < pledges; ++i) {
        auto const id = "p" + std::to_string(i);
        std::optional<pledge_record> existing;
        store_->add_pledge(pledge("c", "k" + std::to_string(i), id), now, existing, ec);
        store_->save_pledge_method("evt-" + id, id, "cus", "pm", now + 1, ec);
        ASSERT_FALSE(ec) << ec.message();
    }
    ASSERT_EQ(store_->close_campaign("c", deadline, ec), "funded");

    sluice::testing::scripted_provider provider("whsec_test");
    boost::asio::io_context io;
    charge_run_settings settings;
    settings.concurrency = 4;
    settings.standby_poll = std::chrono::milliseconds(20);
    std::vector<std::unique_ptr<gate_store>> gates;
    std::vector<std::unique_ptr<charge_runner>> runners;
    for (int i = 0; i < 3; ++i) {
        gates.push_back(open());
        runners.push_back(std::make_unique<charge_runner>(io, *gates.back(), provider, settings,
                                                          [] { return deadline + 1; }));
    }
    std::vector<bool> held;
    for (auto const& g : gates) {
        held.push_back(g->hold_charge_run(ec));
    }
    if (GetParam() == store_engine::postgresql) {
        EXPECT_EQ(held, (std::vector<bool>{true, false, false})) << "the first to ask runs the charges";
    }
    // The first gate sends a few charges and dies with them unanswered: written `started`, never settled.
    auto const first_batch = gates[0]->claim_charges(deadline + 1, 5, ec);
    ASSERT_EQ(first_batch.size(), 5u);
    runners[0].reset();
    gates[0].reset();
    for (std::size_t i = 1; i < runners.size(); ++i) {
        runners[i]->start();
    }
    io.run_for(std::chrono::milliseconds(1500));
    for (std::size_t i = 1; i < runners.size(); ++i) {
        runners[i]->stop();
    }
    io.run();

    std::map<std::string, int> charges_per_pledge;
    std::set<std::string> keys;
    for (auto const& c : provider.charges) {
        keys.insert(c.idempotency_key);
    }
    for (auto const& key : keys) {
        ++charges_per_pledge[key.substr(0, key.rfind('-'))];
    }
    EXPECT_EQ(charges_per_pledge.size(), static_cast<std::size_t>(pledges)) << "every pledge was charged";
    for (auto const& [pledge_key, n] : charges_per_pledge) {
        EXPECT_EQ(n, 1) << pledge_key << " was charged under more than one key";
    }
    for (auto const& c : first_batch) {
        EXPECT_TRUE(keys.contains(c.charge_key)) << "the dead gate's charge was sent again under its key";
    }
    EXPECT_TRUE(store_->unsettled_charges(ec).empty());
    EXPECT_EQ(store_->ledger("c", ec).size(), static_cast<std::size_t>(pledges));
    int charged = 0;
    for (auto const& row : store_->ledger("c", ec)) {
        charged += row.pledge.state == "charged";
    }
    EXPECT_EQ(charged, pledges);
}

INSTANTIATE_TEST_SUITE_P(Engines, GateStoreConcurrency,
                         ::testing::Values(store_engine::sqlite, store_engine::postgresql), engine_name);

} // namespace
} // namespace sluice::gate
