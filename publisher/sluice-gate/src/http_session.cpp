#include "sluice-gate/http_session.hpp"

#include "sluice-gate/api_error.hpp"
#include "sluice-gate/client_address.hpp"
#include "sluice-gate/request_body.hpp"
#include "sluice-gate/router.hpp"

#include <boost/asio/dispatch.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>

#include <algorithm>
#include <cctype>

namespace sluice::gate {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;

namespace {

constexpr auto idle_timeout = std::chrono::seconds(30);
constexpr auto closing_timeout = std::chrono::seconds(2);
constexpr std::uint32_t max_header_bytes = 8 * 1024;

std::string remote_address(asio::ip::tcp::socket const& socket) {
    boost::system::error_code ec;
    auto const remote = socket.remote_endpoint(ec);
    return ec ? "unknown" : remote.address().to_string();
}

// The ways a client ends a connection: not a broken request, nothing to answer.
bool is_goodbye(boost::system::error_code const& ec) {
    return ec == bhttp::error::end_of_stream || ec == asio::error::operation_aborted ||
           ec == beast::error::timeout || ec == asio::error::connection_reset || ec == asio::error::eof ||
           ec == asio::ssl::error::stream_truncated;
}

} // namespace

template <typename Stream>
template <typename... StreamArgs>
basic_http_session<Stream>::basic_http_session(asio::ip::tcp::socket socket, gate_context& ctx,
                                               owner_type owner, StreamArgs&... stream_args)
    : stream_(std::move(socket), stream_args...), ctx_(ctx), owner_(std::move(owner)) {
    peer_ip_ = remote_address(tcp().socket());
}

template <typename Stream>
void basic_http_session<Stream>::start() {
    asio::dispatch(stream_.get_executor(), [self = this->shared_from_this()] {
        if constexpr (is_tls) {
            // A client that connects and says nothing is dropped like an idle one.
            self->tcp().expires_after(idle_timeout);
            self->stream_.async_handshake(asio::ssl::stream_base::server,
                                          [self](boost::system::error_code ec) {
                                              if (ec) {
                                                  self->close_socket();
                                                  return;
                                              }
                                              self->read_request();
                                          });
        } else {
            self->read_request();
        }
    });
}

template <typename Stream>
void basic_http_session<Stream>::read_request() {
    parser_.emplace();
    parser_->header_limit(max_header_bytes);
    tcp().expires_after(idle_timeout);
    // The header first: how large a body may be depends on where it goes (a translation's track is larger
    // than any other request).
    bhttp::async_read_header(
        stream_, buffer_, *parser_,
        [self = this->shared_from_this()](boost::system::error_code ec, std::size_t) {
            if (ec) {
                self->on_read(ec);
                return;
            }
            auto const& head = self->parser_->get();
            self->body_limit_ =
                request_body_limit(std::string_view(head.method_string().data(), head.method_string().size()),
                                   std::string_view(head.target().data(), head.target().size()));
            self->parser_->body_limit(self->body_limit_);
            bhttp::async_read(
                self->stream_, self->buffer_, *self->parser_,
                [self](boost::system::error_code read_ec, std::size_t) { self->on_read(read_ec); });
        });
}

template <typename Stream>
void basic_http_session<Stream>::on_read(boost::system::error_code ec) {
    if (ec == bhttp::error::body_limit) {
        close_after_write_ = true;
        send(error_response(413, error_code::body_too_large,
                            "the request body is larger than " + std::to_string(body_limit_) + " bytes"),
             false);
        return;
    }
    if (ec == bhttp::error::header_limit) {
        close_after_write_ = true;
        send(error_response(431, error_code::bad_request, "the request's header is larger than 8192 bytes"),
             false);
        return;
    }
    if (ec) {
        if (!is_goodbye(ec)) {
            close_after_write_ = true;
            send(error_response(400, error_code::bad_request, "not an HTTP/1.1 request this gate can read"),
                 false);
            return;
        }
        close();
        return;
    }
    auto const& msg = parser_->get();
    gate_request req;
    req.method = std::string(msg.method_string());
    req.target = std::string(msg.target());
    req.body = msg.body();
    std::string forwarded_for;
    for (auto const& field : msg) {
        std::string name(field.name_string());
        std::transform(name.begin(), name.end(), name.begin(),
                       [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
        if (name == "x-forwarded-for") {
            forwarded_for += (forwarded_for.empty() ? "" : ",") + std::string(field.value());
        }
        req.headers.emplace_back(std::move(name), std::string(field.value()));
    }
    req.client_ip = client_address(peer_ip_, forwarded_for, ctx_.trusted_proxy);
    handle_request(ctx_, req,
                   responder(owner_, [self = this->shared_from_this(), keep_alive = msg.keep_alive()](
                                         gate_response res) { self->send(res, keep_alive); }));
}

template <typename Stream>
void basic_http_session<Stream>::send(gate_response const& res, bool keep_alive) {
    auto out =
        std::make_shared<bhttp::response<bhttp::string_body>>(static_cast<bhttp::status>(res.status), 11);
    out->set(bhttp::field::server, "sluice-gate");
    out->set(bhttp::field::content_type, res.content_type);
    out->set(bhttp::field::cache_control, "no-store");
    out->set("X-Content-Type-Options", "nosniff");
    for (auto const& [name, value] : res.headers) {
        out->set(name, value);
    }
    out->body() = res.body;
    out->keep_alive(keep_alive);
    out->prepare_payload();
    tcp().expires_after(idle_timeout);
    bhttp::async_write(stream_, *out,
                       [self = this->shared_from_this(), out](boost::system::error_code ec, std::size_t) {
                           if (!ec && self->close_after_write_) {
                               self->drain_then_close();
                               return;
                           }
                           if (ec || !out->keep_alive()) {
                               self->close();
                               return;
                           }
                           self->read_request();
                       });
}

template <typename Stream>
void basic_http_session<Stream>::drain_then_close() {
    constexpr std::size_t max_drain = 1024 * 1024;
    if (drained_ == 0) {
        boost::system::error_code ignored;
        tcp().socket().shutdown(asio::ip::tcp::socket::shutdown_send, ignored);
        tcp().expires_after(closing_timeout);
    }
    tcp().async_read_some(asio::buffer(drain_buffer_),
                          [self = this->shared_from_this()](boost::system::error_code ec, std::size_t n) {
                              self->drained_ += n + 1;
                              if (ec || self->drained_ > max_drain) {
                                  self->close_socket();
                                  return;
                              }
                              self->drain_then_close();
                          });
}

template <typename Stream>
void basic_http_session<Stream>::close() {
    if constexpr (is_tls) {
        // close_notify, so the client knows the stream was not cut; a client that never answers it is
        // given a moment, then the socket closes anyway.
        tcp().expires_after(closing_timeout);
        stream_.async_shutdown(
            [self = this->shared_from_this()](boost::system::error_code) { self->close_socket(); });
    } else {
        close_socket();
    }
}

template <typename Stream>
void basic_http_session<Stream>::close_socket() {
    boost::system::error_code ignored;
    tcp().socket().shutdown(asio::ip::tcp::socket::shutdown_send, ignored);
    tcp().close();
}

template class basic_http_session<beast::tcp_stream>;
template class basic_http_session<beast::ssl_stream<beast::tcp_stream>>;
template basic_http_session<beast::tcp_stream>::basic_http_session(asio::ip::tcp::socket, gate_context&,
                                                                   asio::io_context::executor_type);
template basic_http_session<beast::ssl_stream<beast::tcp_stream>>::basic_http_session(
    asio::ip::tcp::socket, gate_context&, asio::io_context::executor_type, asio::ssl::context&);

} // namespace sluice::gate
