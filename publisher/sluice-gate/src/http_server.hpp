#pragma once

#include "sluice-gate/gate_context.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <cstddef>
#include <cstdint>
#include <string>
#include <system_error>
#include <vector>

namespace sluice::gate {

// Where an accepted connection is served: a thread's io_context and the gate_context that thread owns.
struct http_shard {
    boost::asio::io_context& io;
    gate_context& ctx;
};

// Accepts connections on one address and gives each to a session: plain HTTP, or HTTPS when given a TLS
// context (tls_context.hpp). The acceptor runs on `io`; each connection is accepted onto one shard, in
// turn, and lives there to its end: its session, its handlers and their store calls all run on that shard's
// thread, which owns the shard's gate_context, so the handlers take no locks. A handler that writes to the
// store waits for its fsync on that thread, which is what makes an answer mean "recorded"; the other shards
// go on serving meanwhile. Only the mail command waits elsewhere (mailer.hpp).
class http_server {
public:
    // `shards` (at least one) and `tls`, when given, must outlive the server. `io` may be a shard's.
    http_server(boost::asio::io_context& io, std::vector<http_shard> shards,
                boost::asio::ip::tcp::endpoint const& endpoint, std::error_code& ec,
                boost::asio::ssl::context* tls = nullptr);

    // Both on `io`'s thread.
    void start();
    void stop();
    std::uint16_t port() const;

private:
    void accept_next();

    std::vector<http_shard> shards_;
    std::size_t next_shard_ = 0;
    boost::asio::ip::tcp::acceptor acceptor_;
    boost::asio::steady_timer accept_pause_; // after a failed accept (out of descriptors): try again later
    boost::asio::ssl::context* tls_;
    bool stopped_ = false;
};

} // namespace sluice::gate
