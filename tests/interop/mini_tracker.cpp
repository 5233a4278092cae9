#include "mini_tracker.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <chrono>
#include <mutex>
#include <set>
#include <string_view>
#include <thread>

namespace sluice::testing {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using tcp = asio::ip::tcp;

namespace {

// The value of `key` in a query string, still percent-encoded (only numbers and words are read here).
std::string query_value(std::string_view target, std::string const& key) {
    auto const q = target.find('?');
    if (q == std::string_view::npos) {
        return {};
    }
    std::string_view rest = target.substr(q + 1);
    while (!rest.empty()) {
        auto const amp = rest.find('&');
        auto const pair = rest.substr(0, amp);
        if (pair.size() > key.size() && pair.substr(0, key.size()) == key && pair[key.size()] == '=') {
            return std::string(pair.substr(key.size() + 1));
        }
        rest = amp == std::string_view::npos ? std::string_view() : rest.substr(amp + 1);
    }
    return {};
}

std::string compact(std::string const& ipv4, int port) {
    auto const bytes = asio::ip::make_address_v4(ipv4).to_bytes();
    std::string out(bytes.begin(), bytes.end());
    out += static_cast<char>((port >> 8) & 0xFF);
    out += static_cast<char>(port & 0xFF);
    return out;
}

} // namespace

// Handlers hold a plain pointer to the state: the io_context they are queued in is part of it, and the
// tracker stops and joins that before the state goes.
struct mini_tracker::state {
    asio::io_context io;
    tcp::acceptor acceptor{io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)};
    int port = 0;
    std::thread thread;
    mutable std::mutex mutex;
    std::set<std::pair<std::string, int>> fixed;
    std::set<std::pair<std::string, int>> announced;
    std::string log;

    void accept() {
        acceptor.async_accept([this](beast::error_code ec, tcp::socket socket) {
            if (ec) {
                return; // closed: the tracker is shutting down
            }
            serve(std::move(socket));
            accept();
        });
    }

    void serve(tcp::socket socket) {
        struct exchange {
            beast::tcp_stream stream;
            beast::flat_buffer buffer;
            bhttp::request<bhttp::empty_body> request;
            bhttp::response<bhttp::string_body> response;
            explicit exchange(tcp::socket s) : stream(std::move(s)) {}
        };
        auto ex = std::make_shared<exchange>(std::move(socket));
        // A client that connects and then says nothing is dropped, not kept open for the rest of the test.
        ex->stream.expires_after(std::chrono::seconds(10));
        bhttp::async_read(ex->stream, ex->buffer, ex->request, [this, ex](beast::error_code ec, std::size_t) {
            if (ec) {
                return;
            }
            ex->response = answer(ex->request, ex->stream.socket());
            ex->response.prepare_payload();
            bhttp::async_write(ex->stream, ex->response, [ex](beast::error_code, std::size_t) {
                beast::error_code ignored;
                ex->stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
            });
        });
    }

    bhttp::response<bhttp::string_body> answer(bhttp::request<bhttp::empty_body> const& request,
                                               tcp::socket const& socket) {
        std::string_view const target(request.target().data(), request.target().size());
        std::lock_guard lock(mutex);
        log += std::string(target.substr(0, 300)) + "\n";
        bhttp::response<bhttp::string_body> res(bhttp::status::ok, request.version());
        res.set(bhttp::field::content_type, "text/plain");
        res.keep_alive(false);
        if (target.starts_with("/scrape")) {
            res.body() = "d5:filesdee"; // no statistics: clients only log a failed scrape, but it is noise
            return res;
        }
        auto const port_text = query_value(target, "port");
        int port = 0;
        try {
            port = std::stoi(port_text);
        } catch (std::exception const&) {
            res.body() = "d14:failure reason12:port missinge";
            return res;
        }
        beast::error_code ec;
        auto const remote = socket.remote_endpoint(ec);
        std::pair<std::string, int> const self_peer{remote.address().to_string(), port};
        if (query_value(target, "event") == "stopped") {
            announced.erase(self_peer);
        } else if (!ec && remote.address().is_v4()) {
            announced.insert(self_peer);
        }
        std::set<std::pair<std::string, int>> peers = fixed;
        peers.insert(announced.begin(), announced.end());
        peers.erase(self_peer);
        std::string list;
        for (auto const& [ip, p] : peers) {
            list += compact(ip, p);
        }
        // A short interval: a client whose first connection failed asks again soon.
        res.body() = "d8:completei" + std::to_string(peers.size()) +
                     "e10:incompletei0e8:intervali5e12:min intervali2e5:peers" + std::to_string(list.size()) +
                     ":" + list + "e";
        return res;
    }
};

mini_tracker::mini_tracker() : state_(std::make_unique<state>()) {
    state_->port = state_->acceptor.local_endpoint().port();
    state_->accept();
    state_->thread = std::thread([s = state_.get()] { s->io.run(); });
}

mini_tracker::~mini_tracker() {
    // Exchanges still in flight are dropped with the io_context; nobody waits for a tracker at teardown.
    state_->io.stop();
    state_->thread.join();
    beast::error_code ignored;
    state_->acceptor.close(ignored);
}

std::string mini_tracker::announce_url() const {
    return "http://127.0.0.1:" + std::to_string(state_->port) + "/announce";
}

void mini_tracker::add_peer(std::string const& ipv4, int port) {
    std::lock_guard lock(state_->mutex);
    state_->fixed.insert({ipv4, port});
}

std::string mini_tracker::announces() const {
    std::lock_guard lock(state_->mutex);
    return state_->log.empty() ? "(no announce)\n" : state_->log;
}

} // namespace sluice::testing
