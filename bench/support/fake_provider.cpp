#include "support/fake_provider.hpp"

#include "support/bench_main.hpp"
#include "support/files.hpp"

#include <sluice/net/http_client.hpp>

#include <boost/asio/io_context.hpp>
#include <nlohmann/json.hpp>

#include <regex>

namespace sluice::bench {

fake_provider::fake_provider(std::filesystem::path const& script, std::filesystem::path const& folder,
                             int latency_ms)
    : key_file_(folder / "stripe.key"), secret_file_(folder / "stripe-webhook.secret") {
    std::filesystem::create_directories(folder);
    child_ = std::make_unique<child_process>(child_process::spec{
        "fake provider",
        "/usr/bin/env",
        {"node", script.string(), "--port", "0", "--latency-ms", std::to_string(latency_ms)},
        folder / "fake-provider.log",
        true});
    auto const line = child_->read_line(std::chrono::seconds(20));
    auto const ready = nlohmann::json::parse(line.value_or(""), nullptr, false);
    if (!ready.is_object() || !ready.contains("listening")) {
        throw bench_error("the fake provider did not start: " +
                          read_text(folder / "fake-provider.log").substr(0, 2000));
    }
    base_ = ready.at("listening").get<std::string>();
    secret_key_ = ready.at("secretKey").get<std::string>();
    std::smatch m;
    if (!std::regex_match(base_, m, std::regex(R"(http://127\.0\.0\.1:([0-9]+)/)"))) {
        throw bench_error("the fake provider listens on " + base_);
    }
    port_ = std::stoi(m[1].str());
    write_text(key_file_, secret_key_);
    write_text(secret_file_, ready.at("webhookSecret").get<std::string>());
}

std::vector<std::string> fake_provider::gate_args() const {
    return {
        "--stripe-api",       base_, "--stripe-key-file", key_file_.string(), "--stripe-webhook-secret-file",
        secret_file_.string()};
}

std::string fake_provider::control(std::string const& path, std::string const& json_body) const {
    boost::asio::io_context io;
    net::outgoing_request request;
    request.method = "POST";
    request.url = base_ + "_fake/" + path;
    request.body = json_body;
    request.content_type = "application/json";
    request.max_response_bytes = 256 * 1024 * 1024; // a seed of 250,000 customers answers their ids
    request.timeout = std::chrono::seconds(600);
    net::incoming_response answer;
    net::send_request(io, request, [&](net::incoming_response r) { answer = std::move(r); });
    io.run();
    if (!answer.ok || answer.status != 200) {
        throw bench_error("the fake provider's /_fake/" + path + " answered " +
                          std::to_string(answer.status) + " " + answer.error + answer.body.substr(0, 500));
    }
    return answer.body;
}

} // namespace sluice::bench
