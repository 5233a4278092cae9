#pragma once

#include "third_party.hpp"

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

namespace sluice::testing {

// Debian's opentracker on loopback, in a folder of its own, tracking only the info-hashes it is given (its
// whitelist: Debian builds it so). Under root it chroots into the folder and runs as `nobody`; otherwise it
// runs as whoever runs the test. Its TCP and UDP port is `port`.
class opentracker {
public:
    opentracker(std::filesystem::path const& folder, int port, std::vector<std::string> const& hex_hashes);

    int port() const { return port_; }
    std::string announce_url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/announce"; }
    std::string output() const { return process_->output(); }

private:
    int port_;
    std::unique_ptr<third_party_process> process_;
};

} // namespace sluice::testing
