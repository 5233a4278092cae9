#include "native_messaging/client_hub.hpp"

#include "base/log.hpp"
#include "native_messaging/attach_greeting.hpp"

#include <boost/asio/post.hpp>

#include <cerrno>
#include <optional>
#include <sys/socket.h>
#include <unistd.h>
#include <utility>

namespace sluice::native_messaging {

namespace {

// The connecting process's credentials, as the kernel recorded them at connect(); nullopt if unknown.
std::optional<ucred> peer_of(client_connection::socket_type& socket) {
    ucred cred{};
    socklen_t len = sizeof cred;
    if (::getsockopt(socket.native_handle(), SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0) {
        return std::nullopt;
    }
    return cred;
}

// Written in one non-blocking send before the first read: a new connection's send buffer is empty, so
// the greeting either goes whole or the relay has already gone.
bool greet(client_connection::socket_type& socket) {
    for (;;) {
        auto const n = ::send(socket.native_handle(), attach_greeting.data(), attach_greeting.size(),
                              MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        return n == static_cast<ssize_t>(attach_greeting.size());
    }
}

} // namespace

client_hub::client_hub(boost::asio::io_context& io, acceptor_type acceptor,
                       std::uint32_t max_inbound_frame_bytes, rpc_dispatcher const& dispatcher,
                       std::function<void()> on_last_client_gone)
    : io_(io), acceptor_(std::move(acceptor)), max_inbound_(max_inbound_frame_bytes), dispatcher_(dispatcher),
      on_last_client_gone_(std::move(on_last_client_gone)), accept_pause_(io) {}

void client_hub::start() {
    accept_next();
}

void client_hub::stop_accepting() {
    if (!accepting_) {
        return;
    }
    accepting_ = false;
    accept_pause_.cancel();
    boost::system::error_code ec;
    auto const endpoint = acceptor_.local_endpoint(ec);
    if (!ec && !endpoint.path().empty()) {
        // Unlink before closing: in between, a relay would find the file but be refused, and the next
        // owner's launcher, seeing the file, would take this owner for one that still serves instead of
        // waiting for its lock.
        ::unlink(endpoint.path().c_str());
    }
    acceptor_.close(ec);
}

void client_hub::stop() {
    stop_accepting();
    stopped_ = true;
    auto clients = std::move(clients_);
    clients_.clear();
    for (auto& [id, client] : clients) {
        client->close();
    }
}

void client_hub::broadcast(nlohmann::json const& event) {
    // Copy first: a send may disconnect a slow client, which edits the map.
    auto clients = clients_;
    for (auto& [id, client] : clients) {
        client->send(event);
    }
}

void client_hub::accept_next() {
    acceptor_.async_accept([this](boost::system::error_code ec, client_connection::socket_type socket) {
        if (stopped_ || !accepting_) {
            return; // the socket closes unread and ungreeted: its relay goes to the next owner
        }
        if (ec == boost::asio::error::operation_aborted) {
            return;
        }
        if (ec) {
            // Out of descriptors (EMFILE, ENFILE), most likely: the waiting relay keeps the socket readable,
            // so accepting again at once would spin a core (and fill the log) until a descriptor frees up.
            if (!accept_failing_) {
                base::log::error("cannot accept relays: " + ec.message() + "; trying again every 100 ms");
                accept_failing_ = true;
            }
            accept_pause_.expires_after(std::chrono::milliseconds(100));
            accept_pause_.async_wait([this](boost::system::error_code timer_ec) {
                if (!timer_ec && !stopped_ && accepting_) {
                    accept_next();
                }
            });
            return;
        }
        if (std::exchange(accept_failing_, false)) {
            base::log::info("relays are accepted again");
        }
        auto const peer = peer_of(socket);
        if (!peer) {
            base::log::warning("refused a connection whose user is unknown");
        } else if (peer->uid != ::geteuid()) {
            // Closed unread: nothing another user sends is parsed, and nothing is sent back.
            base::log::warning("refused a connection from another user (uid " + std::to_string(peer->uid) +
                               ", pid " + std::to_string(peer->pid) + ")");
        } else if (!greet(socket)) {
            base::log::info("a relay left before it was greeted");
        } else {
            auto const id = next_id_++;
            auto client = std::make_shared<client_connection>(
                std::move(socket), id, max_inbound_,
                [this](std::shared_ptr<client_connection> const& from, std::string body) {
                    std::weak_ptr<client_connection> weak = from;
                    dispatcher_.dispatch(body, [weak](nlohmann::json message) {
                        if (auto c = weak.lock()) {
                            c->send(message);
                        }
                    });
                },
                [this](client_connection* closed) { on_client_closed(closed); });
            clients_.emplace(id, client);
            base::log::info("client " + std::to_string(id) + " attached (" + std::to_string(clients_.size()) +
                            " attached)");
            client->start();
        }
        accept_next();
    });
}

void client_hub::on_client_closed(client_connection* client) {
    if (stopped_) {
        return;
    }
    auto const id = client->id();
    // Keep the connection alive until this handler's caller has returned.
    auto keep = clients_.find(id);
    if (keep == clients_.end()) {
        return;
    }
    auto holder = keep->second;
    clients_.erase(keep);
    base::log::info("client " + std::to_string(id) + " detached (" + std::to_string(clients_.size()) +
                    " attached)");
    if (clients_.empty() && on_last_client_gone_) {
        boost::asio::post(io_, [this, holder] {
            if (!stopped_ && clients_.empty()) {
                on_last_client_gone_();
            }
        });
    }
}

} // namespace sluice::native_messaging
