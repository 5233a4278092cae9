#pragma once

// nginx as a creator runs it in front of several gates: one address on loopback, requests dealt out to the
// gates in turn (round robin) over keep-alive connections, the client's address forwarded in
// X-Forwarded-For. nginx passes a POST it has sent to a gate to no other one (`proxy_next_upstream` leaves
// non-idempotent requests out), so a gate killed in the middle of a request gives the client a 502, and the
// client's retry with the same Idempotency-Key is what makes the request whole.

#include "third_party.hpp"

#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace sluice::testing {

class nginx_balancer {
public:
    // Starts nginx on 127.0.0.1:`port` in front of the gates on `upstream_ports` (which need not listen yet);
    // its files (config, logs, temporary folders) go into `prefix`. Fails the test (and throws) when nginx is
    // missing or does not listen within 10 s.
    nginx_balancer(std::filesystem::path const& prefix, int port, std::vector<int> const& upstream_ports);

    int port() const { return port_; }
    std::string url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/"; }

    // How many requests each gate answered ("127.0.0.1:PORT" → count), and how many nginx answered 502
    // itself (no gate answered), from the access log. A request nginx tried on two gates (the first
    // refused the connection) counts for the one that answered.
    struct tally {
        std::map<std::string, int> by_upstream;
        int balancer_502 = 0;
    };
    tally count_requests() const;

    // The command line, and the last lines of nginx's output and error log, for failure messages.
    std::string output() const;

private:
    std::filesystem::path prefix_;
    int port_ = 0;
    std::unique_ptr<third_party_process> process_;
};

} // namespace sluice::testing
