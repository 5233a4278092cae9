#include "http_session.hpp"

#include "api_error.hpp"
#include "request_body.hpp"
#include "router.hpp"

#include <boost/asio/dispatch.hpp>
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
constexpr std::uint32_t max_header_bytes = 8 * 1024;

} // namespace

http_session::http_session(asio::ip::tcp::socket socket, gate_context& ctx)
    : stream_(std::move(socket)), ctx_(ctx) {
    boost::system::error_code ec;
    auto const remote = stream_.socket().remote_endpoint(ec);
    client_ip_ = ec ? "unknown" : remote.address().to_string();
}

void http_session::start() {
    asio::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->read_request(); });
}

void http_session::read_request() {
    parser_.emplace();
    parser_->header_limit(max_header_bytes);
    parser_->body_limit(max_request_body_bytes);
    stream_.expires_after(idle_timeout);
    bhttp::async_read(
        stream_, buffer_, *parser_,
        [self = shared_from_this()](boost::system::error_code ec, std::size_t) { self->on_read(ec); });
}

void http_session::on_read(boost::system::error_code ec) {
    if (ec == bhttp::error::body_limit) {
        close_after_write_ = true;
        send(error_response(413, error_code::body_too_large, "the request body is larger than 65536 bytes"),
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
        if (ec != bhttp::error::end_of_stream && ec != asio::error::operation_aborted &&
            ec != beast::error::timeout && ec != asio::error::connection_reset && ec != asio::error::eof) {
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
    req.client_ip = client_ip_;
    for (auto const& field : msg) {
        std::string name(field.name_string());
        std::transform(name.begin(), name.end(), name.begin(),
                       [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
        req.headers.emplace_back(std::move(name), std::string(field.value()));
    }
    send(handle_request(ctx_, req), msg.keep_alive());
}

void http_session::send(gate_response const& res, bool keep_alive) {
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
    stream_.expires_after(idle_timeout);
    bhttp::async_write(stream_, *out,
                       [self = shared_from_this(), out](boost::system::error_code ec, std::size_t) {
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

void http_session::drain_then_close() {
    constexpr std::size_t max_drain = 1024 * 1024;
    if (drained_ == 0) {
        boost::system::error_code ignored;
        stream_.socket().shutdown(asio::ip::tcp::socket::shutdown_send, ignored);
        stream_.expires_after(std::chrono::seconds(2));
    }
    stream_.async_read_some(asio::buffer(drain_buffer_),
                            [self = shared_from_this()](boost::system::error_code ec, std::size_t n) {
                                self->drained_ += n + 1;
                                if (ec || self->drained_ > max_drain) {
                                    self->close();
                                    return;
                                }
                                self->drain_then_close();
                            });
}

void http_session::close() {
    boost::system::error_code ignored;
    stream_.socket().shutdown(asio::ip::tcp::socket::shutdown_send, ignored);
    stream_.close();
}

} // namespace sluice::gate
