#pragma once

#include <string>
#include <string_view>

namespace sluice::gate {

// The address a request's rate limits count against. Usually the TCP peer's. When the peer is the trusted
// reverse proxy (`serve --trusted-proxy`), the last address of X-Forwarded-For: the one that proxy appended
// (nginx's $proxy_add_x_forwarded_for). The addresses before it are whatever the client sent, which anyone
// can write, so they are never used; from any other peer the header is ignored for the same reason.
//
// `peer` is the TCP peer's address as text; `forwarded_for` every X-Forwarded-For value of the request,
// joined by commas in the order they came; `trusted_proxy` "" when there is none. A peer that is an IPv4
// address mapped into IPv6 (a gate listening on [::]) is its IPv4 address. When the trusted proxy sent no
// usable last address, the proxy's own address is the answer.
std::string client_address(std::string_view peer, std::string_view forwarded_for,
                           std::string_view trusted_proxy);

} // namespace sluice::gate
