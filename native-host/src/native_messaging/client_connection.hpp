#pragma once

#include "native_messaging/frame_decoder.hpp"

#include <boost/asio/local/stream_protocol.hpp>
#include <nlohmann/json.hpp>

#include <array>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <string>

namespace sluice::native_messaging {

// One attached browser (through its relay process), as the owner sees it: frames in, frames out, over a
// Unix socket. Lives on the owner's io_context thread. Outbound frames are queued and written in order;
// a client that stops reading while its queue passes `max_queued_bytes` is disconnected rather than
// allowed to grow the owner's memory without bound.
class client_connection : public std::enable_shared_from_this<client_connection> {
public:
    using socket_type = boost::asio::local::stream_protocol::socket;
    using frame_handler = std::function<void(std::shared_ptr<client_connection> const&, std::string body)>;
    using closed_handler = std::function<void(client_connection*)>;

    static constexpr std::size_t max_queued_bytes = 64 * 1024 * 1024;

    client_connection(socket_type socket, std::uint64_t id, std::uint32_t max_inbound_frame_bytes,
                      frame_handler on_frame, closed_handler on_closed);

    void start();

    // Queues one message; replies too large for a frame become reply_too_large errors (see
    // to_outbound_frame). Does nothing once the connection is closed.
    void send(nlohmann::json const& message);

    void close();

    std::uint64_t id() const { return id_; }

private:
    void read_more();
    void on_frame_event(frame_event event, std::string body, std::uint64_t announced);
    void write_next();
    void close_when_flushed();

    socket_type socket_;
    std::uint64_t id_;
    std::uint32_t max_inbound_;
    frame_handler on_frame_;
    closed_handler on_closed_;
    frame_decoder decoder_;
    std::array<char, 64 * 1024> read_buffer_{};
    std::deque<std::string> queue_;
    std::size_t queued_bytes_ = 0;
    bool writing_ = false;
    bool input_done_ = false;
    bool closed_ = false;
};

} // namespace sluice::native_messaging
