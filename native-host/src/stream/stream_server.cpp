#include "stream/stream_server.hpp"

#include "base/log.hpp"
#include "stream/stream_session.hpp"

#include <boost/asio/ip/v6_only.hpp>
#include <libtorrent/torrent_info.hpp>

#include <algorithm>

namespace sluice::stream {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

namespace {

std::unique_ptr<tcp::acceptor> listen_on(asio::io_context& io, tcp::endpoint const& endpoint,
                                         std::error_code& ec) {
    auto acceptor = std::make_unique<tcp::acceptor>(io);
    boost::system::error_code bec;
    acceptor->open(endpoint.protocol(), bec);
    if (!bec && endpoint.address().is_v6()) {
        acceptor->set_option(asio::ip::v6_only(true), bec);
    }
    if (!bec) {
        acceptor->set_option(asio::socket_base::reuse_address(true), bec);
    }
    if (!bec) {
        acceptor->bind(endpoint, bec);
    }
    if (!bec) {
        acceptor->listen(asio::socket_base::max_listen_connections, bec);
    }
    ec = bec;
    return bec ? nullptr : std::move(acceptor);
}

} // namespace

stream_server::stream_server(asio::io_context& io, torrent::torrent_engine& engine, std::string token,
                             stream_options options, std::error_code& ec)
    : io_(io), engine_(engine), options_(options), router_(std::move(token), 0) {
    // Loopback only: the address is fixed here, never configurable.
    auto v4 = listen_on(io, tcp::endpoint(asio::ip::make_address_v4("127.0.0.1"), options.port), ec);
    if (ec) {
        return;
    }
    auto const port = v4->local_endpoint().port();
    router_ = stream_router(router_.token(), port);
    acceptors_.push_back(std::move(v4));
    std::error_code v6_ec;
    auto v6 = listen_on(io, tcp::endpoint(asio::ip::make_address_v6("::1"), port), v6_ec);
    if (v6) {
        acceptors_.push_back(std::move(v6));
    } else {
        base::log::info("streams on 127.0.0.1 only (::1 unavailable: " + v6_ec.message() + ")");
    }
    listener_.on_piece = [this](std::string const& id, lt::piece_index_t piece) {
        auto const it = waiters_.find({id, static_cast<int>(piece)});
        if (it == waiters_.end()) {
            return;
        }
        auto ready = std::move(it->second);
        waiters_.erase(it);
        for (auto& [ticket, r] : ready) {
            r(true);
        }
    };
    listener_.on_removed = [this](std::string const& id) {
        for (auto it = waiters_.begin(); it != waiters_.end();) {
            if (it->first.first == id) {
                auto ready = std::move(it->second);
                it = waiters_.erase(it);
                for (auto& [ticket, r] : ready) {
                    r(false);
                }
            } else {
                ++it;
            }
        }
    };
    engine_.add_piece_listener(&listener_);
}

stream_server::~stream_server() {
    engine_.remove_piece_listener(&listener_);
    stop();
}

void stream_server::start() {
    for (std::size_t i = 0; i < acceptors_.size(); ++i) {
        accept_pauses_.push_back(std::make_unique<asio::steady_timer>(io_));
        accept_next(i);
    }
    base::log::info("streaming on " + base_url());
}

void stream_server::stop() {
    stopped_ = true;
    for (auto& a : acceptors_) {
        boost::system::error_code ignored;
        a->close(ignored);
    }
    for (auto& pause : accept_pauses_) {
        pause->cancel();
    }
    waiters_.clear();
}

std::string stream_server::base_url() const {
    return "http://127.0.0.1:" + std::to_string(port()) + "/s/" + router_.token() + "/";
}

std::string stream_server::stream_url(std::string const& info_hash, int file_index,
                                      std::string const& path) const {
    auto const slash = path.find_last_of('/');
    auto name = slash == std::string::npos ? path : path.substr(slash + 1);
    // The name is decoration for players that look at extensions; keep it to URL-safe characters.
    for (auto& c : name) {
        auto const u = static_cast<unsigned char>(c);
        if (!(std::isalnum(u) || c == '.' || c == '-' || c == '_')) {
            c = '_';
        }
    }
    return base_url() + info_hash + "/" + std::to_string(file_index) + "/" + name;
}

std::optional<std::string> stream_server::file_url(std::string const& info_hash, int file_index) const {
    auto const handle = engine_.find(info_hash);
    auto const ti = handle ? handle->torrent_file() : nullptr;
    if (!ti || file_index < 0 || file_index >= ti->num_files() ||
        ti->files().pad_file_at(lt::file_index_t(file_index))) {
        return std::nullopt;
    }
    return stream_url(info_hash, file_index, ti->files().file_path(lt::file_index_t(file_index)));
}

std::string stream_server::converted_url(std::string const& info_hash, int file_index,
                                         std::string const& plan) const {
    return "http://127.0.0.1:" + std::to_string(port()) + "/m/" + router_.token() + "/" + info_hash + "/" +
           std::to_string(file_index) + "/" + plan;
}

std::string stream_server::translation_url(std::string const& info_hash, std::string const& sha256) const {
    return "http://127.0.0.1:" + std::to_string(port()) + "/t/" + router_.token() + "/" + info_hash + "/" +
           sha256 + ".vtt";
}

std::string stream_server::subtitle_url(std::string const& info_hash, int file_index, int track) const {
    return "http://127.0.0.1:" + std::to_string(port()) + "/v/" + router_.token() + "/" + info_hash + "/" +
           std::to_string(file_index) + "/" + std::to_string(track) + ".vtt";
}

bool stream_server::conversion_started() {
    if (media_children_ >= options_.max_media_children) {
        return false;
    }
    ++media_children_;
    return true;
}

void stream_server::conversion_ended() {
    if (media_children_ > 0) {
        --media_children_;
    }
}

std::uint64_t stream_server::wait_for_piece(std::string const& id, int piece,
                                            std::function<void(bool)> ready) {
    auto const ticket = next_ticket_++;
    waiters_[{id, piece}].emplace_back(ticket, std::move(ready));
    return ticket;
}

void stream_server::cancel_wait(std::string const& id, int piece, std::uint64_t ticket) {
    auto const it = waiters_.find({id, piece});
    if (it == waiters_.end()) {
        return;
    }
    std::erase_if(it->second, [ticket](auto const& w) { return w.first == ticket; });
    if (it->second.empty()) {
        waiters_.erase(it);
    }
}

void stream_server::connection_closed() {
    if (connections_ > 0 && --connections_ == 0 && on_idle_) {
        asio::post(io_, [this] {
            if (connections_ == 0 && on_idle_) {
                on_idle_();
            }
        });
    }
}

void stream_server::accept_next(std::size_t index) {
    acceptors_[index]->async_accept([this, index](boost::system::error_code ec, tcp::socket socket) {
        if (stopped_ || ec == asio::error::operation_aborted) {
            return;
        }
        if (ec) {
            // Out of descriptors (EMFILE, ENFILE), most likely: the waiting connection keeps the socket
            // readable, so accepting again at once would spin a core until one closes. A pause lets open
            // connections finish (or time out) first.
            if (!accept_failing_) {
                base::log::warning("cannot accept stream connections: " + ec.message() +
                                   "; trying again every 100 ms");
                accept_failing_ = true;
            }
            auto& pause = *accept_pauses_[index];
            pause.expires_after(std::chrono::milliseconds(100));
            pause.async_wait(
                [this, index, alive = std::weak_ptr<void>(alive_)](boost::system::error_code timer_ec) {
                    if (!timer_ec && alive.lock() && !stopped_) {
                        accept_next(index);
                    }
                });
            return;
        }
        if (accept_failing_) {
            base::log::info("stream connections are accepted again");
            accept_failing_ = false;
        }
        std::make_shared<stream_session>(std::move(socket), *this)->start();
        accept_next(index);
    });
}

std::uint64_t stream_server::read_ahead_for(std::string const& id, int file_index) const {
    auto const it = read_ahead_.find({id, file_index});
    return it == read_ahead_.end() ? options_.read_ahead_bytes : it->second;
}

std::uint64_t stream_server::deadline_epoch(std::string const& id) const {
    auto const it = deadline_epochs_.find(id);
    return it == deadline_epochs_.end() ? 0 : it->second;
}

bool stream_server::knows_read_ahead(std::string const& id, int file_index) const {
    return read_ahead_.count({id, file_index}) != 0;
}

void stream_server::learn_duration(std::string const& id, int file_index, std::uint64_t file_size,
                                   std::optional<double> seconds) {
    auto window = options_.read_ahead_bytes;
    if (seconds) {
        auto const bytes_per_second = static_cast<double>(file_size) / *seconds;
        window = std::clamp(
            static_cast<std::uint64_t>(bytes_per_second * static_cast<double>(options_.read_ahead_seconds)),
            options_.min_read_ahead_bytes, options_.max_read_ahead_bytes);
        base::log::debug("torrent " + id + " file " + std::to_string(file_index) + ": " +
                         std::to_string(static_cast<long long>(*seconds)) + " s long, " +
                         std::to_string(static_cast<long long>(bytes_per_second * 8 / 1000)) +
                         " kbit/s: read-ahead " + std::to_string(window / 1024) + " KiB");
    }
    read_ahead_[{id, file_index}] = window;
}

} // namespace sluice::stream
