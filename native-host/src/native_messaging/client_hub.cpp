#include "client_hub.hpp"

#include "../app/log.hpp"

#include <boost/asio/post.hpp>

#include <sys/socket.h>
#include <unistd.h>

namespace sluice::native_messaging {

namespace {

bool same_user(client_connection::socket_type& socket) {
    ucred cred{};
    socklen_t len = sizeof cred;
    if (::getsockopt(socket.native_handle(), SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0) {
        return false;
    }
    return cred.uid == ::geteuid();
}

} // namespace

client_hub::client_hub(boost::asio::io_context& io, acceptor_type acceptor,
                       std::uint32_t max_inbound_frame_bytes, rpc_dispatcher const& dispatcher,
                       std::function<void()> on_last_client_gone)
    : io_(io), acceptor_(std::move(acceptor)), max_inbound_(max_inbound_frame_bytes), dispatcher_(dispatcher),
      on_last_client_gone_(std::move(on_last_client_gone)) {}

void client_hub::start() {
    accept_next();
}

void client_hub::stop() {
    stopped_ = true;
    boost::system::error_code ignored;
    acceptor_.close(ignored);
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
        if (stopped_) {
            return;
        }
        if (ec) {
            app::log::error("accept failed: " + ec.message());
            if (ec == boost::asio::error::operation_aborted) {
                return;
            }
        } else if (!same_user(socket)) {
            app::log::warning("refused a connection from another user");
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
            app::log::info("client " + std::to_string(id) + " attached (" + std::to_string(clients_.size()) +
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
    app::log::info("client " + std::to_string(id) + " detached (" + std::to_string(clients_.size()) +
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
