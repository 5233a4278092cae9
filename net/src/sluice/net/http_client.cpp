#include <sluice/net/http_client.hpp>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

namespace sluice::net {

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

using failure_kind = incoming_response::failure;

incoming_response failure(failure_kind what, std::string detail) {
    incoming_response r;
    r.what = what;
    r.error = std::move(detail);
    return r;
}

std::string seconds_text(std::chrono::seconds s) {
    return std::to_string(s.count()) + (s.count() == 1 ? " second" : " seconds");
}

// One exchange over any stream (plain TCP or TLS); owns itself through shared_from_this.
template <typename Stream>
class exchange : public std::enable_shared_from_this<exchange<Stream>> {
public:
    exchange(Stream stream, parsed_url url, outgoing_request request,
             std::chrono::steady_clock::time_point deadline, std::function<void(incoming_response)> done)
        : stream_(std::move(stream)), url_(std::move(url)), request_(std::move(request)), deadline_(deadline),
          done_(std::move(done)) {
        parser_.body_limit(request_.max_response_bytes);
        parser_.header_limit(64 * 1024);
    }

    void run(tcp::resolver::results_type const& endpoints) {
        // An absolute time, set once: the stream's timer is never pushed back by progress, so a server that
        // sends a byte a second cannot stretch the exchange past it (a per-read timeout would never fire).
        beast::get_lowest_layer(stream_).expires_at(deadline_);
        beast::get_lowest_layer(stream_).async_connect(
            endpoints, [self = this->shared_from_this()](beast::error_code ec, tcp::endpoint const&) {
                if (ec == beast::error::timeout) {
                    return self->finish(self->timed_out());
                }
                if (ec) {
                    return self->finish(
                        failure(failure_kind::connect,
                                "could not connect to " + self->url_.host + ": " + ec.message()));
                }
                self->handshake();
            });
    }

private:
    void handshake() {
        if constexpr (std::is_same_v<Stream, beast::tcp_stream>) {
            send();
        } else {
            stream_.async_handshake(asio::ssl::stream_base::client, [self = this->shared_from_this()](
                                                                        beast::error_code ec) {
                if (ec == beast::error::timeout) {
                    return self->finish(self->timed_out());
                }
                if (ec) {
                    return self->finish(failure(failure_kind::tls, "TLS handshake with " + self->url_.host +
                                                                       " failed: " + ec.message()));
                }
                self->send();
            });
        }
    }

    void send() {
        message_ = {request_.method == "POST" ? bhttp::verb::post : bhttp::verb::get, url_.target, 11};
        message_.set(bhttp::field::host, url_.host);
        message_.set(bhttp::field::user_agent, "Sluice/" SLUICE_VERSION);
        if (!request_.accept.empty()) {
            message_.set(bhttp::field::accept, request_.accept);
        }
        for (auto const& [name, value] : request_.headers) {
            message_.set(name, value);
        }
        if (request_.method == "POST") {
            message_.set(bhttp::field::content_type, request_.content_type);
            message_.body() = request_.body;
        }
        message_.prepare_payload();
        bhttp::async_write(
            stream_, message_, [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
                if (ec == beast::error::timeout) {
                    return self->finish(self->timed_out());
                }
                if (ec) {
                    return self->finish(
                        failure(failure_kind::send, "could not send the request: " + ec.message()));
                }
                // The header first: a declared length over the cap is refused before the body is read.
                bhttp::async_read_header(
                    self->stream_, self->buffer_, self->parser_,
                    [self](beast::error_code read_ec, std::size_t) { self->on_header(read_ec); });
            });
    }

    void on_header(beast::error_code ec) {
        if (ec) {
            return finish(read_failure(ec));
        }
        if (auto const length = parser_.content_length(); length && *length > request_.max_response_bytes) {
            return finish(failure(failure_kind::too_large, "the answer is larger than the limit (" +
                                                               std::to_string(*length) + " bytes)"));
        }
        bhttp::async_read(stream_, buffer_, parser_,
                          [self = this->shared_from_this()](beast::error_code read_ec, std::size_t) {
                              self->on_read(read_ec);
                          });
    }

