#include "fake_provider.hpp"

#include "child_wait.hpp"
#include "file_helpers.hpp"
#include "wait_until.hpp"

#include <boost/process/args.hpp>
#include <boost/process/env.hpp>
#include <boost/process/environment.hpp>
#include <boost/process/io.hpp>
#include <boost/process/search_path.hpp>

#include <csignal>
#include <future>
#include <regex>
#include <stdexcept>

namespace sluice::testing {

namespace bp = boost::process;
namespace fs = std::filesystem;
using namespace std::chrono_literals;
using nlohmann::json;

fake_provider::fake_provider(fs::path const& dir) : fake_provider(dir, options{}) {}

fake_provider::fake_provider(fs::path const& dir, options const& opts)
    : dir_(dir), key_file_(dir / "stripe.key"), webhook_secret_file_(dir / "stripe-webhook.secret"),
      log_file_(dir / "fake-stripe.log") {
    fs::create_directories(dir_);
    auto const node = bp::search_path("node");
    if (node.empty()) {
        ADD_FAILURE() << "node is not on PATH: the fake payment provider cannot run";
        throw std::runtime_error("no node");
    }
    std::vector<std::string> args{fs::path(SLUICE_SOURCE_DIR "/publisher/fake-stripe/server.mjs").string(),
                                  "--port", "0", "--latency-ms", std::to_string(opts.latency_ms)};
    if (opts.log) {
        args.emplace_back("--log");
    }
    // The extra CA goes through env(1), not Boost.Process's environment: its lookup by name (1.74) reads past
    // the end of a shorter variable's text, which AddressSanitizer stops.
    std::vector<std::string> command{node.string()};
    if (!opts.extra_ca_file.empty()) {
        command = {"NODE_EXTRA_CA_CERTS=" + opts.extra_ca_file.string(), node.string()};
    }
    command.insert(command.end(), args.begin(), args.end());
    child_ = bp::child(bp::search_path("env"), bp::args(command), bp::std_out > out_,
                       bp::std_err > log_file_.string(), bp::std_in < bp::null);
    // Read on a thread so that a fake that never says it is listening costs 20 s, not the whole run: killing
    // it closes the pipe, which ends the read.
    auto first_line = std::async(std::launch::async, [this] {
        std::string line;
        std::getline(out_, line);
        return line;
    });
    if (first_line.wait_for(20s) != std::future_status::ready) {
        ::kill(child_.id(), SIGKILL);
    }
    auto const ready = json::parse(first_line.get(), nullptr, false);
    std::smatch m;
    std::string const listening = ready.is_object() ? ready.value("listening", "") : "";
    if (!std::regex_match(listening, m, std::regex(R"(http://127\.0\.0\.1:([0-9]+)/)"))) {
        ADD_FAILURE() << "the fake payment provider did not start:\n" << log();
        throw std::runtime_error("the fake payment provider did not start");
    }
    url_ = listening;
    port_ = std::stoi(m[1].str());
    secret_key_ = ready.at("secretKey").get<std::string>();
    webhook_secret_ = ready.at("webhookSecret").get<std::string>();
    write_file(key_file_, secret_key_ + "\n");
    write_file(webhook_secret_file_, webhook_secret_ + "\n");
}

fake_provider::~fake_provider() {
    if (!child_.running()) {
        return;
    }
    ::kill(child_.id(), SIGTERM);
    if (!wait_for_child(child_, 5s)) {
        ::kill(child_.id(), SIGKILL);
        child_.wait();
    }
}

std::vector<std::string> fake_provider::stripe_args() const {
    return {"--stripe-api",
            url_,
            "--stripe-key-file",
            key_file_.string(),
            "--stripe-webhook-secret-file",
            webhook_secret_file_.string()};
}

std::string fake_provider::log() const {
    return read_file(log_file_);
}

json fake_provider::control(std::string const& method, std::string const& path, json const& body) {
    auto const r = request(port_, method, path, method == "POST" ? body.dump() : std::string());
    EXPECT_EQ(r.status, 200) << method << " " << path << ": " << r.body;
    auto out = json::parse(r.body, nullptr, false);
    return out.is_discarded() ? json() : out;
}

void fake_provider::set_webhook_url(std::string const& url) {
    control("POST", "/_fake/webhooks", {{"url", url}});
}

std::string fake_provider::checkout_id_of(std::string const& checkout) {
    auto const slash = checkout.rfind('/');
    return slash == std::string::npos ? checkout : checkout.substr(slash + 1);
}

reply fake_provider::complete(std::string const& checkout, std::string const& card,
                              std::string const& email) {
    json body{{"card", card}};
    if (!email.empty()) {
        body["email"] = email;
    }
    return request(port_, "POST", "/_fake/complete/" + checkout_id_of(checkout), body.dump());
}

json fake_provider::records() {
    return control("GET", "/_fake/records");
}

bool fake_provider::method_detached(std::string const& payment_method) {
    auto const r = request(port_, "GET", "/v1/payment_methods/" + payment_method, {},
                           {{"Authorization", "Bearer " + secret_key_}});
    return r.status == 200 && r.body_json().at("customer").is_null();
}

void fake_provider::hold_webhooks(bool on) {
    control("POST", "/_fake/webhooks", {{"hold", on}});
}

void fake_provider::duplicate_webhooks(bool on) {
    control("POST", "/_fake/webhooks", {{"duplicate", on}});
}

void fake_provider::stale_webhooks(int seconds) {
    control("POST", "/_fake/webhooks", {{"staleSeconds", seconds}});
}

void fake_provider::delay_webhooks(int ms) {
    control("POST", "/_fake/webhooks", {{"delayMs", ms}});
}

int fake_provider::release_webhooks(std::string const& order) {
    return control("POST", "/_fake/webhooks/release", {{"order", order}}).value("released", -1);
}

json fake_provider::redeliver(std::string const& event_id) {
    return control("POST", "/_fake/webhooks/redeliver", {{"id", event_id}});
}

json fake_provider::webhooks() {
    return control("GET", "/_fake/webhooks");
}

std::vector<json> fake_provider::events(std::string const& type) {
    std::vector<json> out;
    for (auto const& e : webhooks().value("events", json::array())) {
        if (e.value("type", "") == type) {
            out.push_back(e);
        }
    }
    return out;
}

bool fake_provider::wait_delivered(std::string const& type, std::size_t count,
                                   std::chrono::milliseconds timeout) {
    return wait_until(
        [&] {
            std::size_t delivered = 0;
            for (auto const& e : events(type)) {
                delivered += e.value("state", "") == "delivered";
            }
            return delivered >= count;
        },
        timeout, 50ms);
}

void fake_provider::fault(std::string const& path, std::string const& mode, int count, int delay_ms) {
    json body{{"path", path}, {"mode", mode}, {"count", count}};
    if (delay_ms > 0) {
        body["delayMs"] = delay_ms;
    }
    control("POST", "/_fake/faults", body);
}

json fake_provider::pending_faults() {
    return control("GET", "/_fake/faults").value("faults", json::array());
}

} // namespace sluice::testing
