#include "sluice-gate/cli.hpp"

#include "common/key_files.hpp"
#include "sluice-gate/admin_commands.hpp"
#include "sluice-gate/backer_notices.hpp"
#include "sluice-gate/charge_runner.hpp"
#include "sluice-gate/creator_figures.hpp"
#include "sluice-gate/http_server.hpp"
#include "sluice-gate/import_command.hpp"
#include "sluice-gate/io_threads.hpp"
#include "sluice-gate/ledger.hpp"
#include "sluice-gate/migrate_command.hpp"
#include "sluice-gate/reconcile.hpp"
#include "sluice-gate/secret_file.hpp"
#include "sluice-gate/store_location.hpp"
#include "sluice-gate/stripe_provider.hpp"
#include "sluice-gate/swarm_scrape.hpp"
#include "sluice-gate/tls_context.hpp"
#include "sluice-gate/tracker_reader.hpp"
#include "sluice-gate/translation_review.hpp"

#include <sluice/fileio/atomic_file.hpp>
#include <sluice/fileio/file_io.hpp>
#include <sluice/protocol/translation_addon.hpp>
#include <sluice/protocol/untrusted_json.hpp>

#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <nlohmann/json.hpp>

#include <cstdio>
#include <deque>
#include <map>
#include <memory>
#include <optional>

