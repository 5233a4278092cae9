// charge_bench: how fast the gate charges a funded campaign, next to a reference measured in the same run.
//
//   gate       the gate's own charge run (charge_runner: each charge's key written to the gate's SQLite store
//              before it is sent, outcomes recorded, bounded concurrency) with its Stripe adapter and the
//              shared HTTP client, in this process, charging N confirmed pledges of a funded campaign;
//   reference  a bare loop of the same HTTP client sending the same N off-session charges
//              (POST /v1/payment_intents, one Idempotency-Key each) with the same number in flight and no
//              store at all.
// Both go to the same fake Stripe (publisher/fake-stripe) with the same injected latency per call (50 ms, a
// provider across the Atlantic), whose N customers and saved cards are made first at full speed. The ratio
// gate / reference says what writing down each charge before and after it costs at that concurrency.
//
// Everything lives in one temporary folder that is removed at the end.

#include "sluice-gate/charge_runner.hpp"
#include "sluice-gate/sqlite_store.hpp"
#include "sluice-gate/stripe_form.hpp"
#include "sluice-gate/stripe_provider.hpp"
#include "support/args.hpp"
#include "support/bench_main.hpp"
#include "support/fake_provider.hpp"
#include "support/files.hpp"
#include "support/progress.hpp"
#include "support/timing.hpp"

#include <sluice/net/http_client.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdio>
#include <functional>
#include <sqlite3.h>
#include <string>
#include <vector>

#ifndef SLUICE_BENCH_FAKE_PROVIDER
#define SLUICE_BENCH_FAKE_PROVIDER ""
#endif

