#pragma once

#include "gate_fixture.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>

#include <optional>
#include <string>

namespace sluice::testing {

// A keep-alive HTTP/1.1 connection used by one thread, as a host keeps one to its gate. Every exchange is
// bounded in time; after a failure the connection is dropped and the next exchange opens a new one.
class keepalive_connection {
public:
    explicit keepalive_connection(int port) : port_(port) {}

    // The answer, or nullopt and `ec` when none came (the connection failed or timed out).
    std::optional<reply> exchange(std::string const& method, std::string const& target,
                                  std::string const& body, headers_t const& headers,
                                  boost::beast::error_code& ec);
    std::optional<reply> exchange(std::string const& method, std::string const& target,
                                  std::string const& body, headers_t const& headers) {
        boost::beast::error_code ec;
        return exchange(method, target, body, headers, ec);
    }

private:
    int port_;
    boost::asio::io_context io_;
    std::optional<boost::beast::tcp_stream> stream_;
    boost::beast::flat_buffer buffer_;
};

} // namespace sluice::testing
