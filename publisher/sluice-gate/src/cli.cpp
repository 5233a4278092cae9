#include "sluice-gate/cli.hpp"

#include "common/key_files.hpp"
#include "sluice-gate/admin_commands.hpp"
#include "sluice-gate/http_server.hpp"
#include "sluice-gate/import_command.hpp"
#include "sluice-gate/payment_provider.hpp"
#include "sluice-gate/secret_file.hpp"
#include "sluice-gate/sqlite_store.hpp"
#include "sluice-gate/tls_context.hpp"

#include <sluice/protocol/untrusted_json.hpp>

#include <boost/asio/signal_set.hpp>
#include <nlohmann/json.hpp>

#include <cstdio>
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
    "                    [--mail-command CMD] [--payment-secret-file FILE --checkout-url TEMPLATE]\n"
    "                    [--admin-token-file FILE] [--tls-cert FILE --tls-key FILE]\n"
    "      Serves the gate's HTTP API (protocol/gate-api.md); prints its URL on stdout once listening.\n"
    "      PORT 0 picks a free port. CMD (run by /bin/sh) reads each mail on stdin, e.g. 'sendmail -t'.\n"
    "      Payments: the provider's checkout URL with {payment} for the payment id, and the secret its\n"
    "      webhooks are signed with. --admin-token-file turns on /v1/admin/ (a token of 32+ characters).\n"
    "      --tls-cert and --tls-key (PEM) serve HTTPS.\n"
    "  sluice-gate import --data DIR --gate-key FILE BUNDLE-FOLDER KEYS.json [--torrent FILE]\n"
    "      Stores a bundle made by sluice-bundle create, with its item keys and magnet link.\n"
    "  sluice-gate close --data DIR CAMPAIGN\n"
    "      Closes a pledge campaign now: funded if its goals are met, else failed. Prints the outcome as "
    "JSON.\n"
    "  sluice-gate deliver --data DIR CAMPAIGN BUNDLE-ID\n"
    "      Publishes an imported bundle to the backers of a funded campaign. Prints the delivery as JSON.\n"
    "  sluice-gate campaign --data DIR CAMPAIGN\n"
    "      Prints the campaign's progress and deliveries as JSON.\n"
    "  sluice-gate stats --data DIR\n"
    "      Prints bundles, campaigns, unlocks, pending confirmations and payments as JSON.\n";

// The admin token is all an attacker needs to publish to backers: long enough that guessing is hopeless.
constexpr std::size_t min_admin_token = 32;
// The webhook secret is the whole proof that a payment was made.
constexpr std::size_t min_payment_secret = 16;

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
        if (std::find(known.begin(), known.end(), name) == known.end()) {
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
    return out;
}

std::unique_ptr<sqlite_store> open_store(fs::path const& data) {
    std::error_code ec;
    std::string detail;
    auto store = sqlite_store::open(data, ec, &detail);
    if (!store) {
        say((data / "gate.db").string() + ": " + (detail.empty() ? ec.message() : detail));
    }
    return store;
}

