#include "sluice-gate/http_server.hpp"

#include "sluice-gate/http_session.hpp"

namespace sluice::gate {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

http_server::http_server(asio::io_context& io, std::vector<http_shard> shards, tcp::endpoint const& endpoint,
                         std::error_code& ec, asio::ssl::context* tls)
    : shards_(std::move(shards)), acceptor_(io), accept_pause_(io), tls_(tls) {
    boost::system::error_code bec;
    acceptor_.open(endpoint.protocol(), bec);
    if (!bec) {
        acceptor_.set_option(asio::socket_base::reuse_address(true), bec);
    }
    if (!bec) {
        acceptor_.bind(endpoint, bec);
    }
    if (!bec) {
        acceptor_.listen(asio::socket_base::max_listen_connections, bec);
    }
    ec = bec;
}

void http_server::start() {
    accept_next();
}

void http_server::stop() {
    stopped_ = true;
    boost::system::error_code ignored;
    acceptor_.close(ignored);
    accept_pause_.cancel();
}

std::uint16_t http_server::port() const {
    boost::system::error_code ec;
    return acceptor_.local_endpoint(ec).port();
}

void http_server::accept_next() {
    // In turn rather than by load: every request is short, so the shards even out over a few connections.
    auto const& shard = shards_[next_shard_++ % shards_.size()];
    acceptor_.async_accept(shard.io, [this, shard](boost::system::error_code ec, tcp::socket socket) {
        if (stopped_ || ec == asio::error::operation_aborted) {
            return;
        }
        if (ec) {
            // Out of descriptors, most likely: the waiting connection keeps the socket readable, so accepting
            // again at once would spin. A pause lets open connections finish (or time out) first.
            accept_pause_.expires_after(std::chrono::milliseconds(100));
            accept_pause_.async_wait([this](boost::system::error_code timer_ec) {
                if (!timer_ec && !stopped_) {
                    accept_next();
                }
            });
            return;
        }
        if (tls_) {
            std::make_shared<https_session>(std::move(socket), shard.ctx, shard.io.get_executor(), *tls_)
                ->start();
        } else {
            std::make_shared<http_session>(std::move(socket), shard.ctx, shard.io.get_executor())->start();
        }
        accept_next();
    });
}

} // namespace sluice::gate
