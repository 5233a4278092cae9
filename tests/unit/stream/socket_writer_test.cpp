// socket_writer over a real loopback TCP connection, as the stream server has with a player.

#include "file_helpers.hpp"
#include "sandbox_dir.hpp"
#include "stream/socket_writer.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <gtest/gtest.h>

#include <csignal>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <string>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>

namespace sluice::stream {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

struct writer_fixture : ::testing::Test {
    asio::io_context io;
    tcp::socket server{io}; // the stream server's end
    tcp::socket player{io};
    testing::sandbox_dir dir;
    std::string bytes = testing::random_bytes(4 * 1024 * 1024, 17);
    int fd = -1;

    void SetUp() override {
        tcp::acceptor acceptor(io, tcp::endpoint(asio::ip::make_address_v4("127.0.0.1"), 0));
        player.connect(acceptor.local_endpoint());
        acceptor.accept(server);
        testing::write_file(dir / "film.webm", bytes);
        fd = ::open((dir / "film.webm").c_str(), O_RDONLY | O_CLOEXEC);
        ASSERT_GE(fd, 0);
    }
    void TearDown() override {
        if (fd >= 0) {
            ::close(fd);
        }
    }

    // Small buffers on both ends, so that a few hundred KB fill the connection.
    void narrow() {
        server.set_option(asio::socket_base::send_buffer_size(16 * 1024));
        player.set_option(asio::socket_base::receive_buffer_size(16 * 1024));
    }

    // Sends [pos, end) as a session does, waiting for the socket whenever it is full, while the player
    // reads on another thread.
    std::string send_all(socket_writer& writer, std::uint64_t pos, std::uint64_t end) {
        std::string got(end - pos, '\0');
        std::thread reader([&] { asio::read(player, asio::buffer(got)); });
        for (;;) {
            auto const progress = writer.send_file(fd, pos, end);
            if (progress != send_progress::socket_full) {
                EXPECT_EQ(progress, send_progress::done);
                break;
            }
            pollfd p{server.native_handle(), POLLOUT, 0};
            ::poll(&p, 1, 1000);
        }
        reader.join();
        EXPECT_EQ(pos, end);
        return got;
    }
};

TEST_F(writer_fixture, SendsExactlyTheRangeAsked) {
    socket_writer writer(server);
    EXPECT_EQ(send_all(writer, 1'000, 3'000'000), bytes.substr(1'000, 2'999'000));
}

TEST_F(writer_fixture, AFullSocketStopsTheRunWhereItIsAndItGoesOnFromThere) {
    narrow();
    socket_writer writer(server);
    std::uint64_t pos = 0;
    ASSERT_EQ(writer.send_file(fd, pos, bytes.size()), send_progress::socket_full);
    EXPECT_GT(pos, 0u);
    EXPECT_LT(pos, bytes.size());
    // Nothing was lost or sent twice at the pause.
    std::string head(pos, '\0');
    asio::read(player, asio::buffer(head));
    EXPECT_EQ(head, bytes.substr(0, pos));
    EXPECT_EQ(send_all(writer, pos, bytes.size()), bytes.substr(pos));
}

TEST_F(writer_fixture, AFileShorterThanTheRangeFails) {
    socket_writer writer(server);
    std::uint64_t pos = bytes.size() - 100;
    std::string got(100, '\0');
    EXPECT_EQ(writer.send_file(fd, pos, bytes.size() + 50), send_progress::failed);
    EXPECT_EQ(pos, bytes.size());
    asio::read(player, asio::buffer(got));
    EXPECT_EQ(got, bytes.substr(bytes.size() - 100));
}

TEST_F(writer_fixture, APlayerThatLeftFailsTheRun) {
    auto const old = std::signal(SIGPIPE, SIG_IGN); // as the host has it
    narrow();
    socket_writer writer(server);
    player.close();
    std::uint64_t pos = 0;
    auto progress = send_progress::socket_full;
    for (int i = 0; i < 100 && progress == send_progress::socket_full; ++i) {
        progress = writer.send_file(fd, pos, bytes.size());
        pollfd p{server.native_handle(), POLLOUT, 0};
        ::poll(&p, 1, 100);
    }
    std::signal(SIGPIPE, old);
    EXPECT_EQ(progress, send_progress::failed);
    EXPECT_LT(pos, bytes.size());
}

TEST_F(writer_fixture, NothingIsWrittenOnceTheSocketIsClosed) {
    socket_writer writer(server);
    server.close();
    std::uint64_t pos = 0;
    EXPECT_EQ(writer.send_file(fd, pos, 100), send_progress::failed);
    EXPECT_EQ(pos, 0u);
}

TEST_F(writer_fixture, CorkFollowsTheCalls) {
    auto corked = [&] {
        int value = -1;
        socklen_t length = sizeof value;
        ::getsockopt(server.native_handle(), IPPROTO_TCP, TCP_CORK, &value, &length);
        return value;
    };
    socket_writer writer(server);
    EXPECT_EQ(corked(), 0);
    writer.cork(true);
    EXPECT_EQ(corked(), 1);
    writer.cork(true);
    EXPECT_EQ(corked(), 1);
    writer.cork(false);
    EXPECT_EQ(corked(), 0);
}

} // namespace
} // namespace sluice::stream
