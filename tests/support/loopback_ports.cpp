#include "loopback_ports.hpp"

#include <boost/asio/ip/tcp.hpp>

#include <thread>

namespace sluice::testing {

namespace asio = boost::asio;

int free_port() {
    asio::io_context io;
    asio::ip::tcp::acceptor acceptor(io, asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
    return acceptor.local_endpoint().port();
}

bool wait_for_listener(int port, std::chrono::milliseconds timeout) {
    auto const deadline = std::chrono::steady_clock::now() + timeout;
    asio::io_context io;
    asio::ip::tcp::endpoint const target(asio::ip::make_address("127.0.0.1"),
                                         static_cast<unsigned short>(port));
    while (std::chrono::steady_clock::now() < deadline) {
        asio::ip::tcp::socket socket(io);
        boost::system::error_code ec;
        socket.connect(target, ec);
        if (!ec) {
            return true;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return false;
}

} // namespace sluice::testing