namespace sluice::gate {

namespace {

namespace fs = std::filesystem;
namespace asio = boost::asio;

constexpr char const* usage_text =
    "usage:\n"
    "  sluice-gate serve --data DIR --listen ADDRESS:PORT --gate-key FILE [--public-url URL]\n"
    "                    [--mail-command CMD] [STRIPE] [--grace-period DURATION]\n"
    "                    [--charge-retry-interval DURATION] [--charge-concurrency N]\n"
    "                    [--admin-token-file FILE] [--tls-cert FILE --tls-key FILE]\n"
    "                    [--threads N] [--trusted-proxy ADDRESS] [--count-views yes|no]\n"
    "                    [--tracker ANNOUNCE-URL [--tracker-every DURATION]] [--translation-key FILE]\n"
    "                    [--translation-licence TEXT]\n"
    "      Serves the gate's HTTP API (protocol/gate-api.md); prints its URL on stdout once listening.\n"
    "      PORT 0 picks a free port. CMD (run by /bin/sh) reads each mail on stdin, e.g. 'sendmail -t'.\n"
    "      STRIPE is --stripe-key-file FILE --stripe-webhook-secret-file FILE [--stripe-api URL]: the\n"
    "      account that takes payments and pledges (docs/payments.md); it needs --public-url. Funded\n"
    "      campaigns are charged by this process, N charges at once (16); a declined charge is retried\n"
    "      every interval (1d) until the grace period (7d) ends. DURATION: 30s, 15m, 12h, 7d.\n"
    "      --admin-token-file turns on /v1/admin/ (a token of 32+ characters).\n"
    "      --tls-cert and --tls-key (PEM) serve HTTPS.\n"
    "      --threads: requests handled at once, 1 to 256 (1 for SQLite, 8 for PostgreSQL).\n"
    "      --trusted-proxy: the reverse proxy whose X-Forwarded-For names the client for the rate limits.\n"
    "      --count-views no: landing pages carry no script and count no view (yes by default).\n"
    "      --tracker: the tracker the bundles announce to; its scrape is read every DURATION (15m) for the\n"
    "      bundles' seeds, leechers and downloads (stats --bundle).\n"
    "  sluice-gate import --data DIR --gate-key FILE BUNDLE-FOLDER KEYS.json [--torrent FILE]\n"
    "      Stores a bundle made by sluice-bundle create, with its item keys and magnet link.\n"
    "  sluice-gate close --data DIR CAMPAIGN\n"
    "      Closes a pledge campaign now: funded if its goals are met, else failed. Prints the outcome as "
    "JSON.\n"
    "  sluice-gate deliver --data DIR CAMPAIGN BUNDLE-ID\n"
    "      Publishes an imported bundle to the backers of a funded campaign. Prints the delivery as JSON.\n"
    "  sluice-gate campaign --data DIR CAMPAIGN [--ledger yes] [--csv FILE]\n"
    "      Prints the campaign's progress and deliveries as JSON; with --ledger, its money (pledged,\n"
    "      confirmed, charged, failed, refunded); --csv writes every pledge and charge to FILE (- for "
    "stdout).\n"
    "  sluice-gate update --data DIR CAMPAIGN --title TITLE (--text TEXT | --text-file FILE)\n"
    "      Posts an update to the campaign's backers; their extensions show it with the campaign.\n"
    "  sluice-gate refund --data DIR STRIPE PLEDGE [--amount MINOR-UNITS]\n"
    "      Refunds a charged pledge (all that is left, or AMOUNT). What was delivered stays delivered.\n"
    "  sluice-gate reconcile --data DIR STRIPE\n"
    "      Compares every charge and refund the gate recorded with the provider's; names each difference\n"
    "      and exits 1 when there is one.\n"
    "  sluice-gate tracker-whitelist --data DIR\n"
    "      Prints the info-hashes of the imported bundles, one per line (40 hex digits: v1, and v2 cut to\n"
    "      20 bytes), for a tracker that tracks only those listed (Debian's opentracker: its whitelist).\n"
    "  sluice-gate stats --data DIR [--bundle ID | --campaign ID]\n"
    "      Prints bundles (with their landing-page views), campaigns, unlocks, pending confirmations and\n"
    "      payments as JSON; with --bundle, that bundle's figures per day (views, referring sites, its\n"
    "      swarm, the funnel from views to charges); with --campaign, its progress against its goal.\n"
    "  sluice-gate translations list --data DIR [--bundle ID] [--state pending|approved|rejected]\n"
    "  sluice-gate translations show --data DIR SUBMISSION [--track FILE]\n"
    "  sluice-gate translations approve --data DIR --key FILE SUBMISSION\n"
    "  sluice-gate translations reject --data DIR SUBMISSION --reason TEXT\n"
    "  sluice-gate translations export --data DIR --bundle ID --out FOLDER\n"
    "      Viewers' translations (protocol/translations.md): lists them, shows one (its track written to\n"
    "      FILE, - for stdout), approves one, signing its add-on with FILE (the publisher key or a key the\n"
    "      manifest lists under translationKeys), or rejects one, saying why. Prints JSON. export writes\n"
    "      the approved ones with their tracks for sluice-bundle create --include-translations.\n"
    "  sluice-gate migrate --from sqlite:DIR --to URL\n"
    "      Copies the gate's SQLite data into an empty PostgreSQL database (URL: postgresql://...) in one\n"
    "      transaction, committed once rows and amounts agree on both sides; prints them as JSON. What a\n"
    "      gate still serving from DIR writes after the copy began is not copied: stop it first.\n"
    "\n"
    "  --data DIR is where the gate keeps its SQLite database; --db sqlite:DIR says the same.\n";

// The admin token is all an attacker needs to publish to backers: long enough that guessing is hopeless.
constexpr std::size_t min_admin_token = 32;
// The webhook secret is the whole proof that a payment was made; Stripe's are longer than this.
constexpr std::size_t min_payment_secret = 16;
// Each serving thread holds a store connection: a PostgreSQL server takes a few hundred at most.
constexpr int max_serve_threads = 256;

void say(std::string const& message) {
    std::fprintf(stderr, "sluice-gate: %s\n", message.c_str());
}

int usage(std::string const& message) {
    say(message);
    std::fputs(usage_text, stderr);
    return exit_usage;
}

// "--name value" options among positional arguments; every option takes a value.
struct parsed_args {
    std::map<std::string, std::string> options;
    std::vector<std::string> positional;
    std::string error;
};

parsed_args parse(std::vector<std::string> const& args, std::size_t from,
                  std::vector<std::string> const& known) {
    parsed_args out;
    for (std::size_t i = from; i < args.size(); ++i) {
        auto const& a = args[i];
        if (!a.starts_with("--")) {
            out.positional.push_back(a);
            continue;
        }
        auto const name = a.substr(2);
        bool const store_option =
            name == "db" && std::find(known.begin(), known.end(), "data") != known.end();
        if (!store_option && std::find(known.begin(), known.end(), name) == known.end()) {
            out.error = "unknown option " + a;
            return out;
        }
        if (i + 1 >= args.size()) {
            out.error = a + " needs a value";
            return out;
        }
        if (out.options.contains(name)) {
            out.error = a + " given twice";
            return out;
        }
        out.options[name] = args[++i];
    }
    // --data FOLDER is --db sqlite:FOLDER: one key for the commands to read.
    if (out.options.contains("data")) {
        if (out.options.contains("db")) {
            out.error = "--data and --db both name the data: give one";
            return out;
        }
        out.options["db"] = "sqlite:" + out.options.at("data");
        out.options.erase("data");
    }
    return out;
}

std::unique_ptr<gate_store> open_store(std::string const& db) {
    std::string error;
    auto const location = parse_store_location(db, error);
    if (!location) {
        say(error);
        return nullptr;
    }
    std::error_code ec;
    std::string detail;
    auto store = open_store(*location, ec, &detail);
    if (!store) {
        say(location->describe() + ": " + (detail.empty() ? ec.message() : detail));
    }
    return store;
}

// "30s", "15m", "12h", "7d" or plain seconds; nullopt when it is not one of those (or not positive).
std::optional<std::int64_t> parse_duration(std::string const& text) {
    if (text.empty() || text.size() > 12) {
        return std::nullopt;
    }
    std::int64_t unit = 1;
    auto digits = text;
    switch (text.back()) {
    case 's':
        digits.pop_back();
        break;
    case 'm':
        unit = 60;
        digits.pop_back();
        break;
    case 'h':
        unit = 3600;
        digits.pop_back();
        break;
    case 'd':
        unit = 86400;
        digits.pop_back();
        break;
    default:
        break;
    }
    if (digits.empty() ||
        !std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; })) {
        return std::nullopt;
    }
    auto const value = std::stoll(digits) * unit;
    return value > 0 ? std::optional<std::int64_t>(value) : std::nullopt;
}