int serve(parsed_args const& a) {
    for (auto const* required : {"data", "listen", "gate-key"}) {
        if (!a.options.contains(required)) {
            return usage(std::string("serve needs --") + required);
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
    // Half a configuration is a mistake to point out, not a feature to switch off quietly.
    if (a.options.contains("payment-secret-file") != a.options.contains("checkout-url")) {
        return usage("--payment-secret-file and --checkout-url go together");
    }
    if (a.options.contains("checkout-url") &&
        !hosted_checkout::is_valid_template(a.options.at("checkout-url"))) {
        return usage("--checkout-url must be an http(s) URL holding {payment}, e.g. "
                     "https://pay.example/checkout?p={payment}");
    }
    if (a.options.contains("tls-cert") != a.options.contains("tls-key")) {
        return usage("--tls-cert and --tls-key go together");
    }
    auto gate_key = publisher::load_signing_key(a.options.at("gate-key"));
    if (!gate_key) {
        say(gate_key.error);
        return exit_failed;
    }
    std::string error;
    std::shared_ptr<payment_provider const> payments;
    if (a.options.contains("checkout-url")) {
        auto secret = read_secret_file(a.options.at("payment-secret-file"), min_payment_secret, error);
        if (!secret) {
            say(error);
            return exit_failed;
        }
        payments = std::make_shared<hosted_checkout>(a.options.at("checkout-url"), std::move(*secret));
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
    auto store = open_store(a.options.at("data"));
    if (!store) {
        return exit_failed;
    }
    auto const mail_command =
        a.options.contains("mail-command") ? a.options.at("mail-command") : std::string();

    // Declared before the context: the mailer's workers post their answers to it until they are joined.
    asio::io_context io(1);
    gate_context ctx{*store,
                     *gate_key,
                     a.options.contains("public-url") ? a.options.at("public-url") : "",
                     mailer(mail_command),
                     std::move(payments),
                     std::move(admin_token)};
    std::error_code ec;
    http_server server(io, ctx, asio::ip::tcp::endpoint(address, static_cast<unsigned short>(port)), ec,
                       tls.get());
    if (ec) {
        say("cannot listen on " + listen + ": " + ec.message());
        return exit_failed;
    }
    asio::signal_set signals(io, SIGINT, SIGTERM);
    signals.async_wait([&](boost::system::error_code, int) {
        server.stop();
        io.stop();
    });
    server.start();
    auto const host = address.is_v6() ? "[" + address.to_string() + "]" : address.to_string();
    std::printf("%s://%s:%u/\n", tls ? "https" : "http", host.c_str(), static_cast<unsigned>(server.port()));
    std::fflush(stdout);
    io.run();
    return exit_ok;
}

int import(parsed_args const& a) {
    for (auto const* required : {"data", "gate-key"}) {
        if (!a.options.contains(required)) {
            return usage(std::string("import needs --") + required);
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
    auto store = open_store(a.options.at("data"));
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

int close(parsed_args const& a) {
    if (!a.options.contains("data")) {
        return usage("close needs --data");
    }
    if (a.positional.size() != 1) {
        return usage("close needs the CAMPAIGN id");
    }
    auto store = open_store(a.options.at("data"));
    if (!store) {
        return exit_failed;
    }
    return report(close_campaign_now(*store, a.positional[0], unix_now()));
}

int deliver(parsed_args const& a) {
    if (!a.options.contains("data")) {
        return usage("deliver needs --data");
    }
    if (a.positional.size() != 2) {
        return usage("deliver needs the CAMPAIGN id and the BUNDLE-ID");
    }
    auto store = open_store(a.options.at("data"));
    if (!store) {
        return exit_failed;
    }
    return report(deliver_bundle(*store, a.positional[0], a.positional[1], unix_now()));
}

int campaign(parsed_args const& a) {
    if (!a.options.contains("data")) {
        return usage("campaign needs --data");
    }
    if (a.positional.size() != 1) {
        return usage("campaign needs the CAMPAIGN id");
    }
    auto store = open_store(a.options.at("data"));
    if (!store) {
        return exit_failed;
    }
    return report(campaign_report(*store, a.positional[0], unix_now()), 4);
}

int stats(parsed_args const& a) {
    if (!a.options.contains("data")) {
        return usage("stats needs --data");
    }
    if (!a.positional.empty()) {
        return usage("stats takes no argument " + a.positional.front());
    }
    auto store = open_store(a.options.at("data"));
    if (!store) {
        return exit_failed;
    }
    return report(gate_statistics(*store), 4);
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
                       {"data", "listen", "gate-key", "public-url", "mail-command", "payment-secret-file",
                        "checkout-url", "admin-token-file", "tls-cert", "tls-key"});
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
        auto a = parse(args, 1, {"data"});
        return a.error.empty() ? campaign(a) : usage(a.error);
    }
    if (command == "stats") {
        auto a = parse(args, 1, {"data"});
        return a.error.empty() ? stats(a) : usage(a.error);
    }
    return usage("unknown command " + command);
}

} // namespace sluice::gate
