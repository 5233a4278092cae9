// sluice-gate's pledges under load, driven as many hosts drive it: a bundle made by the real sluice-bundle,
// imported and served by the real sluice-gate on loopback, pledged to over many keep-alive connections at
// once. What is checked is the promise of protocol/gate-api.md: one pledge per (campaign, Idempotency-Key),
// the stored answer replayed byte for byte, and an answered pledge durable through kill -9; and, since a
// pledge is a pre-order whose card the provider saves, one page at the provider per pledge, whatever was
// retried. The provider is the fake Stripe of publisher/fake-stripe (a node process on loopback).
//
// What the timings measure changed when pledges became pre-orders: each new pledge now waits for two calls
// of the gate to its provider (a customer, then the checkout that saves the card) before it is
// answered, so pledges per second include those round trips to the fake on the same machine and are not
// comparable with the figures from before. A replay makes no provider call and measures what it did. The
// confirmations (the backers' cards saved, each told to the gate by the provider's signed webhooks) are
// measured too: that is the path that makes a pledge count.

#include "fake_provider.hpp"
#include "file_helpers.hpp"
#include "gate_bundle_spec.hpp"
#include "gate_fixture.hpp"
#include "keepalive_connection.hpp"
#include "load_report.hpp"
#include "wait_until.hpp"

#include <sluice/protocol/keys.hpp>

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <ctime>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <sys/resource.h>
#include <thread>

namespace sluice::testing {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using namespace std::chrono_literals;
using nlohmann::json;
using steady = std::chrono::steady_clock;

constexpr char const* load_campaign_path = "/v1/campaigns/load-campaign";

// One pledge as a host makes it: its key and body are chosen once, before the first attempt, and every retry
// sends exactly the same bytes.
struct pledge_request {
    std::string key;
    std::string body;
    std::uint64_t amount = 0;
    std::optional<reply> answer; // the last answer received, if any
};

// A body that is not JSON is null here, not a failure: a broken gate's thousands of answers go among the
// problems, reported once.
json lenient_json(reply const& r) {
    return json::parse(r.body, nullptr, false);
}

// A pledge over a keep-alive connection of one thread.
class gate_connection : public keepalive_connection {
public:
    using keepalive_connection::keepalive_connection;

    std::optional<reply> pledge(std::string const& key, std::string const& body, beast::error_code& ec) {
        return exchange("POST", std::string(load_campaign_path) + "/pledges", body,
                        {{"Idempotency-Key", key}}, ec);
    }
};

// Sends every request of `requests` once, over `clients` connections at once; each request's answer is stored
// in it (a request whose exchange failed keeps no answer, and the failure is reported).
void pledge_concurrently(int port, std::vector<pledge_request>& requests, int clients) {
    std::atomic<std::size_t> next{0};
    std::mutex failures_mutex;
    std::vector<std::string> failures;
    std::vector<std::thread> threads;
    for (int c = 0; c < clients; ++c) {
        threads.emplace_back([&] {
            gate_connection connection(port);
            for (std::size_t i = next++; i < requests.size(); i = next++) {
                beast::error_code ec;
                requests[i].answer = connection.pledge(requests[i].key, requests[i].body, ec);
                // The first request with this key is still opening its page (a twin on another thread, or a
                // gate killed while opening it, whose lease runs out): a host sends it again after
                // Retry-After.
                for (int wait = 0;
                     !ec && wait < 30 && requests[i].answer && requests[i].answer->status == 409 &&
                     requests[i].answer->body.find("idempotency_key_in_flight") != std::string::npos;
                     ++wait) {
                    std::this_thread::sleep_for(std::chrono::seconds(1));
                    requests[i].answer = connection.pledge(requests[i].key, requests[i].body, ec);
                }
                if (ec) {
                    std::lock_guard lock(failures_mutex);
                    failures.push_back(requests[i].key + ": " + ec.message());
                }
            }
        });
    }
    for (auto& t : threads) {
        t.join();
    }
    EXPECT_TRUE(failures.empty()) << failures.size() << " exchanges failed, the first: " << failures.front();
}

// What each backer's browser does on the provider's page, `clients` at once: a card saved for every checkout.
void complete_concurrently(fake_provider& provider, std::vector<std::string> const& checkouts, int clients) {
    std::atomic<std::size_t> next{0};
    std::atomic<std::size_t> refused{0};
    std::vector<std::thread> threads;
    for (int c = 0; c < clients; ++c) {
        threads.emplace_back([&] {
            for (std::size_t i = next++; i < checkouts.size(); i = next++) {
                refused += provider.complete(checkouts[i]).status != 200;
            }
        });
    }
    for (auto& t : threads) {
        t.join();
    }
    EXPECT_EQ(refused, 0u) << "checkouts the provider did not complete";
}

class GateLoad : public gate_fixture {
protected:
    GateLoad() { tool_timeout_ = 60s; }

