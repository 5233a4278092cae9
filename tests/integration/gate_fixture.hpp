#pragma once

// What the tests that drive the real sluice-gate share: a sandbox where sluice-bundle and sluice-gate run as
// a publisher runs them, a served gate on loopback, and HTTP asked of it as a host asks.

#include "loopback_ports.hpp"
#include "run_result.hpp"
#include "sandbox_dir.hpp"

#include <sluice/protocol/keys.hpp>
#include <sluice/protocol/unlock_token.hpp>

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/http.hpp>
#include <boost/process/child.hpp>
#include <boost/process/pipe.hpp>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

namespace sluice::testing {

class fake_provider;

using headers_t = std::vector<std::pair<std::string, std::string>>;

struct reply {
    int status = 0;
    std::string body;
    std::map<std::string, std::string> headers; // lower-case names

    std::string header(std::string const& name) const;
    // A body that is not JSON fails the test.
    nlohmann::json body_json() const;
    // The code of a JSON error answer, or "".
    std::string error_code() const;
};

boost::asio::ip::tcp::endpoint loopback(int port);

// Asks for the connection to be closed after the answer; a body (JSON) goes with every POST.
boost::beast::http::request<boost::beast::http::string_body> make_request(int port, std::string const& method,
                                                                          std::string const& target,
                                                                          std::string const& body,
                                                                          headers_t const& headers);

reply to_reply(boost::beast::http::response<boost::beast::http::string_body> const& res);

// One request with a body (tests/support's client sends none), on a fresh connection, bounded in time.
// Throws when no answer comes.
reply request(int port, std::string const& method, std::string const& target, std::string const& body = {},
              headers_t const& headers = {});

std::int64_t unix_now();

// One running `sluice-gate serve`; its URL is read from the first line of its stdout.
class gate_server {
public:
    gate_server(std::vector<std::string> const& args, std::filesystem::path const& err_file);
    ~gate_server();

    int port() const { return port_; }
    std::string const& url() const { return url_; }
    // utime + stime so far, in seconds (/proc/PID/stat).
    double cpu_seconds() const;
    void kill9();
    // The exit code after SIGTERM, or nullopt if it did not exit within 10 s.
    std::optional<int> stop();

private:
    boost::process::ipstream out_;
    boost::process::child child_;
    std::string url_;
    int port_ = 0;
};

// A sandbox with a publisher's key and a gate's key (and a free pilot to bundle), where each run of a tool
// leaves its output in logs_ for the failure messages.
class host_process;

class gate_fixture : public ::testing::Test {
protected:
    void SetUp() override;

    run_result run(char const* program, std::vector<std::string> const& args);
    run_result bundle_tool(std::vector<std::string> const& args);
    run_result gate_tool(std::vector<std::string> const& args);

    // Makes the bundle of `spec` into out/ with sluice-bundle (replacing an earlier version).
    void make_bundle(nlohmann::json const& spec);
    run_result import(std::string const& id);

    // Where the gate keeps its data: --data data_, or --db db_url_ once a test sets it (PostgreSQL).
    std::vector<std::string> store_args() const;
    std::vector<std::string> serve_args(std::vector<std::string> const& extra = {}, int port = 0) const;
    std::unique_ptr<gate_server> serve(std::vector<std::string> const& extra = {}, int port = 0);
    nlohmann::json stats();

    // The options of a gate that takes payments through `provider`: its --stripe-* options and --public-url,
    // where the provider's page sends the viewer back (the gate itself when its port is chosen beforehand).
    std::vector<std::string> payment_args(fake_provider const& provider, int port = 0) const;
    // A served gate that takes payments through `provider`, which then sends its webhooks to this gate.
    std::unique_ptr<gate_server> serve_paid(fake_provider& provider,
                                            std::vector<std::string> const& extra = {}, int port = 0);

    // The admin endpoints, turned on by admin_args() (--admin-token-file with the token below).
    static constexpr char const* admin_token = "admin-0123456789abcdef0123456789abcdef";
    std::vector<std::string> admin_args() const;
    reply admin(int port, std::string const& method, std::string const& path, std::string const& body = {},
                std::optional<std::string> const& token = std::string(admin_token));
    // Closes `campaign` through the admin API of the gate at `port` (which needs admin_args()): its answer.
    // Unlike `sluice-gate close`, which a serving gate notices at its next look at the store (up to 2 s
    // later), this starts the charge run at once.
    nlohmann::json close_campaign(int port, std::string const& campaign);
    // Asks for the pledge until its state is `state`, as a host following it does; its last status (a
    // failure when the state did not come within `timeout`).
    nlohmann::json wait_for_pledge(int port, std::string const& campaign, std::string const& pledge_id,
                                   std::string const& state,
                                   std::chrono::milliseconds timeout = std::chrono::seconds(20));

    // Adds bundle `id` to `host` as sluice-bundle wrote it into out/ (its data is there: it verifies at
    // once); its info-hash.
    std::string host_adds(host_process& host, std::string const& id);

    std::string device_text() const;
    std::filesystem::path gate_key_file() const { return dir_ / "gate.key"; }

    // What a host does with a token: verify it against the manifest it has, then open the locked item, which
    // must be `episode`. `check` sees the verified token first, for what a test asks of it besides.
    void expect_token_opens(std::string const& token, std::string const& id, std::string const& episode,
                            std::function<void(protocol::verified_token const&)> const& check = {});

    sandbox_dir dir_;
    std::filesystem::path src_ = dir_ / "src";
    std::filesystem::path out_ = dir_ / "out";
    std::filesystem::path data_ = dir_ / "data";
    std::string db_url_;
    std::filesystem::path logs_ = dir_ / "logs";
    std::string gate_key_;
    protocol::box_keypair device_ = protocol::generate_box_keypair();
    // How long one run of a tool may take before it fails the test.
    std::chrono::seconds tool_timeout_{120};
    int runs_ = 0;
};

} // namespace sluice::testing
