// The fake Stripe (publisher/fake-stripe) as a benchmark's payment provider: started with node in a process
// of its own, its key and webhook secret written to files for sluice-gate's --stripe-* options.
#pragma once

#include "support/child_process.hpp"

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

namespace sluice::bench {

class fake_provider {
public:
    // `script` is publisher/fake-stripe/server.mjs; the key files go into `folder`.
    fake_provider(std::filesystem::path const& script, std::filesystem::path const& folder,
                  int latency_ms = 0);

    std::string const& base() const { return base_; } // "http://127.0.0.1:PORT/"
    int port() const { return port_; }
    std::string const& secret_key() const { return secret_key_; }
    pid_t pid() const { return child_->pid(); }
    // --stripe-api, --stripe-key-file, --stripe-webhook-secret-file.
    std::vector<std::string> gate_args() const;

    // POST /_fake/<path> with a JSON body; the answer's body (a bench_error unless 200).
    std::string control(std::string const& path, std::string const& json_body) const;

private:
    std::unique_ptr<child_process> child_;
    std::filesystem::path key_file_;
    std::filesystem::path secret_file_;
    std::string base_;
    int port_ = 0;
    std::string secret_key_;
};

} // namespace sluice::bench
