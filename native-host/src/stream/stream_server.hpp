#pragma once

#include "bundle/bundle_library.hpp"
#include "media/media_prober.hpp"
#include "stream/stream_router.hpp"
#include "torrent/torrent_engine.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>

#include <algorithm>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace sluice::stream {

class stream_session;

struct stream_options {
    std::uint16_t port = 0; // 0: any free port
    // The deadline window in front of the reader while a file's bitrate is not known.
    std::uint64_t read_ahead_bytes = 16 * 1024 * 1024;
    // Once it is (from the container's duration): this many seconds of it, within the bounds.
    std::uint64_t read_ahead_seconds = 30;
    std::uint64_t min_read_ahead_bytes = 4 * 1024 * 1024;
    std::uint64_t max_read_ahead_bytes = 64 * 1024 * 1024;
    // ffmpeg children (conversions and subtitle tracks) at once: each conversion can take a core.
    std::size_t max_media_children = 6;
};

// The localhost HTTP server that streams torrent files while they download (Boost.Beast, on the host's
// io_context). Binds 127.0.0.1 and, on the same port, ::1. Each request is checked by stream_router, then
// served by a stream_session straight from the file on disk (sendfile) as its pieces verify; a request for
// bytes not yet there sets piece deadlines and waits for piece_finished alerts relayed by the engine.
class stream_server {
public:
    stream_server(boost::asio::io_context& io, torrent::torrent_engine& engine, std::string token,
                  stream_options options, std::error_code& ec);
    ~stream_server();

    void start();
    void stop();

    std::uint16_t port() const { return router_.port(); }
    std::string base_url() const;
    std::string stream_url(std::string const& info_hash, int file_index, std::string const& path) const;
    // A file's stream URL from the torrent's own file list; nullopt when there is no such file (yet).
    std::optional<std::string> file_url(std::string const& info_hash, int file_index) const;
    // The file converted as a plan says (ffmpeg::plan_segment), and a subtitle track of it as WebVTT.
    std::string converted_url(std::string const& info_hash, int file_index, std::string const& plan) const;
    std::string subtitle_url(std::string const& info_hash, int file_index, int track) const;
    stream_router& router() { return router_; }
    torrent::torrent_engine& engine() { return engine_; }
    stream_options const& options() const { return options_; }
    boost::asio::io_context& io() { return io_; }
    // The threads unlocked items are decrypted on, beside the one that sends: decrypting costs more than
    // sending, so a run's chunks are split between them.
    boost::asio::thread_pool::executor_type decrypting() { return decrypting_.get_executor(); }
    int decrypting_threads() const { return decrypting_threads_; }

    // What media files hold (ffprobe), for conversions; without it /m/ and /v/ answer 404.
    void set_prober(media::media_prober& prober) { prober_ = &prober; }
    media::media_prober* prober() const { return prober_; }
    // A place for one more ffmpeg child, or false when max_media_children run.
    bool conversion_started();
    bool conversion_place_free() const { return media_children_ < options_.max_media_children; }
    void conversion_ended();

    // Whether a file may be served, and how (a bundle's locked items: never, or decrypted). Without a
    // policy every file is served as it is on disk.
    // A bundle's approved translation, by its torrent and the track's SHA-256 (hex): the WebVTT text, or
    // nothing when the torrent has no such translation (bundle::translation_shelf).
    using translation_source =
        std::function<std::optional<std::string>(std::string const& id, std::string const& sha256)>;
    void set_translation_source(translation_source source) { translation_source_ = std::move(source); }
    std::optional<std::string> translation(std::string const& id, std::string const& sha256) const {
        return translation_source_ ? translation_source_(id, sha256) : std::nullopt;
    }
    std::string translation_url(std::string const& info_hash, std::string const& sha256) const;

    using access_policy = std::function<bundle::file_access(std::string const& id, int file_index)>;
    void set_access_policy(access_policy policy) { access_policy_ = std::move(policy); }
    bundle::file_access access(std::string const& id, int file_index) const {
        return access_policy_ ? access_policy_(id, file_index) : bundle::file_access{};
    }

    // The read-ahead for a file: read_ahead_seconds of its bitrate once learn_duration() gave one, else the
    // default. Kept per file while the server runs (a player opens many requests on one file).
    std::uint64_t read_ahead_for(std::string const& id, int file_index) const;
    bool knows_read_ahead(std::string const& id, int file_index) const;
    // `seconds` nullopt: the container says nothing usable; the default stays, and is not asked for again.
    void learn_duration(std::string const& id, int file_index, std::uint64_t file_size,
                        std::optional<double> seconds);

    // Per torrent, how many times a reader starting where nothing was yet dropped every deadline so that its
    // own pieces went first (piece_waiter::extend_deadlines); the other readers then set theirs again.
    std::uint64_t deadline_epoch(std::string const& id) const;
    void next_deadline_epoch(std::string const& id) { ++deadline_epochs_[id]; }

    // Open connections; the owner stays alive while there are any.
    std::size_t active_connections() const { return connections_; }
    void on_idle(std::function<void()> callback) { on_idle_ = std::move(callback); }

    // Calls `ready(true)` once `piece` of torrent `id` can be read, or `ready(false)` if the torrent goes
    // away. Returns a ticket for cancel_wait (a reader that leaves before its piece arrives).
    std::uint64_t wait_for_piece(std::string const& id, int piece, std::function<void(bool)> ready);
    void cancel_wait(std::string const& id, int piece, std::uint64_t ticket);

    // Connection bookkeeping for stream_session.
    void connection_opened() { ++connections_; }
    void connection_closed();

    // Sessions may outlive the server in handlers the io_context still holds at shutdown; they check this
    // before touching the server or the torrent again.
    std::weak_ptr<void> alive_token() const { return alive_; }

private:
    void accept_next(std::size_t index);

    boost::asio::io_context& io_;
    torrent::torrent_engine& engine_;
    stream_options options_;
    stream_router router_;
    std::vector<std::unique_ptr<boost::asio::ip::tcp::acceptor>> acceptors_;
    std::vector<std::unique_ptr<boost::asio::steady_timer>> accept_pauses_; // one per acceptor
    std::map<std::pair<std::string, int>, std::vector<std::pair<std::uint64_t, std::function<void(bool)>>>>
        waiters_;
    std::uint64_t next_ticket_ = 1;
    torrent::piece_listener listener_;
    std::size_t connections_ = 0;
    std::function<void()> on_idle_;
    access_policy access_policy_;
    translation_source translation_source_;
    media::media_prober* prober_ = nullptr;
    std::size_t media_children_ = 0;
    std::map<std::pair<std::string, int>, std::uint64_t> read_ahead_; // learnt per file
    std::map<std::string, std::uint64_t> deadline_epochs_;
    bool stopped_ = false;
    bool accept_failing_ = false; // logged once when accepting starts failing, once when it works again
    int decrypting_threads_ = static_cast<int>(std::clamp(std::thread::hardware_concurrency(), 2u, 4u));
    boost::asio::thread_pool decrypting_{static_cast<std::size_t>(decrypting_threads_)};
    std::shared_ptr<int> alive_ = std::make_shared<int>(0);
};

} // namespace sluice::stream
