#pragma once

#include "torrent/session_config.hpp"

#include <boost/asio/io_context.hpp>

#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <system_error>

namespace libtorrent {
class session;
struct alert;
} // namespace libtorrent

namespace sluice::torrent {

namespace lt = libtorrent;

// The host's one BitTorrent session. Created at start-up from the configuration and the state saved by the
// previous run (DHT node cache and the like); saves that state again on request and when destroyed.
// libtorrent's alert notification only posts to `io` (it is called from libtorrent's own thread and must
// not block); alerts are then drained on the io_context thread, which owns the host's state.
class torrent_session {
public:
    torrent_session(boost::asio::io_context& io, session_config const& config,
                    std::filesystem::path state_file);
    ~torrent_session();

    torrent_session(torrent_session const&) = delete;
    torrent_session& operator=(torrent_session const&) = delete;

    static std::string libtorrent_version();

    void save_state(std::error_code& ec) const;

    // Where drained alerts go (on the io_context thread); set by the torrent engine.
    void set_alert_handler(std::function<void(lt::alert const*)> handler) {
        alert_handler_ = std::move(handler);
    }

    // Applies the configurable switches to the running session.
    void apply(session_config const& config);

    lt::session& native() { return *session_; }

private:
    void drain_alerts();

    boost::asio::io_context& io_;
    std::filesystem::path state_file_;
    std::unique_ptr<lt::session> session_;
    std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
    std::function<void(lt::alert const*)> alert_handler_;
};

} // namespace sluice::torrent