    // Without its log: thousands of lines would cost the fake time the gate is measured with.
    fake_provider& provider() {
        if (!provider_) {
            fake_provider::options quiet;
            quiet.log = false;
            provider_ = std::make_unique<fake_provider>(dir_ / "provider", quiet);
        }
        return *provider_;
    }

    // `campaign --ledger yes`: the campaign's money, pledges by state.
    json ledger() {
        auto const r = gate_tool({"campaign", "--data", data_.string(), "load-campaign", "--ledger", "yes"});
        EXPECT_EQ(r.exit_code, 0) << r;
        return json::parse(r.out, nullptr, false);
    }

    std::unique_ptr<fake_provider> provider_;

    void SetUp() override {
        ASSERT_NO_FATAL_FAILURE(gate_fixture::SetUp());
        write_file(src_ / "episode-1.webm", random_bytes(40 * 1024 + 3, 2));
    }

    // A bundle whose locked episode is unlocked by the pledge campaign "load-campaign", imported into data_.
    void make_campaign(std::uint64_t goal_backers) {
        auto spec = gated_bundle_spec("load-bundle", "pledge", gate_key_);
        auto& pledge = spec["gates"]["pledge"];
        pledge["campaignId"] = "load-campaign";
        pledge["goalBackers"] = goal_backers;
        pledge["deadline"] = "2099-01-01T00:00:00Z";
        pledge["expectedDelivery"] = "2099-06-01";
        ASSERT_NO_FATAL_FAILURE(make_bundle(spec));
        auto const imported = import("load-bundle");
        ASSERT_EQ(imported.exit_code, 0) << imported;
    }

    // A new host's pledge: its own key and its own device; the amount is the price or a little more, and
    // every fifth body leaves it out (the gate then takes the price).
    static pledge_request new_pledge(std::string key, std::size_t n) {
        pledge_request p;
        p.key = std::move(key);
        auto const device = protocol::generate_box_keypair();
        json body{{"device", protocol::encode_public_key("x25519", device.public_key)}};
        p.amount = 1500;
        if (n % 5 != 0) {
            p.amount = 1500 + (n % 7) * 100;
            body["amount"] = p.amount;
        }
        p.body = body.dump();
        return p;
    }