namespace {

namespace bench = sluice::bench;
namespace gate = sluice::gate;
namespace net = sluice::net;
namespace fs = std::filesystem;
using bench::bench_error;
using bench::say;
using clock_type = std::chrono::steady_clock;
using nlohmann::json;

constexpr char const* campaign_id = "bench-campaign";
constexpr std::uint64_t amount = 1500;

constexpr char const* usage =
    "usage: charge_bench [--pledges N] [--concurrency N] [--latency-ms N] [--json]\n"
    "  --pledges N       confirmed pledges charged (default: 250000)\n"
    "  --concurrency N   charges at the provider at once, both sides (default: 64)\n"
    "  --latency-ms N    latency the fake provider adds to each call (default: 50)\n"
    "  --json            one JSON object on stdout (progress goes to stderr)\n";

struct options {
    std::size_t pledges = 250000;
    std::size_t concurrency = 64;
    int latency_ms = 50;
    bool json = false;
};

struct saved_card {
    std::string customer;
    std::string payment_method;
};

// The reference: the same charges, sent by the same client with the same number in flight, nothing recorded.
double bare_charges_per_second(bench::fake_provider const& fake, std::vector<saved_card> const& cards,
                               std::size_t concurrency) {
    boost::asio::io_context io;
    std::size_t next = 0;
    std::size_t succeeded = 0;
    std::size_t failed = 0;
    std::function<void()> send_one = [&] {
        if (next >= cards.size()) {
            return;
        }
        auto const n = next++;
        gate::stripe_form form;
        form.add("amount", amount)
            .add("currency", "eur")
            .add("customer", cards[n].customer)
            .add("payment_method", cards[n].payment_method)
            .add("off_session", "true")
            .add("confirm", "true")
            .add_map("metadata", {{"sluice_charge", "bare-" + std::to_string(n)}});
        net::outgoing_request r;
        r.method = "POST";
        r.url = fake.base() + "v1/payment_intents";
        r.body = form.body();
        r.content_type = "application/x-www-form-urlencoded";
        r.headers = {{"Authorization", "Bearer " + fake.secret_key()},
                     {"Idempotency-Key", "bare-" + std::to_string(n)}};
        net::send_request(io, std::move(r), [&](net::incoming_response res) {
            ++(res.ok && res.status == 200 ? succeeded : failed);
            send_one();
        });
    };
    auto const start = clock_type::now();
    for (std::size_t i = 0; i < concurrency; ++i) {
        send_one();
    }
    io.run();
    auto const seconds = bench::seconds_since(start);
    if (failed > 0 || succeeded != cards.size()) {
        throw bench_error("the bare loop: " + std::to_string(failed) + " charges failed");
    }
    return static_cast<double>(succeeded) / seconds;
}

void exec(sqlite3* db, char const* sql) {
    char* error = nullptr;
    if (sqlite3_exec(db, sql, nullptr, nullptr, &error) != SQLITE_OK) {
        std::string const what = error ? error : "?";
        sqlite3_free(error);
        throw bench_error(std::string("SQLite: ") + what);
    }
}

// A funded campaign of confirmed pledges, one per saved card, in the gate's own store. The rows are written
// in one transaction with SQL of the bench's own: making them one by one through the pledge handler and the
// provider's webhooks would take hours at 250,000 and measure something else.
void fund_campaign(fs::path const& data, std::vector<saved_card> const& cards) {
    std::error_code ec;
    std::string detail;
    auto store = gate::open_sqlite_store(data, ec, &detail);
    if (!store) {
        throw bench_error("cannot open the gate's store: " + detail);
    }
    store->put_bundle({"bench-bundle", 1, "{}", "", "", "", 0}, ec);
    store->ensure_campaign({campaign_id, "bench-bundle", 1, std::nullopt, amount, "EUR", 4102444800,
                            "2100-01-01", "Nothing is charged.", "open", std::nullopt},
                           ec);
    if (ec) {
        throw bench_error("cannot make the campaign: " + ec.message());
    }
    store.reset();
    sqlite3* db = nullptr;
    sqlite3_open((data / "gate.db").c_str(), &db);
    exec(db, "BEGIN");
    sqlite3_stmt* insert = nullptr;
    sqlite3_prepare_v2(
        db,
        "INSERT INTO pledges (pledge_id, campaign_id, idempotency_key, request_hash, amount, device, "
        "state, response, created_at, customer, payment_method, confirmed_at) VALUES (?, ?, ?, '', "
        "?, '', 'confirmed', '', 0, ?, ?, 0)",
        -1, &insert, nullptr);
    for (std::size_t n = 0; n < cards.size(); ++n) {
        auto const id = "pledge-" + std::to_string(n);
        sqlite3_bind_text(insert, 1, id.c_str(), -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(insert, 2, campaign_id, -1, SQLITE_STATIC);
        sqlite3_bind_text(insert, 3, id.c_str(), -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(insert, 4, static_cast<sqlite3_int64>(amount));
        sqlite3_bind_text(insert, 5, cards[n].customer.c_str(), -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(insert, 6, cards[n].payment_method.c_str(), -1, SQLITE_TRANSIENT);
        if (sqlite3_step(insert) != SQLITE_DONE) {
            throw bench_error(std::string("inserting a pledge: ") + sqlite3_errmsg(db));
        }
        sqlite3_reset(insert);
    }
    sqlite3_finalize(insert);
    exec(db, "COMMIT");
    sqlite3_close(db);
    store = gate::open_sqlite_store(data, ec, &detail);
    if (!store || store->close_campaign(campaign_id, 1, ec) != "funded") {
        throw bench_error("the campaign did not close funded: " + ec.message());
    }
}

std::int64_t count_rows(fs::path const& db_file, char const* sql) {
    sqlite3* db = nullptr;
    sqlite3_open_v2(db_file.c_str(), &db, SQLITE_OPEN_READONLY, nullptr);
    sqlite3_stmt* s = nullptr;
    sqlite3_prepare_v2(db, sql, -1, &s, nullptr);
    std::int64_t n = -1;
    if (sqlite3_step(s) == SQLITE_ROW) {
        n = sqlite3_column_int64(s, 0);
    }
    sqlite3_finalize(s);
    sqlite3_close(db);
    return n;
}

// The gate's charge run over the funded campaign, until every pledge is charged.
double gate_charges_per_second(bench::fake_provider const& fake, fs::path const& data, std::size_t pledges,
                               std::size_t concurrency) {
    std::error_code ec;
    std::string detail;
    auto store = gate::open_sqlite_store(data, ec, &detail);
    if (!store) {
        throw bench_error("cannot open the gate's store: " + detail);
    }
    boost::asio::io_context io;
    gate::stripe_config config;
    config.api_base = fake.base();
    config.secret_key = fake.secret_key();
    config.webhook_secret = "whsec_unused_by_the_charge_run";
    gate::stripe_provider provider(io, config);
    gate::charge_run_settings settings;
    settings.concurrency = concurrency;
    settings.poll = std::chrono::milliseconds(200);
    auto const now = [] {
        return std::chrono::duration_cast<std::chrono::seconds>(
                   std::chrono::system_clock::now().time_since_epoch())
            .count();
    };
    gate::charge_runner runner(io, *store, provider, settings, now);
    boost::asio::steady_timer check(io);
    std::function<void()> watch = [&] {
        check.expires_after(std::chrono::milliseconds(250));
        check.async_wait([&](boost::system::error_code const&) {
            auto const left = count_rows(
                data / "gate.db", "SELECT COUNT(*) FROM pledges WHERE state IN ('confirmed', 'charging')");
            if (left == 0 && runner.in_flight() == 0) {
                runner.stop();
                return;
            }
            watch();
        });
    };
    auto const start = clock_type::now();
    runner.start();
    watch();
    io.run();
    auto const seconds = bench::seconds_since(start);
    auto const charged = count_rows(data / "gate.db", "SELECT COUNT(*) FROM pledges WHERE state = 'charged'");
    auto const keys = count_rows(data / "gate.db", "SELECT COUNT(DISTINCT pledge_id) FROM charges");
    if (charged != static_cast<std::int64_t>(pledges) || keys != charged) {
        throw bench_error("the charge run charged " + std::to_string(charged) + " of " +
                          std::to_string(pledges) + " pledges (" + std::to_string(keys) +
                          " with a charge row)");
    }
    return static_cast<double>(pledges) / seconds;
}

int run(options const& opt) {
    bench::temp_dir work("charge-bench-");
    say("starting the fake provider and saving %zu cards ...\n", opt.pledges);
    bench::fake_provider fake(SLUICE_BENCH_FAKE_PROVIDER, work / "provider");
    auto const seeded = json::parse(
        fake.control("seed", json{{"customers", opt.pledges}, {"card", "4242424242424242"}}.dump()));
    std::vector<saved_card> cards;
    for (auto const& c : seeded.at("customers")) {
        cards.push_back({c.at("customer").get<std::string>(), c.at("paymentMethod").get<std::string>()});
    }
    fund_campaign(work / "gate", cards);
    fake.control("latency", json{{"ms", opt.latency_ms}}.dump());

    say("reference: %zu bare charges, %zu in flight, %d ms per call ...\n", cards.size(), opt.concurrency,
        opt.latency_ms);
    auto const bare = bare_charges_per_second(fake, cards, opt.concurrency);
    say("reference: %.0f charges/s\n", bare);
    say("gate: the charge run over %zu confirmed pledges, %zu in flight ...\n", cards.size(),
        opt.concurrency);
    auto const gate_rate = gate_charges_per_second(fake, work / "gate", cards.size(), opt.concurrency);
    say("gate: %.0f charges/s (load %s)\n", gate_rate, bench::load_average().c_str());

    auto const ideal = static_cast<double>(opt.concurrency) * 1000.0 / opt.latency_ms;
    if (opt.json) {
        std::printf("%s\n", json{{"pledges", opt.pledges},
                                 {"concurrency", opt.concurrency},
                                 {"latencyMs", opt.latency_ms},
                                 {"gateChargesPerSecond", gate_rate},
                                 {"bareChargesPerSecond", bare},
                                 {"ratio", gate_rate / bare},
                                 {"latencyBoundPerSecond", ideal}}
                                .dump()
                                .c_str());
    } else {
        std::printf("charging %zu pledges, %zu at once, %d ms per provider call (bound: %.0f/s)\n",
                    opt.pledges, opt.concurrency, opt.latency_ms, ideal);
        std::printf("%-52s %10.0f charges/s\n", "gate charge run (keys written first, outcomes kept)",
                    gate_rate);
        std::printf("%-52s %10.0f charges/s\n", "bare HTTP client loop (reference)", bare);
        std::printf("%-52s %10.2f\n", "ratio gate / reference", gate_rate / bare);
    }
    return 0;
}

options parse_args(int argc, char** argv) {
    options opt;
    bench::arg_reader args(argc, argv);
    while (args.next()) {
        if (args.is("--pledges")) {
            opt.pledges = args.number(1, 1'000'000);
        } else if (args.is("--concurrency")) {
            opt.concurrency = args.number(1, 1000);
        } else if (args.is("--latency-ms")) {
            opt.latency_ms = static_cast<int>(args.number(0, 10'000));
        } else if (args.is("--json")) {
            opt.json = true;
        } else {
            args.unknown();
        }
    }
    return opt;
}

} // namespace

int main(int argc, char** argv) {
    return bench::run_main("charge_bench", usage, argc, argv, [&] { return run(parse_args(argc, argv)); });
}
