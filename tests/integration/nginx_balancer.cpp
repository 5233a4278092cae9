#include "nginx_balancer.hpp"

#include "file_helpers.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <gtest/gtest.h>

#include <sstream>
#include <stdexcept>
#include <thread>

namespace sluice::testing {

namespace {

namespace fs = std::filesystem;
namespace asio = boost::asio;
using namespace std::chrono_literals;

// One process, no master and no workers: it runs as whoever runs the test, and SIGTERM to that pid ends all
// of nginx. Every file it writes is inside the prefix. The upstream's idle connections are closed after 20 s,
// before the gate closes them (30 s): a POST nginx sent on a connection the gate was closing would be
// answered 502, as nginx does not resend it. A gate that refused a connection is tried again a second later
// (fail_timeout), so a restarted gate is back in the round within the test.
std::string config(fs::path const& prefix, int port, std::vector<int> const& upstreams) {
    std::string servers;
    for (auto const p : upstreams) {
        servers += "        server 127.0.0.1:" + std::to_string(p) + " fail_timeout=1s;\n";
    }
    std::string conf = R"(master_process off;
worker_processes 1;
pid @PREFIX@/nginx.pid;
error_log @PREFIX@/error.log warn;
events { worker_connections 2048; }
http {
    log_format upstreams '$upstream_addr|$upstream_bytes_received|$status';
    access_log @PREFIX@/access.log upstreams;
    client_body_temp_path @PREFIX@/tmp/body;
    proxy_temp_path @PREFIX@/tmp/proxy;
    fastcgi_temp_path @PREFIX@/tmp/fastcgi;
    uwsgi_temp_path @PREFIX@/tmp/uwsgi;
    scgi_temp_path @PREFIX@/tmp/scgi;
    upstream gates {
@SERVERS@        keepalive 32;
        keepalive_timeout 20s;
    }
    server {
        listen 127.0.0.1:@PORT@;
        location / {
            proxy_pass http://gates;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
        }
    }
}
)";
    for (auto const& [key, value] : {std::pair<std::string, std::string>{"@PREFIX@", prefix.string()},
                                     {"@SERVERS@", servers},
                                     {"@PORT@", std::to_string(port)}}) {
        for (auto at = conf.find(key); at != std::string::npos; at = conf.find(key, at + value.size())) {
            conf.replace(at, key.size(), value);
        }
    }
    return conf;
}

bool accepts_connections(int port) {
    asio::io_context io;
    asio::ip::tcp::socket socket(io);
    boost::system::error_code ec;
    socket.connect({asio::ip::make_address("127.0.0.1"), static_cast<unsigned short>(port)}, ec);
    return !ec;
}

// The last entry of an access log field that nginx writes as a list when it tried several upstreams
// ("127.0.0.1:1, 127.0.0.1:2").
std::string last_entry(std::string const& field) {
    auto const comma = field.rfind(", ");
    return comma == std::string::npos ? field : field.substr(comma + 2);
}

} // namespace

nginx_balancer::nginx_balancer(fs::path const& prefix, int port, std::vector<int> const& upstream_ports)
    : prefix_(prefix), port_(port) {
    auto const nginx = find_tool("nginx");
    if (nginx.empty()) {
        ADD_FAILURE() << "nginx is not installed; installer/setup-deps.sh installs it";
        throw std::runtime_error("no nginx");
    }
    fs::create_directories(prefix_ / "tmp");
    write_file(prefix_ / "nginx.conf", config(prefix_, port_, upstream_ports));
    process_ = std::make_unique<third_party_process>(
        nginx,
        std::vector<std::string>{"-p", prefix_.string() + "/", "-c", (prefix_ / "nginx.conf").string(), "-e",
                                 (prefix_ / "error.log").string(), "-g", "daemon off;"},
        prefix_ / "nginx.out", prefix_);
    auto const deadline = std::chrono::steady_clock::now() + 10s;
    while (!accepts_connections(port_)) {
        if (!process_->running() || std::chrono::steady_clock::now() > deadline) {
            ADD_FAILURE() << "nginx does not listen" << output();
            throw std::runtime_error("nginx did not start");
        }
        std::this_thread::sleep_for(20ms);
    }
}

nginx_balancer::tally nginx_balancer::count_requests() const {
    tally out;
    std::istringstream log(read_file(prefix_ / "access.log"));
    for (std::string line; std::getline(log, line);) {
        auto const bar = line.find('|');
        auto const second = line.find('|', bar + 1);
        if (bar == std::string::npos || second == std::string::npos) {
            continue;
        }
        auto const upstream = last_entry(line.substr(0, bar));
        auto const received = last_entry(line.substr(bar + 1, second - bar - 1));
        if (received == "0" || received == "-") {
            out.balancer_502 += line.substr(second + 1) == "502";
        } else {
            ++out.by_upstream[upstream];
        }
    }
    return out;
}

std::string nginx_balancer::output() const {
    auto const errors = read_file(prefix_ / "error.log");
    return process_->output() + "error.log:\n" +
           (errors.size() > 3000 ? "..." + errors.substr(errors.size() - 3000) : errors);
}

} // namespace sluice::testing
