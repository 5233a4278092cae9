#pragma once

#include "gate_context.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>

#include <array>
#include <memory>
#include <optional>
#include <string>

namespace sluice::gate {

struct gate_response;

// One HTTP/1.1 connection: reads each request whole within the limits (8 KiB of header, 64 KiB of body),
// hands it to handle_request and writes the answer, keep-alive until the client stops or idles out. A
// request that breaks HTTP or the limits gets a JSON 4xx and the connection is closed, since the rest of
// the stream can no longer be trusted to be in step.
class http_session : public std::enable_shared_from_this<http_session> {
public:
    http_session(boost::asio::ip::tcp::socket socket, gate_context& ctx);

    void start();

private:
    void read_request();
    void on_read(boost::system::error_code ec);
    void send(gate_response const& res, bool keep_alive);
    void close();
    // After an answer to a broken request: stop sending, read and drop what the client still sends (up to a
    // bound), then close. Closing with unread bytes would reset the connection and could destroy the answer
    // before the client reads it.
    void drain_then_close();

    boost::beast::tcp_stream stream_;
    gate_context& ctx_;
    boost::beast::flat_buffer buffer_;
    std::optional<boost::beast::http::request_parser<boost::beast::http::string_body>> parser_;
    std::string client_ip_;
    std::size_t drained_ = 0;
    bool close_after_write_ = false;
    std::array<char, 16 * 1024> drain_buffer_{};
};

} // namespace sluice::gate
