#include "torrent_fetcher.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

namespace sluice::torrent {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using tcp = asio::ip::tcp;

namespace {

struct parsed_url {
    bool tls = false;
    std::string host;
    std::string port;
    std::string target;
};

bool parse_url(std::string const& url, parsed_url& out) {
    std::string rest;
    if (url.rfind("http://", 0) == 0) {
        rest = url.substr(7);
        out.port = "80";
    } else if (url.rfind("https://", 0) == 0) {
        rest = url.substr(8);
        out.tls = true;
        out.port = "443";
    } else {
        return false;
    }
    auto const slash = rest.find('/');
    auto authority = rest.substr(0, slash);
    out.target = slash == std::string::npos ? "/" : rest.substr(slash);
    if (authority.empty() || authority.find('@') != std::string::npos) {
        return false;
    }
    if (authority.front() == '[') {
        auto const close = authority.find(']');
        if (close == std::string::npos) {
            return false;
        }
        out.host = authority.substr(1, close - 1);
        if (close + 1 < authority.size() && authority[close + 1] == ':') {
            out.port = authority.substr(close + 2);
        }
    } else if (auto const colon = authority.rfind(':'); colon != std::string::npos) {
        out.host = authority.substr(0, colon);
        out.port = authority.substr(colon + 1);
    } else {
        out.host = authority;
    }
    return !out.host.empty() && !out.port.empty();
}

fetch_result failure(std::string detail) {
    fetch_result r;
    r.error = protocol::rpc_error::make(protocol::error_code::fetch_failed, std::move(detail));
    return r;
}

// One GET over any stream (plain TCP or TLS); owns itself through shared_from_this.
template <typename Stream>
class fetch_operation : public std::enable_shared_from_this<fetch_operation<Stream>> {
public:
    fetch_operation(Stream stream, parsed_url url, std::size_t max_bytes,
                    std::function<void(fetch_result)> done)
        : stream_(std::move(stream)), url_(std::move(url)), done_(std::move(done)), max_bytes_(max_bytes) {
        parser_.body_limit(max_bytes);
        parser_.header_limit(64 * 1024);
    }

    void run(tcp::resolver::results_type const& endpoints) {
        beast::get_lowest_layer(stream_).expires_after(std::chrono::seconds(30));
        beast::get_lowest_layer(stream_).async_connect(
            endpoints, [self = this->shared_from_this()](beast::error_code ec, tcp::endpoint const&) {
                if (ec) {
                    return self->finish(
                        failure("could not connect to " + self->url_.host + ": " + ec.message()));
                }
                self->handshake();
            });
    }

private:
    void handshake() {
        if constexpr (std::is_same_v<Stream, beast::tcp_stream>) {
            send();
        } else {
            stream_.async_handshake(
                asio::ssl::stream_base::client, [self = this->shared_from_this()](beast::error_code ec) {
                    if (ec) {
                        return self->finish(
                            failure("TLS handshake with " + self->url_.host + " failed: " + ec.message()));
                    }
                    self->send();
                });
        }
    }

    void send() {
        request_ = {bhttp::verb::get, url_.target, 11};
        request_.set(bhttp::field::host, url_.host);
        request_.set(bhttp::field::user_agent, "Sluice/" SLUICE_VERSION);
        request_.set(bhttp::field::accept, "application/x-bittorrent");
        bhttp::async_write(
            stream_, request_, [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
                if (ec) {
                    return self->finish(failure("could not send the request: " + ec.message()));
                }
                // The header first: a declared length over the cap is refused before the body is read.
                bhttp::async_read_header(
                    self->stream_, self->buffer_, self->parser_,
                    [self](beast::error_code read_ec, std::size_t) { self->on_header(read_ec); });
            });
    }

    void on_header(beast::error_code ec) {
        if (ec) {
            return finish(failure("reading the answer failed: " + ec.message()));
        }
        if (auto const length = parser_.content_length(); length && *length > max_bytes_) {
            return finish(
                failure("the .torrent is larger than the limit (" + std::to_string(*length) + " bytes)"));
        }
        bhttp::async_read(stream_, buffer_, parser_,
                          [self = this->shared_from_this()](beast::error_code read_ec, std::size_t) {
                              self->on_read(read_ec);
                          });
    }

    void on_read(beast::error_code ec) {
        if (ec == bhttp::error::body_limit) {
            return finish(failure("the .torrent is larger than the limit"));
        }
        if (ec) {
            return finish(failure("reading the answer failed: " + ec.message()));
        }
        auto& res = parser_.get();
        if (res.result() != bhttp::status::ok) {
            return finish(failure("the server answered " + std::to_string(res.result_int())));
        }
        if (res.body().size() > max_bytes_) {
            return finish(failure("the .torrent is larger than the limit"));
        }
        fetch_result r;
        r.ok = true;
        r.body = std::move(res.body());
        finish(std::move(r));
    }

    void finish(fetch_result r) {
        if (done_) {
            auto done = std::move(done_);
            done_ = nullptr;
            done(std::move(r));
        }
    }

    Stream stream_;
    parsed_url url_;
    std::function<void(fetch_result)> done_;
    std::size_t max_bytes_;
    beast::flat_buffer buffer_;
    bhttp::request<bhttp::empty_body> request_;
    bhttp::response_parser<bhttp::string_body> parser_;
};

} // namespace

void fetch_torrent(asio::io_context& io, std::string const& url, std::size_t max_bytes,
                   std::function<void(fetch_result)> done) {
    parsed_url parsed;
    if (!parse_url(url, parsed)) {
        done(failure("not a URL Sluice can fetch"));
        return;
    }
    auto resolver = std::make_shared<tcp::resolver>(io);
    resolver->async_resolve(parsed.host, parsed.port,
                            [&io, resolver, parsed, max_bytes, done = std::move(done)](
                                beast::error_code ec, tcp::resolver::results_type results) mutable {
                                if (ec) {
                                    done(failure("could not resolve " + parsed.host + ": " + ec.message()));
                                    return;
                                }
                                if (!parsed.tls) {
                                    std::make_shared<fetch_operation<beast::tcp_stream>>(
                                        beast::tcp_stream(io), parsed, max_bytes, std::move(done))
                                        ->run(results);
                                    return;
                                }
                                // The context lives as long as the operation: shared and captured by nothing
                                // else.
                                static asio::ssl::context tls_context = [] {
                                    asio::ssl::context ctx(asio::ssl::context::tls_client);
                                    ctx.set_default_verify_paths();
                                    ctx.set_verify_mode(asio::ssl::verify_peer);
                                    return ctx;
                                }();
                                beast::ssl_stream<beast::tcp_stream> stream(io, tls_context);
                                SSL_set_tlsext_host_name(stream.native_handle(), parsed.host.c_str());
                                stream.set_verify_callback(asio::ssl::host_name_verification(parsed.host));
                                std::make_shared<fetch_operation<beast::ssl_stream<beast::tcp_stream>>>(
                                    std::move(stream), parsed, max_bytes, std::move(done))
                                    ->run(results);
                            });
}

} // namespace sluice::torrent
