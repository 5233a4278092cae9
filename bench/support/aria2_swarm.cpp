#include "support/aria2_swarm.hpp"

#include "support/bench_main.hpp"
#include "support/files.hpp"
#include "support/loopback_http.hpp"

#include <boost/process/search_path.hpp>

#include <arpa/inet.h>
#include <chrono>
#include <netinet/in.h>
#include <sys/socket.h>
#include <thread>

namespace sluice::bench {

using namespace std::chrono_literals;

namespace {

bool accepts(std::string const& address, std::uint16_t port) {
    unique_fd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    ::inet_pton(AF_INET, address.c_str(), &addr.sin_addr);
    return fd && ::connect(fd.get(), reinterpret_cast<sockaddr const*>(&addr), sizeof addr) == 0;
}

} // namespace

aria2_swarm::aria2_swarm(swarm_spec spec) : spec_(std::move(spec)) {
    auto const aria2c = boost::process::search_path("aria2c");
    if (aria2c.empty()) {
        throw bench_error("aria2c is not installed (apt-get install aria2)");
    }
    for (int i = 0; i < spec_.seeders; ++i) {
        // The first `shared` seeders are behind 127.0.0.1; every other one has an address of its own.
        auto const address = i < spec_.shared ? std::string("127.0.0.1") : "127.0.0." + std::to_string(2 + i);
        auto const port = free_port();
        seeders_.push_back(std::make_unique<child_process>(child_process::spec{
            .name = "aria2c seeder " + std::to_string(i + 1),
            .exe = aria2c.string(),
            .args = {"--seed-ratio=0.0", "--bt-seed-unverified=true", "--check-integrity=false",
                     "--enable-dht=false", "--enable-dht6=false", "--bt-enable-lpd=false",
                     "--enable-peer-exchange=false", "--interface=" + address,
                     "--listen-port=" + std::to_string(port),
                     "--max-upload-limit=" + std::to_string(spec_.upload_bytes_per_s),
                     "--console-log-level=warn", "--summary-interval=0", "-d", spec_.data_dir.string(),
                     spec_.torrent_file.string()},
            .log = spec_.log_dir / ("aria2c-" + std::to_string(i + 1) + ".log")}));
        endpoints_.push_back(address + ":" + std::to_string(port));
        auto const deadline = std::chrono::steady_clock::now() + 30s;
        while (!accepts(address, port)) {
            if (!seeders_.back()->running() || std::chrono::steady_clock::now() > deadline) {
                throw bench_error("aria2c did not listen on " + endpoints_.back() + ": " +
                                  tail_of_file(seeders_.back()->log(), 1000));
            }
            std::this_thread::sleep_for(20ms);
        }
    }
}

std::string aria2_swarm::magnet_peers() const {
    std::string out;
    for (auto const& e : endpoints_) {
        out += "&x.pe=" + e;
    }
    return out;
}

double aria2_swarm::total_upload_bytes_per_s() const {
    return static_cast<double>(spec_.upload_bytes_per_s) * spec_.seeders;
}

} // namespace sluice::bench
