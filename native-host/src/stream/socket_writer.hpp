#pragma once

#include <boost/asio/ip/tcp.hpp>

#include <cstdint>

namespace sluice::stream {

enum class send_progress {
    done,        // every byte asked for went out
    socket_full, // the socket takes no more for now: call again once it is writable
    failed,      // the player went away, or the file holds fewer bytes than asked for
};

// Writes a response's file bytes to the player's socket: with sendfile, so they go from the page cache to
// the socket without a copy through this process, and under TCP_CORK while they flow. The socket is read
// from `socket` at every call, never kept, so nothing is written once the session has closed it.
class socket_writer {
public:
    explicit socket_writer(boost::asio::ip::tcp::socket& socket) : socket_(socket) {}

    // Sends bytes [pos, end) of the open file `file_fd` without blocking; `pos` advances by what the
    // socket took, whatever the outcome (so a response that ends early knows where).
    send_progress send_file(int file_fd, std::uint64_t& pos, std::uint64_t end);

    // TCP_CORK on or off; a call that changes nothing costs nothing.
    void cork(bool on);

private:
    boost::asio::ip::tcp::socket& socket_;
    bool corked_ = false;
};

} // namespace sluice::stream
