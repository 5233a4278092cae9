#pragma once

#include "sluice-gate/gate_context.hpp"
#include "sluice-gate/request_body.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

#include <array>
#include <memory>
#include <optional>
#include <string>
#include <type_traits>

namespace sluice::gate {

struct gate_response;

// One HTTP/1.1 connection, plain or over TLS (`Stream`): reads each request whole within the limits (8 KiB
// of header, 64 KiB of body), hands it to handle_request and writes the answer, keep-alive until the client
// stops or idles out. A request that breaks HTTP or the limits gets a JSON 4xx and the connection is closed,
// since the rest of the stream can no longer be trusted to be in step. Everything runs on `owner`, the
// thread that owns the gate_context (the socket was accepted onto it); an answer that waits (the mail
// command) comes back to it.
template <typename Stream>
class basic_http_session : public std::enable_shared_from_this<basic_http_session<Stream>> {
public:
    static constexpr bool is_tls = !std::is_same_v<Stream, boost::beast::tcp_stream>;
    using owner_type = boost::asio::io_context::executor_type;

    // `stream_args` follow the socket into the stream's constructor: none for plain HTTP; for HTTPS the TLS
    // context (certificate, key, protocol versions), whose handshake comes first. One template rather than a
    // constructor for each kind constrained by `is_tls`: clang 14 instantiates a constructor whose constraint
    // fails when the class is explicitly instantiated.
    template <typename... StreamArgs>
    basic_http_session(boost::asio::ip::tcp::socket socket, gate_context& ctx, owner_type owner,
                       StreamArgs&... stream_args);

    void start();

private:
    void read_request();
    void on_read(boost::system::error_code ec);
    void send(gate_response const& res, bool keep_alive);
    void close();
    // After an answer to a broken request: stop sending, read and drop what the client still sends (up to a
    // bound), then close. Closing with unread bytes would reset the connection and could destroy the answer
    // before the client reads it. Over TLS the records are dropped unread, from the TCP stream beneath.
    void drain_then_close();
    void close_socket();
    boost::beast::tcp_stream& tcp() { return boost::beast::get_lowest_layer(stream_); }

    Stream stream_;
    gate_context& ctx_;
    owner_type owner_;
    boost::beast::flat_buffer buffer_;
    std::optional<boost::beast::http::request_parser<boost::beast::http::string_body>> parser_;
    std::size_t body_limit_ = max_request_body_bytes; // of the request being read
    std::string peer_ip_; // the TCP peer: the client, or the trusted proxy before it
    std::size_t drained_ = 0;
    bool close_after_write_ = false;
    std::array<char, 16 * 1024> drain_buffer_{};
};

using http_session = basic_http_session<boost::beast::tcp_stream>;
using https_session = basic_http_session<boost::beast::ssl_stream<boost::beast::tcp_stream>>;

} // namespace sluice::gate