// What is wrong with the --stripe-* options as written (a usage error), or "" when nothing is. `required`:
// the command cannot do without them.
std::string stripe_usage(parsed_args const& a, bool required) {
    bool const key = a.options.contains("stripe-key-file");
    bool const secret = a.options.contains("stripe-webhook-secret-file");
    if (!key && !secret && !a.options.contains("stripe-api")) {
        return required ? "this needs --stripe-key-file and --stripe-webhook-secret-file" : "";
    }
    if (!key || !secret) {
        return "--stripe-key-file and --stripe-webhook-secret-file go together";
    }
    if (a.options.contains("stripe-api") && !a.options.at("stripe-api").starts_with("https://") &&
        !a.options.at("stripe-api").starts_with("http://")) {
        return "--stripe-api must be an http(s) URL";
    }
    return {};
}

// The Stripe account from --stripe-* (checked by stripe_usage first); nullopt when none is configured, or
// with `error` set when a file cannot be used.
std::optional<stripe_config> stripe_from(parsed_args const& a, std::string& error) {
    if (!a.options.contains("stripe-key-file")) {
        return std::nullopt;
    }
    stripe_config config;
    if (a.options.contains("stripe-api")) {
        config.api_base = a.options.at("stripe-api");
    }
    auto secret_key = read_secret_file(a.options.at("stripe-key-file"), min_payment_secret, error);
    auto webhook =
        secret_key ? read_secret_file(a.options.at("stripe-webhook-secret-file"), min_payment_secret, error)
                   : std::nullopt;
    if (!secret_key || !webhook) {
        return std::nullopt;
    }
    config.secret_key = std::move(*secret_key);
    config.webhook_secret = std::move(*webhook);
    return config;
}

// The Stripe account a command cannot do without; nullopt, with the exit code in `refused` once the reason
// is said, when it is not given right.
std::optional<stripe_config> required_stripe(parsed_args const& a, int& refused) {
    if (auto const problem = stripe_usage(a, true); !problem.empty()) {
        refused = usage(problem);
        return std::nullopt;
    }
    std::string error;
    auto stripe = stripe_from(a, error);
    if (!stripe) {
        say(error);
        refused = exit_failed;
    }
    return stripe;
}

// An option as a person gives it: the data is named by --data DIR, or --db.
std::string option_name(std::string_view key) {
    return key == "db" ? "data DIR (or --db)" : std::string(key);
}

// How many threads serve requests (--threads), or nullopt once the usage error is said. By default one for
// SQLite, which lets one writer in at a time (more threads would mostly wait for it), and eight for
// PostgreSQL, which writes side by side. More threads on SQLite are still correct: writers queue.
std::optional<std::size_t> serve_threads(parsed_args const& a, int& refused) {
    if (!a.options.contains("threads")) {
        std::string ignored;
        auto const location = parse_store_location(a.options.at("db"), ignored);
        return location && location->kind == store_location::engine::postgresql ? 8 : 1;
    }
    auto const& n = a.options.at("threads");
    if (n.empty() || n.size() > 3 ||
        !std::all_of(n.begin(), n.end(), [](char c) { return c >= '0' && c <= '9'; }) || std::stoi(n) < 1 ||
        std::stoi(n) > max_serve_threads) {
        refused = usage("--threads must be a number from 1 to " + std::to_string(max_serve_threads));
        return std::nullopt;
    }
    return static_cast<std::size_t>(std::stoi(n));
}

