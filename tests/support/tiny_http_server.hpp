#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace sluice::testing {

// Serves one fixed answer (200 unless told otherwise) to every request on 127.0.0.1, on its own thread, until
// destroyed: enough to stand for a website that offers a .torrent link, or a server that answers badly.
class tiny_http_server {
public:
    explicit tiny_http_server(std::string body, std::string content_type = "application/x-bittorrent",
                              int status = 200);
    ~tiny_http_server();

    int port() const { return port_; }
    std::string url(std::string const& path = "/file.torrent") const {
        return "http://127.0.0.1:" + std::to_string(port_) + path;
    }
    int requests() const { return requests_; }
    // Those whose target contains `part` ("/unlock/"): a host also asks a bundle's gate for other things.
    int requests(std::string const& part) const;

private:
    struct impl;
    std::unique_ptr<impl> impl_;
    int port_ = 0;
    std::atomic<int> requests_{0};
    mutable std::mutex targets_mutex_;
    std::vector<std::string> targets_;
    std::function<void(std::string)> seen_ = [this](std::string target) {
        std::lock_guard const lock(targets_mutex_);
        targets_.push_back(std::move(target));
    };
    std::thread thread_;
};

} // namespace sluice::testing
