#include "gate_fixture.hpp"

#include "child_wait.hpp"
#include "fake_provider.hpp"
#include "file_helpers.hpp"
#include "host_process.hpp"
#include "wait_until.hpp"

#include <sluice/protocol/bundle_manifest.hpp>
#include <sluice/protocol/locked_item.hpp>

#include <boost/beast/core.hpp>
#include <boost/process/args.hpp>
#include <boost/process/io.hpp>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <csignal>
#include <regex>
#include <sstream>
#include <stdexcept>
#include <unistd.h>

namespace sluice::testing {

namespace bp = boost::process;
namespace fs = std::filesystem;
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using namespace std::chrono_literals;
using nlohmann::json;

std::string reply::header(std::string const& name) const {
    auto const it = headers.find(name);
    return it == headers.end() ? std::string() : it->second;
}

json reply::body_json() const {
    auto j = json::parse(body, nullptr, false);
    EXPECT_FALSE(j.is_discarded()) << status << " " << body;
    return j;
}

std::string reply::error_code() const {
    auto const j = body_json();
    return j.is_object() && j.contains("error") ? j.at("error").at("code").get<std::string>() : "";
}

asio::ip::tcp::endpoint loopback(int port) {
    return {asio::ip::make_address("127.0.0.1"), static_cast<unsigned short>(port)};
}

bhttp::request<bhttp::string_body> make_request(int port, std::string const& method,
                                                std::string const& target, std::string const& body,
                                                headers_t const& headers) {
    bhttp::request<bhttp::string_body> req;
    req.method_string(method);
    req.target(target);
    req.version(11);
    req.set(bhttp::field::host, "127.0.0.1:" + std::to_string(port));
    req.set(bhttp::field::connection, "close");
    for (auto const& [name, value] : headers) {
        req.set(name, value);
    }
    if (!body.empty() || method == "POST") {
        req.set(bhttp::field::content_type, "application/json");
        req.body() = body;
        req.prepare_payload();
    }
    return req;
}

reply to_reply(bhttp::response<bhttp::string_body> const& res) {
    reply out;
    out.status = res.result_int();
    out.body = res.body();
    for (auto const& field : res) {
        std::string name(field.name_string());
        std::transform(name.begin(), name.end(), name.begin(),
                       [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
        out.headers[name] = std::string(field.value());
    }
    return out;
}

reply request(int port, std::string const& method, std::string const& target, std::string const& body,
              headers_t const& headers) {
    asio::io_context io;
    beast::tcp_stream stream(io);
    auto const req = make_request(port, method, target, body, headers);
    beast::flat_buffer buffer;
    bhttp::response_parser<bhttp::string_body> parser;
    parser.body_limit(16 * 1024 * 1024);
    beast::error_code result = asio::error::timed_out;
    stream.expires_after(20s);
    stream.async_connect(loopback(port), [&](beast::error_code ec) {
        if (ec) {
            result = ec;
            return;
        }
        bhttp::async_write(stream, req, [&](beast::error_code write_ec, std::size_t) {
            // A server may answer (413) before reading the whole body: read anyway.
            (void)write_ec;
            bhttp::async_read(stream, buffer, parser,
                              [&](beast::error_code read_ec, std::size_t) { result = read_ec; });
        });
    });
    io.run_for(21s);
    if (result) {
        throw std::runtime_error(method + " " + target + ": " + result.message());
    }
    return to_reply(parser.get());
}

std::int64_t unix_now() {
    return std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

gate_server::gate_server(std::vector<std::string> const& args, fs::path const& err_file) {
    child_ = bp::child(SLUICE_GATE_PATH, bp::args(args), bp::std_out > out_, bp::std_err > err_file.string(),
                       bp::std_in < bp::null);
    if (std::getline(out_, url_)) {
        std::smatch m;
        if (std::regex_match(url_, m, std::regex(R"(https?://127\.0\.0\.1:([0-9]+)/)"))) {
            port_ = std::stoi(m[1].str());
        }
    }
}

gate_server::~gate_server() {
    if (child_.running()) {
        ::kill(child_.id(), SIGKILL);
        child_.wait();
    }
}

double gate_server::cpu_seconds() const {
    auto const stat = read_file("/proc/" + std::to_string(child_.id()) + "/stat");
    auto const close = stat.rfind(')');
    if (close == std::string::npos) {
        return std::nan("");
    }
    std::istringstream fields(stat.substr(close + 2));
    std::string field;
    double ticks = 0;
    for (int i = 3; fields >> field && i <= 15; ++i) {
        if (i >= 14) {
            ticks += std::stod(field);
        }
    }
    return ticks / static_cast<double>(::sysconf(_SC_CLK_TCK));
}

void gate_server::kill9() {
    ::kill(child_.id(), SIGKILL);
    child_.wait();
}

std::optional<int> gate_server::stop() {
    ::kill(child_.id(), SIGTERM);
    if (!wait_for_child(child_, 10s)) {
        return std::nullopt;
    }
    return child_.exit_code();
}

void gate_fixture::SetUp() {
    fs::create_directories(logs_);
    ASSERT_EQ(bundle_tool({"keygen", "--out", (dir_ / "publisher.key").string(), "--quiet"}).exit_code, 0);
    auto const gate = bundle_tool({"keygen", "--out", gate_key_file().string(), "--quiet"});
    ASSERT_EQ(gate.exit_code, 0) << gate;
    gate_key_ = gate.out.substr(0, gate.out.find('\n'));
    write_file(src_ / "pilot.webm", random_bytes(20 * 1024, 1));
    write_file(dir_ / "admin.token", std::string(admin_token) + "\n");
}

run_result gate_fixture::run(char const* program, std::vector<std::string> const& args) {
    auto const n = std::to_string(runs_++);
    auto const out = logs_ / ("out-" + n);
    auto const err = logs_ / ("err-" + n);
    bp::child child(program, bp::args(args), bp::std_out > out.string(), bp::std_err > err.string(),
                    bp::std_in < bp::null);
    if (!wait_for_child(child, tool_timeout_)) {
        child.terminate();
        ADD_FAILURE() << program << " " << args.front() << " did not finish";
    }
    return {child.exit_code(), read_file(out), read_file(err)};
}

run_result gate_fixture::bundle_tool(std::vector<std::string> const& args) {
    return run(SLUICE_BUNDLE_PATH, args);
}

run_result gate_fixture::gate_tool(std::vector<std::string> const& args) {
    return run(SLUICE_GATE_PATH, args);
}

void gate_fixture::make_bundle(json const& spec) {
    write_file(src_ / "spec.json", spec.dump(4));
    auto const made =
        bundle_tool({"create", (src_ / "spec.json").string(), "--key", (dir_ / "publisher.key").string(),
                     "--out", out_.string(), "--quiet", "--force"});
    ASSERT_EQ(made.exit_code, 0) << made;
}

std::vector<std::string> gate_fixture::store_args() const {
    return db_url_.empty() ? std::vector<std::string>{"--data", data_.string()}
                           : std::vector<std::string>{"--db", db_url_};
}

std::string gate_fixture::host_adds(host_process& host, std::string const& id) {
    auto const added =
        host.call("torrent.add", {{"torrent", protocol::to_base64(read_file(out_ / (id + ".torrent")))},
                                  {"savePath", out_.string()}});
    EXPECT_TRUE(added.contains("result")) << added.dump();
    auto const hash = added["result"].value("infoHash", "");
    EXPECT_TRUE(wait_until([&] {
        return host.call("bundle.get", {{"infoHash", hash}})["result"].value("status", "") == "verified";
    }));
    return hash;
}

run_result gate_fixture::import(std::string const& id) {
    auto args = store_args();
    args.insert(args.begin(), "import");
    args.insert(args.end(), {"--gate-key", gate_key_file().string(), (out_ / id).string(),
                             (out_ / (id + ".keys.json")).string()});
    return gate_tool(args);
}

std::vector<std::string> gate_fixture::serve_args(std::vector<std::string> const& extra, int port) const {
    auto args = store_args();
    args.insert(args.begin(), "serve");
    args.insert(args.end(),
                {"--listen", "127.0.0.1:" + std::to_string(port), "--gate-key", gate_key_file().string()});
    args.insert(args.end(), extra.begin(), extra.end());
    return args;
}

std::unique_ptr<gate_server> gate_fixture::serve(std::vector<std::string> const& extra, int port) {
    auto const err = logs_ / ("serve-err-" + std::to_string(runs_++));
    auto server = std::make_unique<gate_server>(serve_args(extra, port), err);
    EXPECT_GT(server->port(), 0) << read_file(err);
    return server;
}

json gate_fixture::stats() {
    auto args = store_args();
    args.insert(args.begin(), "stats");
    auto const r = gate_tool(args);
    EXPECT_EQ(r.exit_code, 0) << r;
    return json::parse(r.out, nullptr, false);
}

std::vector<std::string> gate_fixture::payment_args(fake_provider const& provider, int port) const {
    auto args = provider.stripe_args();
    args.insert(args.end(), {"--public-url", port == 0 ? std::string("https://gate.example.org/")
                                                       : "http://127.0.0.1:" + std::to_string(port) + "/"});
    return args;
}

std::unique_ptr<gate_server> gate_fixture::serve_paid(fake_provider& provider,
                                                      std::vector<std::string> const& extra, int port) {
    auto args = payment_args(provider, port);
    args.insert(args.end(), extra.begin(), extra.end());
    auto server = serve(args, port);
    if (server->port() > 0) {
        provider.set_webhook_url(server->url() + "v1/payments/webhook");
    }
    return server;
}

std::vector<std::string> gate_fixture::admin_args() const {
    return {"--admin-token-file", (dir_ / "admin.token").string()};
}

reply gate_fixture::admin(int port, std::string const& method, std::string const& path,
                          std::string const& body, std::optional<std::string> const& token) {
    headers_t headers;
    if (token) {
        headers.emplace_back("Authorization", "Bearer " + *token);
    }
    return request(port, method, "/v1/admin/" + path, body, headers);
}

json gate_fixture::close_campaign(int port, std::string const& campaign) {
    auto const r = admin(port, "POST", "campaigns/" + campaign + "/close");
    EXPECT_EQ(r.status, 200) << r.body;
    return json::parse(r.body, nullptr, false);
}

json gate_fixture::wait_for_pledge(int port, std::string const& campaign, std::string const& pledge_id,
                                   std::string const& state, std::chrono::milliseconds timeout) {
    json status;
    EXPECT_TRUE(wait_until(
        [&] {
            auto const r = request(port, "GET", "/v1/campaigns/" + campaign + "/pledges/" + pledge_id);
            status = json::parse(r.body, nullptr, false);
            return r.status == 200 && status.is_object() && status.value("state", "") == state;
        },
        timeout, 50ms))
        << "pledge " << pledge_id << " is not " << state << " but: " << status.dump();
    return status;
}

std::string gate_fixture::device_text() const {
    return protocol::encode_public_key("x25519", device_.public_key);
}

void gate_fixture::expect_token_opens(std::string const& token, std::string const& id,
                                      std::string const& episode,
                                      std::function<void(protocol::verified_token const&)> const& check) {
    auto const manifest = protocol::parse_bundle_manifest(read_file(out_ / id / "bundle.json"));
    ASSERT_TRUE(manifest);
    protocol::token_expectations const expect{
        manifest.manifest->gate_keys, id, manifest.manifest->version, device_,
        std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now())};
    auto const verified = protocol::verify_unlock_token(token, expect);
    ASSERT_TRUE(verified) << protocol::to_string(verified.problem) << ": " << verified.detail;
    if (check) {
        check(verified.token);
    }
    ASSERT_EQ(verified.token.item_keys.size(), 1u);
    std::error_code ec;
    auto const plain = protocol::open_item(read_file(out_ / id / "episode-1.webm.locked"),
                                           verified.token.item_keys.at("episode-1.webm.locked"),
                                           protocol::item_identity(id, "episode-1.webm.locked"), ec);
    ASSERT_FALSE(ec) << ec.message();
    EXPECT_TRUE(plain == episode);
}

} // namespace sluice::testing
