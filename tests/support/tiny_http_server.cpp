#include "tiny_http_server.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <algorithm>
#include <functional>

namespace sluice::testing {

namespace asio = boost::asio;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;

struct tiny_http_server::impl {
    asio::io_context io;
    tcp::acceptor acceptor{io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)};
    std::string body;
    std::string content_type;
    int status = 200;

    void accept(std::atomic<int>& requests, std::function<void(std::string)> const& seen) {
        acceptor.async_accept([this, &requests, &seen](boost::system::error_code ec, tcp::socket socket) {
            if (ec) {
                return;
            }
            boost::beast::flat_buffer buffer;
            bhttp::request<bhttp::string_body> req;
            boost::system::error_code read_ec;
            bhttp::read(socket, buffer, req, read_ec);
            if (!read_ec) {
                seen(std::string(req.target()));
                ++requests;
                bhttp::response<bhttp::string_body> res{static_cast<bhttp::status>(status), 11};
                res.set(bhttp::field::content_type, content_type);
                res.body() = body;
                res.prepare_payload();
                res.keep_alive(false);
                bhttp::write(socket, res, read_ec);
            }
            accept(requests, seen);
        });
    }
};

tiny_http_server::tiny_http_server(std::string body, std::string content_type, int status)
    : impl_(std::make_unique<impl>()) {
    impl_->body = std::move(body);
    impl_->content_type = std::move(content_type);
    impl_->status = status;
    port_ = impl_->acceptor.local_endpoint().port();
    impl_->accept(requests_, seen_);
    thread_ = std::thread([this] { impl_->io.run(); });
}

tiny_http_server::~tiny_http_server() {
    impl_->io.stop();
    thread_.join();
}

int tiny_http_server::requests(std::string const& part) const {
    std::lock_guard const lock(targets_mutex_);
    return static_cast<int>(std::count_if(targets_.begin(), targets_.end(), [&](std::string const& t) {
        return t.find(part) != std::string::npos;
    }));
}

} // namespace sluice::testing