int serve(parsed_args const& a) {
    for (auto const* required : {"db", "listen", "gate-key"}) {
        if (!a.options.contains(required)) {
            return usage(std::string("serve needs --") + option_name(required));
        }
    }
    if (!a.positional.empty()) {
        return usage("serve takes no argument " + a.positional.front());
    }
    auto const& listen = a.options.at("listen");
    auto const colon = listen.rfind(':');
    boost::system::error_code bec;
    auto const address =
        asio::ip::make_address(colon == std::string::npos ? std::string() : listen.substr(0, colon), bec);
    int port = -1;
    if (colon != std::string::npos && colon + 1 < listen.size() && listen.size() - colon <= 6 &&
        std::all_of(listen.begin() + static_cast<long>(colon) + 1, listen.end(),
                    [](char c) { return c >= '0' && c <= '9'; })) {
        port = std::stoi(listen.substr(colon + 1));
    }
    if (bec || port < 0 || port > 65535) {
        return usage("--listen must be ADDRESS:PORT, e.g. 127.0.0.1:8080");
    }
    if (a.options.contains("public-url")) {
        auto const& url = a.options.at("public-url");
        if (!url.starts_with("https://") && !url.starts_with("http://")) {
            return usage("--public-url must be an http(s) URL");
        }
    }
    charge_run_settings charging;
    for (auto const& [name, target] : {std::pair{"grace-period", &charging.policy.grace},
                                       std::pair{"charge-retry-interval", &charging.policy.retry_interval}}) {
        if (a.options.contains(name)) {
            auto const d = parse_duration(a.options.at(name));
            if (!d) {
                return usage(std::string("--") + name + " must be a duration: 30s, 15m, 12h or 7d");
            }
            *target = *d;
        }
    }
    if (a.options.contains("charge-concurrency")) {
        auto const& n = a.options.at("charge-concurrency");
        if (n.empty() || n.size() > 4 ||
            !std::all_of(n.begin(), n.end(), [](char c) { return c >= '0' && c <= '9'; }) ||
            std::stoi(n) < 1 || std::stoi(n) > 1000) {
            return usage("--charge-concurrency must be a number from 1 to 1000");
        }
        charging.concurrency = static_cast<std::size_t>(std::stoi(n));
    }
    if (a.options.contains("tls-cert") != a.options.contains("tls-key")) {
        return usage("--tls-cert and --tls-key go together");
    }
    int refused = exit_ok;
    auto const threads = serve_threads(a, refused);
    if (!threads) {
        return refused;
    }
    std::string trusted_proxy;
    if (a.options.contains("trusted-proxy")) {
        boost::system::error_code proxy_ec;
        auto const proxy = asio::ip::make_address(a.options.at("trusted-proxy"), proxy_ec);
        if (proxy_ec) {
            return usage("--trusted-proxy must be an IP address, e.g. 127.0.0.1");
        }
        trusted_proxy = proxy.to_string();
    }
    std::optional<std::string> scrape_url;
    std::chrono::seconds tracker_every{15 * 60};
    if (a.options.contains("tracker")) {
        scrape_url = scrape_url_of(a.options.at("tracker"));
        if (!scrape_url) {
            return usage(
                "--tracker must be an http(s) announce URL whose path ends in /announce (it has a scrape)");
        }
        if (a.options.contains("tracker-every")) {
            auto const d = parse_duration(a.options.at("tracker-every"));
            if (!d) {
                return usage("--tracker-every must be a duration: 30s, 15m, 12h or 7d");
            }
            tracker_every = std::chrono::seconds(*d);
        }
    } else if (a.options.contains("tracker-every")) {
        return usage("--tracker-every goes with --tracker");
    }
    auto const count_views = a.options.contains("count-views") ? a.options.at("count-views") : "yes";
    if (count_views != "yes" && count_views != "no") {
        return usage("--count-views is yes or no");
    }
    auto gate_key = publisher::load_signing_key(a.options.at("gate-key"));
    if (!gate_key) {
        say(gate_key.error);
        return exit_failed;
    }
    if (a.options.contains("translation-licence") &&
        !readable_text(a.options.at("translation-licence"), 200, false)) {
        return usage("--translation-licence is 1 to 200 bytes of text on one line");
    }
    std::optional<protocol::signing_keypair> translation_key;
    if (a.options.contains("translation-key")) {
        auto key = publisher::load_signing_key(a.options.at("translation-key"));
        if (!key) {
            say(key.error);
            return exit_failed;
        }
        translation_key = *key;
    }
    if (auto const problem = stripe_usage(a, false); !problem.empty()) {
        return usage(problem);
    }
    std::string error;
    auto const stripe = stripe_from(a, error);
    if (!error.empty()) {
        say(error);
        return exit_failed;
    }
    if (stripe && !a.options.contains("public-url")) {
        return usage("payments need --public-url: the provider's page sends the viewer back there");
    }
    std::string admin_token;
    if (a.options.contains("admin-token-file")) {
        auto token = read_secret_file(a.options.at("admin-token-file"), min_admin_token, error);
        if (!token) {
            say(error);
            return exit_failed;
        }
        admin_token = std::move(*token);
    }
    std::unique_ptr<asio::ssl::context> tls;
    if (a.options.contains("tls-cert")) {
        tls = make_tls_context(a.options.at("tls-cert"), a.options.at("tls-key"), error);
        if (!tls) {
            say(error);
            return exit_failed;
        }
    }
    auto const mail_command =
        a.options.contains("mail-command") ? a.options.at("mail-command") : std::string();
    auto const public_url = a.options.contains("public-url") ? a.options.at("public-url") : std::string();

    // One shard per thread, each with its own loop, store connection, provider and context, so that
    // whatever a handler touches belongs to its thread; then, when payments are on, the charge run's, on a
    // thread of its own. The loops are declared before everything that posts to them: the mailer's workers
    // post answers until the last copy of the mailer (the contexts') is gone. The control loop comes after
    // them, so it goes first: an accept still pending there holds a socket of a shard's loop.
    std::deque<asio::io_context> loops;
    asio::io_context control(1); // the acceptor and the signals, on this thread
    mailer const mail(mail_command);
    std::vector<std::unique_ptr<gate_store>> stores;
    std::deque<gate_context> contexts;
    for (std::size_t i = 0; i < *threads + (stripe ? 1 : 0); ++i) {
        auto& io = loops.emplace_back(1);
        auto const& store = stores.emplace_back(open_store(a.options.at("db")));
        if (!store) {
            return exit_failed;
        }
        std::shared_ptr<payment_provider const> payments;
        if (stripe) {
            // Its calls complete on the loop it is given: the handlers' own.
            payments = std::make_shared<stripe_provider>(io, *stripe);
        }
        auto& ctx = contexts.emplace_back(
            gate_context{*store, *gate_key, public_url, mail, payments, charging.policy});
        ctx.admin_token = admin_token;
        ctx.translation_key = translation_key;
        if (a.options.contains("translation-licence")) {
            ctx.translation_licence = a.options.at("translation-licence");
        }
        ctx.trusted_proxy = trusted_proxy;
        ctx.count_views = count_views == "yes";
        // The limits hold for the whole process, whichever thread a request lands on.
        ctx.per_address = contexts.front().per_address;
        ctx.per_ip = contexts.front().per_ip;
        ctx.views_per_ip = contexts.front().views_per_ip;
        ctx.plays_per_ip = contexts.front().plays_per_ip;
        ctx.admin_logins = contexts.front().admin_logins;
        ctx.translations_per_ip = contexts.front().translations_per_ip;
    }
    std::optional<charge_runner> charges;
    if (stripe) {
        auto& io = loops.back();
        auto& ctx = contexts.back();
        charges.emplace(io, ctx.store, *ctx.payments, charging, [&ctx] { return ctx.unix_now(); });
        charges->on_failures([&ctx, &io](std::vector<charge_settlement> const& failed) {
            tell_backers_of_failed_charges(ctx, io.get_executor(), failed);
        });
        for (std::size_t i = 0; i < *threads; ++i) {
            // The run's state is its thread's: a shard only posts there.
            contexts[i].wake_charges = [&io, &charges] { asio::post(io, [&charges] { charges->wake(); }); };
        }
    }
    std::optional<tracker_reader> tracker;
    if (scrape_url) {
        // On the first shard's loop, with its store: that thread is the only one to touch either.
        tracker.emplace(loops.front(), contexts.front().store, *scrape_url, tracker_every,
                        [&ctx = contexts.front()] { return ctx.unix_now(); });
    }
    std::vector<http_shard> shards;
    for (std::size_t i = 0; i < *threads; ++i) {
        shards.push_back({loops[i], contexts[i]});
    }
    std::error_code ec;
    http_server server(control, std::move(shards),
                       asio::ip::tcp::endpoint(address, static_cast<unsigned short>(port)), ec, tls.get());
    if (ec) {
        say("cannot listen on " + listen + ": " + ec.message());
        return exit_failed;
    }
    io_threads running;
    asio::signal_set signals(control, SIGINT, SIGTERM);
    signals.async_wait([&](boost::system::error_code, int) {
        server.stop();
        if (charges) {
            // Stopped on its own thread, before its loop is; a request in flight is dropped, as any
            // connection's is (a charge sent stays `started` and is sent again with its key next time).
            asio::post(loops.back(), [&] {
                charges->stop();
                loops.back().stop();
            });
        }
        if (tracker) {
            asio::post(loops.front(), [&] { tracker->stop(); });
        }
        for (std::size_t i = 0; i < *threads; ++i) {
            loops[i].stop();
        }
        control.stop();
    });
    server.start();
    if (charges) {
        charges->start(); // before its thread runs the loop: this thread is the only one touching it yet
    }
    if (tracker) {
        asio::post(loops.front(), [&] { tracker->start(); });
    }
    for (auto& io : loops) {
        running.run(io);
    }
    auto const host = address.is_v6() ? "[" + address.to_string() + "]" : address.to_string();
    std::printf("%s://%s:%u/\n", tls ? "https" : "http", host.c_str(), static_cast<unsigned>(server.port()));
    std::fflush(stdout);
    control.run();
    running.join();
    return exit_ok;
}

