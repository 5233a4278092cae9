#include "keepalive_connection.hpp"

#include <boost/asio/error.hpp>
#include <boost/beast/http.hpp>

namespace sluice::testing {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using namespace std::chrono_literals;

std::optional<reply> keepalive_connection::exchange(std::string const& method, std::string const& target,
                                                    std::string const& body, headers_t const& headers,
                                                    beast::error_code& ec) {
    auto req = make_request(port_, method, target, body, headers);
    req.keep_alive(true);
    bhttp::response_parser<bhttp::string_body> parser;
    parser.body_limit(1024 * 1024);
    ec = asio::error::timed_out;
    bool const fresh = !stream_;
    if (fresh) {
        stream_.emplace(io_);
        buffer_.clear();
    }
    auto const write_and_read = [&] {
        bhttp::async_write(*stream_, req, [&](beast::error_code write_ec, std::size_t) {
            if (write_ec) {
                ec = write_ec;
                return;
            }
            bhttp::async_read(*stream_, buffer_, parser,
                              [&](beast::error_code read_ec, std::size_t) { ec = read_ec; });
        });
    };
    stream_->expires_after(25s);
    if (fresh) {
        stream_->async_connect(loopback(port_), [&](beast::error_code connect_ec) {
            if (connect_ec) {
                ec = connect_ec;
                return;
            }
            write_and_read();
        });
    } else {
        write_and_read();
    }
    io_.restart();
    io_.run_for(30s);
    if (!io_.stopped()) {
        // A backstop only (the stream's own timer fires first): cancel, and let the handlers, which refer
        // to this frame, finish before it is left.
        stream_->close();
        io_.run();
        ec = asio::error::timed_out;
    }
    if (ec) {
        stream_.reset();
        return std::nullopt;
    }
    auto out = to_reply(parser.get());
    if (!parser.get().keep_alive()) {
        stream_.reset();
    }
    return out;
}

} // namespace sluice::testing