    void on_read(beast::error_code ec) {
        if (ec) {
            return finish(read_failure(ec));
        }
        auto& res = parser_.get();
        if (res.body().size() > request_.max_response_bytes) {
            return finish(failure(failure_kind::too_large, "the answer is larger than the limit"));
        }
        incoming_response r;
        r.ok = true;
        r.status = static_cast<int>(res.result_int());
        r.body = std::move(res.body());
        if (auto const location = res.find(bhttp::field::location); location != res.end()) {
            r.location = std::string(location->value().substr(0, 300));
        }
        finish(std::move(r));
    }

    incoming_response read_failure(beast::error_code ec) const {
        // Beast reports a declared Content-Length over the body limit while reading the header already.
        if (ec == bhttp::error::body_limit) {
            return failure(failure_kind::too_large, "the answer is larger than the limit");
        }
        if (ec == beast::error::timeout) {
            return timed_out();
        }
        if (ec == bhttp::error::partial_message || ec == bhttp::error::end_of_stream ||
            ec == asio::error::eof || ec == asio::error::connection_reset) {
            return failure(failure_kind::closed_early,
                           "the server closed the connection before its answer was complete");
        }
        return failure(failure_kind::read, "reading the answer failed: " + ec.message());
    }

    incoming_response timed_out() const {
        return failure(failure_kind::timeout, "no complete answer within " + seconds_text(request_.timeout));
    }

    void finish(incoming_response r) {
        if (done_) {
            auto done = std::move(done_);
            done_ = nullptr;
            done(std::move(r));
        }
    }

    Stream stream_;
    parsed_url url_;
    outgoing_request request_;
    std::chrono::steady_clock::time_point deadline_;
    std::function<void(incoming_response)> done_;
    beast::flat_buffer buffer_;
    bhttp::request<bhttp::string_body> message_;
    bhttp::response_parser<bhttp::string_body> parser_;
};

asio::ssl::context& tls_context() {
    static asio::ssl::context context = [] {
        asio::ssl::context ctx(asio::ssl::context::tls_client);
        ctx.set_default_verify_paths();
        ctx.set_verify_mode(asio::ssl::verify_peer);
        return ctx;
    }();
    return context;
}

} // namespace

void send_request(asio::io_context& io, outgoing_request request,
                  std::function<void(incoming_response)> done) {
    parsed_url parsed;
    if (!parse_url(request.url, parsed)) {
        done(failure(failure_kind::bad_url, "not an http:// or https:// URL"));
        return;
    }
    // The deadline starts before the name is resolved: a resolver that hangs counts against it too.
    auto const deadline = std::chrono::steady_clock::now() + request.timeout;
    auto resolver = std::make_shared<tcp::resolver>(io);
    auto resolve_timer = std::make_shared<asio::steady_timer>(io, deadline);
    resolve_timer->async_wait([resolver](boost::system::error_code ec) {
        if (!ec) {
            resolver->cancel();
        }
    });
    resolver->async_resolve(
        parsed.host, parsed.port,
        [&io, resolver, resolve_timer, deadline, parsed, request = std::move(request),
         done = std::move(done)](beast::error_code ec, tcp::resolver::results_type results) mutable {
            resolve_timer->cancel();
            if (ec == asio::error::operation_aborted) {
                done(failure(failure_kind::timeout, "could not resolve " + parsed.host + " within " +
                                                        seconds_text(request.timeout)));
                return;
            }
            if (ec) {
                done(
                    failure(failure_kind::resolve, "could not resolve " + parsed.host + ": " + ec.message()));
                return;
            }
            if (!parsed.tls) {
                std::make_shared<exchange<beast::tcp_stream>>(beast::tcp_stream(io), parsed,
                                                              std::move(request), deadline, std::move(done))
                    ->run(results);
                return;
            }
            beast::ssl_stream<beast::tcp_stream> stream(io, tls_context());
            SSL_set_tlsext_host_name(stream.native_handle(), parsed.host.c_str());
            stream.set_verify_callback(asio::ssl::host_name_verification(parsed.host));
            std::make_shared<exchange<beast::ssl_stream<beast::tcp_stream>>>(
                std::move(stream), parsed, std::move(request), deadline, std::move(done))
                ->run(results);
        });
}

} // namespace sluice::net