int import(parsed_args const& a) {
    for (auto const* required : {"db", "gate-key"}) {
        if (!a.options.contains(required)) {
            return usage(std::string("import needs --") + option_name(required));
        }
    }
    if (a.positional.size() != 2) {
        return usage("import needs BUNDLE-FOLDER and KEYS.json");
    }
    import_options options;
    options.bundle_folder = a.positional[0];
    options.keys_file = a.positional[1];
    options.gate_key_file = a.options.at("gate-key");
    if (a.options.contains("torrent")) {
        options.torrent_file = a.options.at("torrent");
    }
    std::error_code ec;
    if (!fs::is_directory(options.bundle_folder, ec)) {
        return usage(options.bundle_folder.string() + " is not a folder");
    }
    auto store = open_store(a.options.at("db"));
    if (!store) {
        return exit_failed;
    }
    auto report = import_bundle(*store, options);
    if (!report) {
        say(report.error);
        return exit_failed;
    }
    for (auto const& w : report->warnings) {
        say("warning: " + w);
    }
    char const* outcome = report->outcome == import_outcome::inserted   ? "imported"
                          : report->outcome == import_outcome::replaced ? "replaced an earlier version"
                                                                        : "already there";
    std::printf("%s %llu: %s\n", report->bundle_id.c_str(), static_cast<unsigned long long>(report->version),
                outcome);
    return exit_ok;
}