    json get_json(int port, std::string const& target, int expect_status = 200) {
        gate_connection connection(port);
        beast::error_code ec;
        auto const r = connection.exchange("GET", target, {}, {}, ec);
        EXPECT_FALSE(ec) << target << ": " << ec.message();
        if (!r) {
            return json();
        }
        EXPECT_EQ(r->status, expect_status) << target << ": " << r->body;
        return lenient_json(*r);
    }
};

// 2,000 hosts pledge at once over 64 connections, each with its own key and device: every one is recorded,
// once, with one page at the provider. Then every host sends its request again (as after a lost answer) and
// gets the stored answer back, without a call to the provider. Then a quarter of the backers save a card, 16
// at once, and each of those pledges counts once the provider's webhook has told the gate.
TEST_F(GateLoad, TwoThousandConcurrentPledgesAreEachRecordedOnce) {
    constexpr std::size_t pledges = 2000;
    constexpr int clients = 64;
    make_campaign(pledges);
    auto const server = serve_paid(provider());
    ASSERT_GT(server->port(), 0);

    std::vector<pledge_request> requests;
    std::uint64_t sum = 0;
    for (std::size_t i = 0; i < pledges; ++i) {
        requests.push_back(new_pledge("host-" + std::to_string(i) + "-pledge", i));
        sum += requests.back().amount;
    }
    auto const start = steady::now();
    pledge_concurrently(server->port(), requests, clients);
    auto const first_pass = seconds_since(start);

    std::set<std::string> ids;
    std::set<std::string> checkouts;
    // Every fourth backer saves a card below: enough to load the webhook path, at a quarter of its time.
    std::vector<std::string> to_confirm;
    std::uint64_t confirmed_sum = 0;
    std::vector<std::string> first_answers;
    std::size_t created = 0;
    problems wrong;
    for (auto const& r : requests) {
        first_answers.push_back(r.answer ? r.answer->body : std::string());
        if (!r.answer) {
            continue;
        }
        auto const j = lenient_json(*r.answer);
        if (r.answer->status != 201 || !j.is_object() || r.answer->header("idempotent-replayed") != "" ||
            j.value("state", "") != "pending" || j.value("amount", std::uint64_t{0}) != r.amount ||
            j.value("campaignId", "") != "load-campaign" || !j.contains("pledgeId") ||
            !j.value("checkoutUrl", "").starts_with(provider().url() + "pay/")) {
            wrong.add(r.key + ": " + std::to_string(r.answer->status) + " " + r.answer->body);
            continue;
        }
        ++created;
        ids.insert(j.at("pledgeId").get<std::string>());
        checkouts.insert(j.at("checkoutUrl").get<std::string>());
        if (created % 4 == 1) {
            to_confirm.push_back(j.at("checkoutUrl").get<std::string>());
            confirmed_sum += r.amount;
        }
    }
    EXPECT_TRUE(wrong.empty()) << wrong;
    EXPECT_EQ(created, pledges);
    EXPECT_EQ(ids.size(), pledges);
    EXPECT_EQ(checkouts.size(), pledges);
    // Recorded, and none counted before its card is saved.
    auto const recorded = ledger();
    EXPECT_EQ(recorded.value("pending", json()), (json{{"count", pledges}, {"amount", sum}}))
        << recorded.dump();
    EXPECT_EQ(get_json(server->port(), load_campaign_path).value("backers", -1), 0);

    // The same key and the same body again: the first answer, byte for byte, and no new pledge.
    auto const replay_start = steady::now();
    pledge_concurrently(server->port(), requests, clients);
    auto const second_pass = seconds_since(replay_start);
    std::size_t replayed = 0;
    problems not_replayed;
    for (std::size_t i = 0; i < pledges; ++i) {
        auto const& r = requests[i];
        if (!r.answer) {
            continue;
        }
        if (r.answer->status != 201 || r.answer->header("idempotent-replayed") != "true" ||
            r.answer->body != first_answers[i]) {
            not_replayed.add(r.key + ": " + std::to_string(r.answer->status) + " Idempotent-Replayed: \"" +
                             r.answer->header("idempotent-replayed") + "\" " + r.answer->body +
                             " (first answer: " + first_answers[i] + ")");
            continue;
        }
        ++replayed;
    }
    EXPECT_TRUE(not_replayed.empty()) << not_replayed;
    EXPECT_EQ(replayed, pledges);
    // One customer and one page at the provider per pledge, the replays included.
    auto const records = provider().records();
    EXPECT_EQ(records.at("customers"), pledges);
    EXPECT_EQ(records.at("sessions").size(), pledges);

    // Backers save their cards: the provider's webhooks make each of those pledges count, once.
    auto const confirmations = to_confirm.size();
    auto const confirm_start = steady::now();
    complete_concurrently(provider(), to_confirm, 16);
    json after;
    EXPECT_TRUE(wait_until(
        [&] {
            after = get_json(server->port(), load_campaign_path);
            return after.value("backers", 0u) >= confirmations;
        },
        60s, 50ms))
        << after.dump();
    auto const confirming = seconds_since(confirm_start);
    EXPECT_EQ(after.value("backers", 0u), confirmations) << after.dump();
    EXPECT_EQ(after.value("amount", std::uint64_t{0}), confirmed_sum) << after.dump();
    EXPECT_TRUE(provider().wait_delivered("setup_intent.succeeded", confirmations, 30s));
    EXPECT_EQ(provider().webhooks().value("failed", -1), 0) << "webhooks the gate did not take";
    auto const money = ledger();
    EXPECT_EQ(money.value("confirmed", json()), (json{{"count", confirmations}, {"amount", confirmed_sum}}));
    EXPECT_EQ(money.value("pending", json()),
              (json{{"count", pledges - confirmations}, {"amount", sum - confirmed_sum}}));
    EXPECT_EQ(server->stop(), 0);

    std::printf(
        "[ timings  ] %zu pledges over %d connections, each with its provider's page: %.2f s (%.0f/s); "
        "replayed: %.2f s (%.0f/s); %zu cards saved and confirmed by webhook: %.2f s (%.0f/s)\n",
        pledges, clients, first_pass, static_cast<double>(pledges) / first_pass, second_pass,
        static_cast<double>(pledges) / second_pass, confirmations, confirming,
        static_cast<double>(confirmations) / confirming);
    RecordProperty("pledges_per_second", static_cast<int>(static_cast<double>(pledges) / first_pass));
    RecordProperty("replays_per_second", static_cast<int>(static_cast<double>(pledges) / second_pass));
    RecordProperty("confirmations_per_second",
                   static_cast<int>(static_cast<double>(confirmations) / confirming));
}

// The same promise from a gate serving on four threads (`serve --threads 4`) on SQLite, where each thread has
// its own connection to gate.db and their writers queue: 400 hosts pledge over 64 connections, which the gate
// deals out to its threads, and each is recorded once; the same requests again are replayed byte for byte;
// and a key sent twice at the same moment, on two connections (most likely two threads), is one pledge.
TEST_F(GateLoad, FourThreadsOnSqliteRecordEachPledgeOnce) {
    constexpr std::size_t pledges = 400;
    constexpr std::size_t twins = 100;
    constexpr int clients = 64;
    make_campaign(pledges + twins);
    auto const server = serve_paid(provider(), {"--threads", "4"});
    ASSERT_GT(server->port(), 0);

    std::vector<pledge_request> requests;
    std::uint64_t sum = 0;
    for (std::size_t i = 0; i < pledges; ++i) {
        requests.push_back(new_pledge("threads-" + std::to_string(i), i));
        sum += requests.back().amount;
    }
    auto const start = steady::now();
    pledge_concurrently(server->port(), requests, clients);
    auto const first_pass = seconds_since(start);
    std::set<std::string> ids;
    std::vector<std::string> first_answers;
    problems wrong;
    for (auto const& r : requests) {
        first_answers.push_back(r.answer ? r.answer->body : std::string());
        auto const j = r.answer ? lenient_json(*r.answer) : json();
        if (!r.answer || r.answer->status != 201 || !j.is_object() ||
            r.answer->header("idempotent-replayed") != "" || j.value("state", "") != "pending" ||
            j.value("amount", std::uint64_t{0}) != r.amount || !j.contains("pledgeId")) {
            wrong.add(r.key + ": " +
                      (r.answer ? std::to_string(r.answer->status) + " " + r.answer->body
                                : std::string("no answer")));
            continue;
        }
        ids.insert(j.at("pledgeId").get<std::string>());
    }
    EXPECT_TRUE(wrong.empty()) << wrong;
    EXPECT_EQ(ids.size(), pledges);

    pledge_concurrently(server->port(), requests, clients);
    problems not_replayed;
    for (std::size_t i = 0; i < pledges; ++i) {
        auto const& r = requests[i];
        if (!r.answer || r.answer->status != 201 || r.answer->header("idempotent-replayed") != "true" ||
            r.answer->body != first_answers[i]) {
            not_replayed.add(r.key + ": " + (r.answer ? r.answer->body : std::string("no answer")));
        }
    }
    EXPECT_TRUE(not_replayed.empty()) << not_replayed;

    // Each twin's two sends are next to each other in the list, so two connections take them up together.
    std::vector<pledge_request> twin_requests;
    for (std::size_t i = 0; i < twins; ++i) {
        auto const p = new_pledge("twin-" + std::to_string(i), i);
        twin_requests.push_back(p);
        twin_requests.push_back(p);
        sum += p.amount;
    }
    pledge_concurrently(server->port(), twin_requests, clients);
    problems split;
    for (std::size_t i = 0; i < twin_requests.size(); i += 2) {
        auto const& a = twin_requests[i];
        auto const& b = twin_requests[i + 1];
        auto const id_a = a.answer ? lenient_json(*a.answer).value("pledgeId", "") : std::string();
        auto const id_b = b.answer ? lenient_json(*b.answer).value("pledgeId", "") : std::string();
        if (!a.answer || !b.answer || a.answer->status != 201 || b.answer->status != 201 || id_a.empty() ||
            id_a != id_b) {
            split.add(a.key + ": " + (a.answer ? a.answer->body : "no answer") + " / " +
                      (b.answer ? b.answer->body : "no answer"));
            continue;
        }
        EXPECT_TRUE(ids.insert(id_a).second) << a.key << " got the pledge id of another key";
    }
    EXPECT_TRUE(split.empty()) << split;

    auto const keys = pledges + twins;
    auto const money = ledger();
    EXPECT_EQ(money.value("pledged", json()), (json{{"count", keys}, {"amount", sum}})) << money.dump();
    EXPECT_EQ(ids.size(), keys);
    // One page at the provider per pledge, whichever thread asked for it and however often.
    auto const records = provider().records();
    EXPECT_EQ(records.at("customers"), keys);
    EXPECT_EQ(records.at("sessions").size(), keys);
    EXPECT_EQ(server->stop(), 0);
    std::printf("[ threads  ] %zu pledges over %d connections on 4 threads: %.2f s (%.0f/s)\n", pledges,
                clients, first_pass, static_cast<double>(pledges) / first_pass);
}

// Hosts pledge without pause; the gate is killed (-9) in the middle, some pledges between their record and
// the provider's answer. Every pledge that was answered 201 is there after a restart, and each host retrying
// what went unanswered, with the same key and body, ends with exactly one pledge per key and one page at the
// provider per pledge: none lost, none twice.
TEST_F(GateLoad, PledgeStormSurvivesKillNine) {
    constexpr int clients = 16;
    constexpr std::size_t kill_after = 600;
    make_campaign(1);
    auto server = serve_paid(provider());
    ASSERT_GT(server->port(), 0);

    std::atomic<bool> killing{false};
    std::atomic<std::size_t> acknowledged{0};
    // Each client's requests in the order it sent them; the last one may be unanswered.
    std::vector<std::vector<pledge_request>> sent(clients);
    std::vector<std::string> unexpected(clients);
    std::vector<std::thread> threads;
    int const port = server->port();
    for (int c = 0; c < clients; ++c) {
        threads.emplace_back([&, c] {
            gate_connection connection(port);
            for (std::size_t n = 0;; ++n) {
                sent[c].push_back(new_pledge("storm-" + std::to_string(c) + "-" + std::to_string(n), n));
                auto& p = sent[c].back();
                beast::error_code ec;
                p.answer = connection.pledge(p.key, p.body, ec);
                if (ec) {
                    if (!killing) {
                        unexpected[c] = p.key + ": " + ec.message();
                    }
                    return;
                }
                if (p.answer->status != 201) {
                    unexpected[c] = p.key + ": " + std::to_string(p.answer->status) + " " + p.answer->body;
                    return;
                }
                if (killing) {
                    // The answer came before the kill took effect: acknowledged all the same. Stop here.
                    return;
                }
                ++acknowledged;
            }
        });
    }
    ASSERT_TRUE([&] {
        auto const deadline = steady::now() + 30s;
        while (acknowledged < kill_after) {
            if (steady::now() > deadline) {
                return false;
            }
            std::this_thread::sleep_for(1ms);
        }
        return true;
    }()) << "only "
         << acknowledged << " pledges acknowledged in 30 s";
    killing = true;
    server->kill9();
    for (auto& t : threads) {
        t.join();
    }
    for (auto const& u : unexpected) {
        EXPECT_EQ(u, "");
    }

    std::vector<pledge_request*> acked;
    std::vector<pledge_request*> unanswered;
    for (auto& client : sent) {
        for (auto& p : client) {
            (p.answer && p.answer->status == 201 ? acked : unanswered).push_back(&p);
        }
    }
    ASSERT_GE(acked.size(), kill_after);

    server = serve_paid(provider());
    ASSERT_GT(server->port(), 0);
    std::map<std::string, std::string> id_of_key;
    std::set<std::string> ids;
    problems lost;
    {
        gate_connection connection(server->port());
        for (auto const* p : acked) {
            auto const answer = lenient_json(*p->answer);
            auto const id = answer.at("pledgeId").get<std::string>();
            id_of_key[p->key] = id;
            ids.insert(id);
            beast::error_code ec;
            auto const r =
                connection.exchange("GET", std::string(load_campaign_path) + "/pledges/" + id, {}, {}, ec);
            ASSERT_TRUE(r) << ec.message();
            auto const status = lenient_json(*r);
            if (r->status != 200 || !status.is_object() || status.value("state", "") != "pending" ||
                status.value("amount", std::uint64_t{0}) != p->amount) {
                lost.add("acknowledged " + p->key + " (" + id + "): " + std::to_string(r->status) + " " +
                         r->body);
            }
        }
    }
    EXPECT_TRUE(lost.empty()) << lost;
    EXPECT_EQ(ids.size(), acked.size());

    // Each host retries what went unanswered, with the same key and body.
    std::vector<pledge_request> retries;
    for (auto const* p : unanswered) {
        retries.push_back({p->key, p->body, p->amount, std::nullopt});
    }
    pledge_concurrently(server->port(), retries, clients);
    std::size_t committed_before_kill = 0;
    for (auto const& r : retries) {
        ASSERT_TRUE(r.answer) << r.key;
        ASSERT_EQ(r.answer->status, 201) << r.key << ": " << r.answer->body;
        // Replayed: the pledge and its page were committed, but the answer was lost in the kill. (A pledge
        // committed before its page was is answered without the header, its page opened then under the same
        // key at the provider.)
        committed_before_kill += r.answer->header("idempotent-replayed") == "true";
        auto const id = lenient_json(*r.answer).at("pledgeId").get<std::string>();
        EXPECT_TRUE(ids.insert(id).second) << r.key << " got the pledge id of another key";
        id_of_key[r.key] = id;
    }

    // And retrying an acknowledged one (a host that did not trust its answer) changes nothing.
    std::vector<pledge_request> again;
    std::uint64_t sum = 0;
    for (auto const* p : acked) {
        again.push_back({p->key, p->body, p->amount, std::nullopt});
        sum += p->amount;
    }
    for (auto const* p : unanswered) {
        sum += p->amount;
    }
    pledge_concurrently(server->port(), again, clients);
    problems twice;
    for (auto const& r : again) {
        ASSERT_TRUE(r.answer) << r.key;
        auto const j = lenient_json(*r.answer);
        if (r.answer->status != 201 || r.answer->header("idempotent-replayed") != "true" || !j.is_object() ||
            j.value("pledgeId", "") != id_of_key[r.key]) {
            twice.add(r.key + ": " + std::to_string(r.answer->status) + " " + r.answer->body);
        }
    }
    EXPECT_TRUE(twice.empty()) << twice;

    auto const keys = acked.size() + unanswered.size();
    // Pledges waiting for their cards: recorded, not counted yet.
    auto const money = ledger();
    EXPECT_EQ(money.value("pledged", json()), (json{{"count", keys}, {"amount", sum}})) << money.dump();
    EXPECT_EQ(money.value("pending", json()), (json{{"count", keys}, {"amount", sum}})) << money.dump();
    EXPECT_EQ(get_json(server->port(), load_campaign_path).value("backers", -1), 0);
    EXPECT_EQ(ids.size(), keys);
    // The provider was asked under the pledge's own keys: a page opened before the kill is the page the
    // retry answers, so there is one per pledge.
    auto const records = provider().records();
    EXPECT_EQ(records.at("sessions").size(), keys);
    EXPECT_EQ(records.at("customers"), keys);
    std::set<std::string> pledges_with_a_page;
    for (auto const& page : records.at("sessions")) {
        pledges_with_a_page.insert(page.at("metadata").value("sluice_pledge", ""));
    }
    EXPECT_EQ(pledges_with_a_page, ids);
    EXPECT_EQ(server->stop(), 0);
    std::printf(
        "[ storm    ] %zu keys: %zu acknowledged before kill -9, %zu unanswered (%zu of them committed "
        "all the same, answered from the store on retry)\n",
        keys, acked.size(), unanswered.size(), committed_before_kill);
    RecordProperty("acknowledged", static_cast<int>(acked.size()));
    RecordProperty("unanswered", static_cast<int>(unanswered.size()));
}

// The receipt's body, once its Ed25519 signature holds for `gate_key` ("ed25519:<base64>"): what a host
// checks before keeping a receipt. Null when anything about it is wrong (the failure is reported).
json open_receipt(std::string const& text, std::string const& gate_key) {
    auto const envelope = json::parse(text, nullptr, false);
    EXPECT_TRUE(envelope.is_object()) << text;
    if (!envelope.is_object()) {
        return json();
    }
    EXPECT_EQ(envelope.value("format", ""), "sluice-receipt/1");
    EXPECT_EQ(envelope.value("gateKey", ""), gate_key);
    auto const key = protocol::decode_public_key("ed25519", gate_key);
    auto const payload = protocol::from_base64(envelope.value("payload", ""));
    auto const signature = protocol::from_base64(envelope.value("signature", ""));
    EXPECT_TRUE(key && payload && signature && signature->size() == 64) << text;
    if (!key || !payload || !signature || signature->size() != 64) {
        return json();
    }
    std::array<unsigned char, 64> sig{};
    std::copy(signature->begin(), signature->end(), sig.begin());
    EXPECT_TRUE(protocol::verify(*payload, sig, *key)) << "the receipt's signature does not verify";
    // Flipping one byte of the body must break it.
    auto tampered = *payload;
    tampered[tampered.size() / 2] ^= 1;
    EXPECT_FALSE(protocol::verify(tampered, sig, *key));
    if (!protocol::verify(*payload, sig, *key)) {
        return json();
    }
    return json::parse(*payload, nullptr, false);
}

bool is_recent_utc(std::string const& text) {
    std::tm tm{};
    if (text.size() != 20 || ::strptime(text.c_str(), "%Y-%m-%dT%H:%M:%SZ", &tm) == nullptr) {
        return false;
    }
    auto const at = ::timegm(&tm);
    auto const now = std::time(nullptr);
    return at <= now + 5 && at >= now - 120;
}

// Receipts of all three kinds from the real binaries: a pledge's, a cancellation's, and, once the campaign
// has failed, a release; each signed by the gate's key over exactly its body, each body naming the pledge.
TEST_F(GateLoad, ReceiptsVerifyWithTheGateKey) {
    make_campaign(3); // two pledges, one cancelled: the campaign fails
    auto const server = serve_paid(provider());
    ASSERT_GT(server->port(), 0);
    auto const manifest = json::parse(read_file(out_ / "load-bundle" / "bundle.json"));
    ASSERT_EQ(manifest.at("gateKeys"), json::array({gate_key_}));

    std::vector<pledge_request> requests{new_pledge("receipt-a", 1), new_pledge("receipt-b", 0)};
    pledge_concurrently(server->port(), requests, 1);
    std::vector<std::string> ids;
    for (auto const& r : requests) {
        ASSERT_TRUE(r.answer);
        ASSERT_EQ(r.answer->status, 201) << r.answer->body;
        auto const answer = lenient_json(*r.answer);
        auto const body = open_receipt(answer.at("receipt").get<std::string>(), gate_key_);
        ASSERT_TRUE(body.is_object());
        EXPECT_EQ(body.at("kind"), "pledge");
        EXPECT_EQ(body.at("pledgeId"), answer.at("pledgeId"));
        EXPECT_EQ(body.at("campaignId"), "load-campaign");
        EXPECT_EQ(body.at("bundleId"), "load-bundle");
        EXPECT_EQ(body.at("amount"), r.amount);
        EXPECT_EQ(body.at("currency"), "EUR");
        EXPECT_EQ(body.at("device"), json::parse(r.body).at("device"));
        EXPECT_TRUE(is_recent_utc(body.value("at", ""))) << body.dump();
        ids.push_back(answer.at("pledgeId").get<std::string>());
    }
    // The first backer saves a card, so the campaign has one backer when it fails.
    ASSERT_EQ(
        provider().complete(lenient_json(*requests[0].answer).at("checkoutUrl").get<std::string>()).status,
        200);
    wait_for_pledge(server->port(), "load-campaign", ids[0], "confirmed");

    gate_connection connection(server->port());
    beast::error_code ec;
    auto const cancelled = connection.exchange(
        "POST", std::string(load_campaign_path) + "/pledges/" + ids[1] + "/cancel", {}, {}, ec);
    ASSERT_TRUE(cancelled) << ec.message();
    ASSERT_EQ(cancelled->status, 200) << cancelled->body;
    auto const cancellation =
        open_receipt(lenient_json(*cancelled).at("receipt").get<std::string>(), gate_key_);
    ASSERT_TRUE(cancellation.is_object());
    EXPECT_EQ(cancellation.at("kind"), "cancellation");
    EXPECT_EQ(cancellation.at("pledgeId"), ids[1]);
    EXPECT_EQ(cancellation.at("amount"), requests[1].amount);

    auto const closed = gate_tool({"close", "--data", data_.string(), "load-campaign"});
    ASSERT_EQ(closed.exit_code, 0) << closed;
    auto const outcome = json::parse(closed.out);
    EXPECT_EQ(outcome.at("campaignId"), "load-campaign");
    EXPECT_EQ(outcome.at("state"), "failed");
    // The one backer short of the goal was released, the cancelled pledge stays cancelled. (The close's own
    // backers and amount count what is left confirmed once the campaign failed, which is nothing.)
    auto const money = ledger();
    EXPECT_EQ(money.value("released", json()), json::parse(R"({"count":1,"amount":1600})")) << money.dump();
    EXPECT_EQ(money.value("cancelled", json()), (json{{"count", 1}, {"amount", requests[1].amount}}))
        << money.dump();
    auto const status = get_json(server->port(), std::string(load_campaign_path) + "/pledges/" + ids[0]);
    EXPECT_EQ(status.value("campaignState", ""), "failed") << status.dump();
    EXPECT_EQ(status.value("state", ""), "released") << status.dump();
    EXPECT_FALSE(status.contains("token"));
    ASSERT_TRUE(status.contains("release")) << status.dump();
    auto const release = open_receipt(status.at("release").get<std::string>(), gate_key_);
    ASSERT_TRUE(release.is_object());
    EXPECT_EQ(release.at("kind"), "release");
    EXPECT_EQ(release.at("pledgeId"), ids[0]);
    EXPECT_EQ(release.at("amount"), requests[0].amount);
    EXPECT_TRUE(is_recent_utc(release.value("at", ""))) << release.dump();
    // A cancelled pledge gets no release: nothing was pledged any more.
    auto const cancelled_status =
        get_json(server->port(), std::string(load_campaign_path) + "/pledges/" + ids[1]);
    EXPECT_EQ(cancelled_status.value("state", ""), "cancelled");
    EXPECT_FALSE(cancelled_status.contains("release"));
}

// When accept() fails because the gate has run out of file descriptors (EMFILE), the pending connection keeps
// the listening socket readable: a gate that accepted again at once would spin at 100 % CPU, serving no new
// client, until idle connections time out. Any client holding enough idle connections open (~1,000 under the
// usual soft limit of 1,024) could cause it.
TEST_F(GateLoad, MoreIdleConnectionsThanDescriptorsDoNotSpinTheGate) {
#ifdef __SANITIZE_ADDRESS__
    // Under AddressSanitizer the gate, once it has run out of descriptors at this limit, resets every later
    // connection instead of recovering; the plain build recovers. Left for a closer look.
    GTEST_SKIP() << "not meaningful under AddressSanitizer at a 64-descriptor limit";
#endif
    make_campaign(1);
    // The gate inherits a soft limit of 64 descriptors; this process gets its own back at once.
    rlimit old{};
    ASSERT_EQ(::getrlimit(RLIMIT_NOFILE, &old), 0);
    rlimit low = old;
    low.rlim_cur = 64;
    ASSERT_EQ(::setrlimit(RLIMIT_NOFILE, &low), 0);
    auto const server = serve();
    ASSERT_EQ(::setrlimit(RLIMIT_NOFILE, &old), 0);
    ASSERT_GT(server->port(), 0);

    asio::io_context io;
    std::vector<asio::ip::tcp::socket> idle;
    for (int i = 0; i < 80; ++i) {
        idle.emplace_back(io);
        idle.back().connect(loopback(server->port()));
    }
    std::this_thread::sleep_for(500ms);
    auto const before = server->cpu_seconds();
    std::this_thread::sleep_for(2s);
    auto const used = server->cpu_seconds() - before;
    EXPECT_LT(used, 0.5) << "the gate used " << used
                         << " s of CPU in 2 s, holding connections it cannot accept";
    idle.clear();
    // Once the idle connections are gone the gate serves again (after it has accepted and dropped what was
    // left in its backlog: a connection of that time may still be reset).
    EXPECT_TRUE(wait_until([&] {
        gate_connection connection(server->port());
        beast::error_code ec;
        auto const r = connection.exchange("GET", load_campaign_path, {}, {}, ec);
        return !ec && r && r->status == 200 && lenient_json(*r).value("backers", -1) == 0;
    }));
}

} // namespace
} // namespace sluice::testing
