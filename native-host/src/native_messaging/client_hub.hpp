#pragma once

#include "native_messaging/client_connection.hpp"
#include "native_messaging/rpc_dispatcher.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/steady_timer.hpp>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>

namespace sluice::native_messaging {

// The owner's side of "one host per user": accepts relays on the Unix socket, greets each (see
// attach_greeting.hpp), hands their frames to the dispatcher, sends events to all of them, and says when the
// last one has gone. Only processes of the same user are accepted (checked with SO_PEERCRED, on top of the
// 0700 runtime directory): another user's connection is closed unread and ungreeted, and logged.
class client_hub {
public:
    using acceptor_type = boost::asio::local::stream_protocol::acceptor;

    client_hub(boost::asio::io_context& io, acceptor_type acceptor, std::uint32_t max_inbound_frame_bytes,
               rpc_dispatcher const& dispatcher, std::function<void()> on_last_client_gone);

    void start();

    // For an owner that has decided to leave, before it does anything else: unlinks the socket file, then
    // closes the listening socket. A relay arriving from then on finds no socket and starts (or waits for)
    // the next owner; one already in the listen queue is dropped ungreeted and goes to the next owner too.
    // The owner must still hold its lock here, so the file unlinked can only be its own.
    void stop_accepting();

    // Stops accepting (if not yet stopped) and closes every client.
    void stop();

    void broadcast(nlohmann::json const& event);

    std::size_t client_count() const { return clients_.size(); }
    std::uint64_t clients_ever() const { return next_id_ - 1; }

private:
    void accept_next();
    void on_client_closed(client_connection* client);

    boost::asio::io_context& io_;
    acceptor_type acceptor_;
    std::uint32_t max_inbound_;
    rpc_dispatcher const& dispatcher_;
    std::function<void()> on_last_client_gone_;
    std::map<std::uint64_t, std::shared_ptr<client_connection>> clients_;
    std::uint64_t next_id_ = 1;
    bool accepting_ = true;
    bool accept_failing_ = false;
    boost::asio::steady_timer accept_pause_;
    bool stopped_ = false;
};

} // namespace sluice::native_messaging