std::int64_t unix_now() {
    return std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

// Prints an operation's JSON (indented by `indent`, or on one line), or says why it failed.
int report(admin_outcome const& outcome, int indent = -1) {
    if (!outcome.done()) {
        say(outcome.message);
        return exit_failed;
    }
    std::printf("%s\n", outcome.body.dump(indent).c_str());
    return exit_ok;
}

// Writes `text` to `file` (- for stdout), or says why it could not.
bool write_out(std::string const& file, std::string const& text) {
    if (file == "-") {
        std::fwrite(text.data(), 1, text.size(), stdout);
        return true;
    }
    auto* f = std::fopen(file.c_str(), "wb");
    bool written = f && std::fwrite(text.data(), 1, text.size(), f) == text.size();
    written = f && std::fclose(f) == 0 && written;
    if (!written) {
        say("cannot write " + file);
    }
    return written;
}

int close(parsed_args const& a) {
    if (!a.options.contains("db")) {
        return usage("close needs --db (or --data)");
    }
    if (a.positional.size() != 1) {
        return usage("close needs the CAMPAIGN id");
    }
    auto store = open_store(a.options.at("db"));
    if (!store) {
        return exit_failed;
    }
    return report(close_campaign_now(*store, a.positional[0], unix_now()));
}

int deliver(parsed_args const& a) {
    if (!a.options.contains("db")) {
        return usage("deliver needs --db (or --data)");
    }
    if (a.positional.size() != 2) {
        return usage("deliver needs the CAMPAIGN id and the BUNDLE-ID");
    }
    auto store = open_store(a.options.at("db"));
    if (!store) {
        return exit_failed;
    }
    return report(deliver_bundle(*store, a.positional[0], a.positional[1], unix_now()));
}

int campaign(parsed_args const& a) {
    if (!a.options.contains("db")) {
        return usage("campaign needs --db (or --data)");
    }
    if (a.positional.size() != 1) {
        return usage("campaign needs the CAMPAIGN id");
    }
    auto store = open_store(a.options.at("db"));
    if (!store) {
        return exit_failed;
    }
    if (a.options.contains("csv")) {
        std::error_code ec;
        auto const csv = campaign_ledger_csv(*store, a.positional[0], ec);
        if (!csv) {
            say(ec ? ec.message() : "no campaign " + a.positional[0]);
            return exit_failed;
        }
        if (!write_out(a.options.at("csv"), *csv)) {
            return exit_failed;
        }
    }
    if (a.options.contains("ledger")) {
        std::error_code ec;
        auto const ledger = campaign_ledger(*store, a.positional[0], ec);
        if (!ledger) {
            say(ec ? ec.message() : "no campaign " + a.positional[0]);
            return exit_failed;
        }
        std::printf("%s\n", ledger->dump(4).c_str());
        return exit_ok;
    }
    if (a.options.contains("csv")) {
        return exit_ok;
    }
    return report(campaign_report(*store, a.positional[0], unix_now()), 4);
}

int update(parsed_args const& a) {
    if (!a.options.contains("db") || a.positional.size() != 1 || !a.options.contains("title") ||
        a.options.contains("text") == a.options.contains("text-file")) {
        return usage("update needs --db (or --data), the CAMPAIGN id, --title and --text or --text-file");
    }
    std::string text;
    if (a.options.contains("text")) {
        text = a.options.at("text");
    } else {
        std::error_code ec;
        text = fileio::read_small_file(a.options.at("text-file"), max_update_text + 2, ec);
        if (ec) {
            say("cannot read " + a.options.at("text-file") + ": " + ec.message());
            return exit_failed;
        }
        while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) {
            text.pop_back();
        }
    }
    auto store = open_store(a.options.at("db"));
    if (!store) {
        return exit_failed;
    }
    return report(post_update(*store, a.positional[0], a.options.at("title"), text, unix_now()), 4);
}

// Runs one provider conversation to its end on a loop of its own (the commands that are not the server).
template <typename Start>
void with_provider(stripe_config const& config, Start start) {
    asio::io_context io;
    stripe_provider provider(io, config);
    start(provider);
    io.run();
}

int refund(parsed_args const& a) {
    if (!a.options.contains("db") || a.positional.size() != 1) {
        return usage("refund needs --db (or --data), the Stripe options and the PLEDGE id");
    }
    int refused = exit_ok;
    auto const stripe = required_stripe(a, refused);
    if (!stripe) {
        return refused;
    }
    std::uint64_t amount = 0;
    if (a.options.contains("amount")) {
        auto const& n = a.options.at("amount");
        if (n.empty() || n.size() > 15 ||
            !std::all_of(n.begin(), n.end(), [](char c) { return c >= '0' && c <= '9'; })) {
            return usage("--amount is a whole number of minor units");
        }
        amount = std::stoull(n);
    }
    auto store = open_store(a.options.at("db"));
    if (!store) {
        return exit_failed;
    }
    std::error_code ec;
    std::string why;
    auto const r = store->start_refund(a.positional[0], amount, unix_now(), why, ec);
    if (!r) {
        say(ec ? ec.message() : "cannot refund pledge " + a.positional[0] + ": " + why);
        return exit_failed;
    }
    int status = exit_failed;
    with_provider(*stripe, [&](stripe_provider const& provider) {
        provider.refund(
            {r->provider_payment_id, r->amount, {{reference::pledge, r->pledge_id}}, r->refund_key},
            [&](provider_answer<refund_outcome> answer) {
                std::error_code e;
                if (answer.value) {
                    store->settle_refund(r->refund_key, true, answer.value->provider_id, e);
                    std::printf("%s\n", nlohmann::json{{"pledgeId", r->pledge_id},
                                                       {"refundId", answer.value->provider_id},
                                                       {"amount", answer.value->amount},
                                                       {"currency", r->currency}}
                                            .dump(4)
                                            .c_str());
                    status = e ? exit_failed : exit_ok;
                } else if (answer.failure == provider_failure::rejected) {
                    store->settle_refund(r->refund_key, false, "", e);
                    say("the provider refused the refund: " + answer.error);
                } else {
                    // Unknown: running the command again sends the same key.
                    say("the refund's outcome is unknown (" + answer.error + "); run the command again");
                }
            });
    });
    return status;
}

