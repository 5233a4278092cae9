#include "http_client.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace sluice::testing {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;

http_reply http_request(int port, std::string const& method, std::string const& target,
                        std::vector<std::pair<std::string, std::string>> const& headers,
                        std::chrono::seconds timeout) {
    // Asynchronous operations run for at most `timeout`: a server that never answers fails the test
    // instead of hanging it (Beast's stream timeouts apply to asynchronous operations only).
    asio::io_context io;
    beast::tcp_stream stream(io);
    bhttp::request<bhttp::empty_body> req;
    req.method_string(method);
    req.target(target);
    req.version(11);
    for (auto const& [name, value] : headers) {
        req.set(name, value);
    }
    req.set(bhttp::field::connection, "close");
    beast::flat_buffer buffer;
    bhttp::response_parser<bhttp::string_body> parser;
    parser.body_limit(4ull * 1024 * 1024 * 1024);
    if (method == "HEAD") {
        parser.skip(true);
    }
    beast::error_code result = asio::error::timed_out;
    stream.expires_after(timeout);
    stream.async_connect(
        asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), static_cast<unsigned short>(port)),
        [&](beast::error_code ec) {
            if (ec) {
                result = ec;
                return;
            }
            bhttp::async_write(stream, req, [&](beast::error_code write_ec, std::size_t) {
                if (write_ec) {
                    result = write_ec;
                    return;
                }
                bhttp::async_read(stream, buffer, parser,
                                  [&](beast::error_code read_ec, std::size_t) { result = read_ec; });
            });
        });
    io.run_for(timeout + std::chrono::seconds(1));
    bool const cut_short = result == bhttp::error::partial_message && parser.is_header_done();
    if (result && !cut_short) {
        throw std::runtime_error("HTTP " + method + " " + target.substr(0, 80) + ": " + result.message());
    }
    auto const& res = parser.get();
    http_reply out;
    out.status = res.result_int();
    for (auto const& field : res) {
        std::string name(field.name_string());
        std::transform(name.begin(), name.end(), name.begin(),
                       [](unsigned char c) { return std::tolower(c); });
        out.headers[name] = std::string(field.value());
    }
    out.body = res.body();
    out.complete = !cut_short;
    return out;
}

http_reply http_get(int port, std::string const& target,
                    std::vector<std::pair<std::string, std::string>> extra) {
    extra.insert(extra.begin(), {"Host", "127.0.0.1:" + std::to_string(port)});
    return http_request(port, "GET", target, extra);
}

std::pair<int, std::string> split_url(std::string const& url) {
    auto const rest = url.substr(std::string("http://127.0.0.1:").size());
    auto const slash = rest.find('/');
    return {std::stoi(rest.substr(0, slash)), rest.substr(slash)};
}

} // namespace sluice::testing
