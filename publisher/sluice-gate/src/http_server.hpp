#pragma once

#include "sluice-gate/gate_context.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <cstdint>
#include <string>
#include <system_error>

namespace sluice::gate {

// Accepts connections on one address and gives each to a session: plain HTTP, or HTTPS when given a TLS
// context (tls_context.hpp). Everything runs on the io_context's one thread, which owns `ctx` (the store,
// the rate limits): no locks. A handler that writes to the store waits for its fsync on that thread, which
// is what makes an answer mean "recorded"; only the mail command waits elsewhere (mailer.hpp).
class http_server {
public:
    // `tls`, when given, must outlive the server.
    http_server(boost::asio::io_context& io, gate_context& ctx,
                boost::asio::ip::tcp::endpoint const& endpoint, std::error_code& ec,
                boost::asio::ssl::context* tls = nullptr);

    void start();
    void stop();
    std::uint16_t port() const;
    gate_context& context() { return ctx_; }

private:
    void accept_next();

    boost::asio::io_context& io_;
    gate_context& ctx_;
    boost::asio::ip::tcp::acceptor acceptor_;
    boost::asio::steady_timer accept_pause_; // after a failed accept (out of descriptors): try again later
    boost::asio::ssl::context* tls_;
    bool stopped_ = false;
};

} // namespace sluice::gate