int reconcile_command(parsed_args const& a) {
    if (!a.options.contains("db") || !a.positional.empty()) {
        return usage("reconcile needs --db (or --data) and the Stripe options");
    }
    int refused = exit_ok;
    auto const stripe = required_stripe(a, refused);
    if (!stripe) {
        return refused;
    }
    auto store = open_store(a.options.at("db"));
    if (!store) {
        return exit_failed;
    }
    int status = exit_failed;
    with_provider(*stripe, [&](stripe_provider const& provider) {
        reconcile(*store, provider, [&](reconciliation r) {
            if (!r.error.empty()) {
                say(r.error);
                return;
            }
            std::printf("%s\n", nlohmann::json{{"providerCharges", r.provider_charges},
                                               {"providerAmount", r.provider_amount},
                                               {"gateCharges", r.gate_charges},
                                               {"gateAmount", r.gate_amount},
                                               {"providerRefunds", r.provider_refunds},
                                               {"gateRefunds", r.gate_refunds},
                                               {"payments", r.payments},
                                               {"differences", r.differences}}
                                    .dump(4)
                                    .c_str());
            status = r.differences.empty() ? exit_ok : exit_failed;
        });
    });
    return status;
}

int stats(parsed_args const& a) {
    if (!a.options.contains("db")) {
        return usage("stats needs --db (or --data)");
    }
    if (!a.positional.empty()) {
        return usage("stats takes no argument " + a.positional.front());
    }
    auto store = open_store(a.options.at("db"));
    if (!store) {
        return exit_failed;
    }
    if (a.options.contains("bundle")) {
        return report(bundle_figures(*store, a.options.at("bundle"), unix_now()), 4);
    }
    if (a.options.contains("campaign")) {
        return report(campaign_figures(*store, a.options.at("campaign")), 4);
    }
    return report(gate_statistics(*store), 4);
}

int tracker_whitelist(parsed_args const& a) {
    if (!a.options.contains("db") || !a.positional.empty()) {
        return usage("tracker-whitelist needs --db (or --data) and nothing else");
    }
    auto store = open_store(a.options.at("db"));
    if (!store) {
        return exit_failed;
    }
    std::error_code ec;
    for (auto const& h : tracked_hashes(*store, ec)) {
        std::printf("%s\n", h.info_hash.c_str());
    }
    if (ec) {
        say("cannot read the bundles: " + ec.message());
        return exit_failed;
    }
    return exit_ok;
}

// `translations export`: the bundle's approved translations, each add-on with its track, into `folder`, for
// sluice-bundle create --include-translations.
int export_translations(gate_store& store, std::string const& bundle_id, fs::path const& folder) {
    std::error_code ec;
    auto const approved = approved_tracks(store, bundle_id, ec);
    if (ec) {
        say("cannot read the translations: " + ec.message());
        return exit_failed;
    }
    fs::create_directories(folder, ec);
    auto list = nlohmann::json::array();
    for (auto const& t : approved) {
        auto const name = protocol::to_hex(protocol::sha256_of(t.track)) + ".vtt";
        if (!ec) {
            fileio::write_file_atomically(folder / name, t.track, 0644, true, ec);
        }
        list.push_back({{"addon", t.addon}, {"track", name}});
    }
    nlohmann::json const index{
        {"format", "sluice-translations/1"}, {"bundleId", bundle_id}, {"translations", std::move(list)}};
    if (!ec) {
        fileio::write_file_atomically(folder / "translations.json", index.dump(4) + "\n", 0644, true, ec);
    }
    if (ec) {
        say("cannot write " + folder.string() + ": " + ec.message());
        return exit_failed;
    }
    std::printf("%zu translation(s) of %s written to %s\n", approved.size(), bundle_id.c_str(),
                folder.string().c_str());
    return exit_ok;
}

int translations(parsed_args const& a) {
    auto const verb = a.positional.empty() ? std::string() : a.positional[0];
    if (verb == "export") {
        if (!a.options.contains("db") || !a.options.contains("bundle") || !a.options.contains("out") ||
            a.positional.size() != 1) {
            return usage("translations export needs --db (or --data), --bundle ID and --out FOLDER");
        }
        auto store = open_store(a.options.at("db"));
        return store ? export_translations(*store, a.options.at("bundle"), a.options.at("out")) : exit_failed;
    }
    auto const needs_id = verb == "show" || verb == "approve" || verb == "reject";
    if (!a.options.contains("db") || (verb != "list" && !needs_id) ||
        a.positional.size() != (needs_id ? 2u : 1u)) {
        return usage("translations needs list, show SUBMISSION, approve SUBMISSION or reject SUBMISSION, "
                     "and --db (or --data)");
    }
    if (verb == "approve" && !a.options.contains("key")) {
        return usage("translations approve needs --key FILE: the key that signs the add-on");
    }
    if (verb == "reject" && !a.options.contains("reason")) {
        return usage("translations reject needs --reason TEXT: the translator's work deserves one");
    }
    auto store = open_store(a.options.at("db"));
    if (!store) {
        return exit_failed;
    }
    auto const option = [&](char const* name) {
        return a.options.contains(name) ? a.options.at(name) : std::string();
    };
    if (verb == "list") {
        return report(translation_list(*store, option("bundle"), option("state")), 4);
    }
    auto const& id = a.positional[1];
    if (verb == "approve") {
        auto const key = publisher::load_signing_key(a.options.at("key"));
        if (!key) {
            say(key.error);
            return exit_failed;
        }
        return report(approve_translation(*store, id, *key, unix_now()), 4);
    }
    if (verb == "reject") {
        return report(reject_translation(*store, id, a.options.at("reason"), unix_now()), 4);
    }
    auto shown = translation_show(*store, id);
    if (!shown.done() || !a.options.contains("track")) {
        return report(shown, 4);
    }
    // The track goes to its own file, where a player can load it beside the video.
    auto const track = shown.body["track"].get<std::string>();
    shown.body.erase("track");
    if (!write_out(a.options.at("track"), track)) {
        return exit_failed;
    }
    return a.options.at("track") == "-" ? exit_ok : report(shown, 4);
}

int migrate(parsed_args const& a) {
    if (!a.options.contains("from") || !a.options.contains("to") || !a.positional.empty()) {
        return usage("migrate needs --from sqlite:DIR and --to postgresql://...");
    }
    std::string error;
    auto const from = parse_store_location(a.options.at("from"), error);
    auto const to = from ? parse_store_location(a.options.at("to"), error) : std::nullopt;
    if (!from || !to) {
        return usage(error);
    }
    if (from->kind != store_location::engine::sqlite || to->kind != store_location::engine::postgresql) {
        return usage("migrate copies from --from sqlite:DIR to --to postgresql://...");
    }
    auto const report = migrate_to_postgresql(*from, *to);
    if (!report) {
        say(report.error);
        return exit_failed;
    }
    std::printf("%s\n", migration_summary(*report).dump(4).c_str());
    return exit_ok;
}

} // namespace

int run_command_line(std::vector<std::string> const& args) {
    if (args.empty() || args[0] == "--help" || args[0] == "-h") {
        std::fputs(usage_text, args.empty() ? stderr : stdout);
        return args.empty() ? exit_usage : exit_ok;
    }
    auto const& command = args[0];
    if (command == "serve") {
        auto a = parse(args, 1,
                       {"data",
                        "listen",
                        "gate-key",
                        "public-url",
                        "mail-command",
                        "stripe-api",
                        "stripe-key-file",
                        "stripe-webhook-secret-file",
                        "grace-period",
                        "charge-retry-interval",
                        "charge-concurrency",
                        "admin-token-file",
                        "tls-cert",
                        "tls-key",
                        "threads",
                        "trusted-proxy",
                        "count-views",
                        "tracker",
                        "tracker-every",
                        "translation-key",
                        "translation-licence"});
        return a.error.empty() ? serve(a) : usage(a.error);
    }
    if (command == "import") {
        auto a = parse(args, 1, {"data", "gate-key", "torrent"});
        return a.error.empty() ? import(a) : usage(a.error);
    }
    if (command == "close") {
        auto a = parse(args, 1, {"data"});
        return a.error.empty() ? close(a) : usage(a.error);
    }
    if (command == "deliver") {
        auto a = parse(args, 1, {"data"});
        return a.error.empty() ? deliver(a) : usage(a.error);
    }
    if (command == "campaign") {
        auto a = parse(args, 1, {"data", "ledger", "csv"});
        return a.error.empty() ? campaign(a) : usage(a.error);
    }
    if (command == "update") {
        auto a = parse(args, 1, {"data", "title", "text", "text-file"});
        return a.error.empty() ? update(a) : usage(a.error);
    }
    if (command == "refund") {
        auto a =
            parse(args, 1, {"data", "amount", "stripe-api", "stripe-key-file", "stripe-webhook-secret-file"});
        return a.error.empty() ? refund(a) : usage(a.error);
    }
    if (command == "reconcile") {
        auto a = parse(args, 1, {"data", "stripe-api", "stripe-key-file", "stripe-webhook-secret-file"});
        return a.error.empty() ? reconcile_command(a) : usage(a.error);
    }
    if (command == "stats") {
        auto a = parse(args, 1, {"data", "bundle", "campaign"});
        return a.error.empty() ? stats(a) : usage(a.error);
    }
    if (command == "tracker-whitelist") {
        auto a = parse(args, 1, {"data"});
        return a.error.empty() ? tracker_whitelist(a) : usage(a.error);
    }
    if (command == "translations") {
        auto a = parse(args, 1, {"data", "bundle", "state", "key", "track", "reason", "out"});
        return a.error.empty() ? translations(a) : usage(a.error);
    }
    if (command == "migrate") {
        auto a = parse(args, 1, {"from", "to"});
        return a.error.empty() ? migrate(a) : usage(a.error);
    }
    return usage("unknown command " + command);
}

} // namespace sluice::gate
