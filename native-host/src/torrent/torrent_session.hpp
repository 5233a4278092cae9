#pragma once

#include "../app/config.hpp"

#include <boost/asio/io_context.hpp>

#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <system_error>

namespace libtorrent {
class session;
}

namespace sluice::torrent {

namespace lt = libtorrent;

// The host's one BitTorrent session. Created at start-up from the configuration and the state saved by the
// previous run (DHT node cache and the like); saves that state again on request and when destroyed.
// libtorrent's alert notification only posts to `io` (it is called from libtorrent's own thread and must
// not block); alerts are then drained on the io_context thread, which owns the host's state.
class torrent_session {
public:
    torrent_session(boost::asio::io_context& io, app::session_config const& config,
                    std::filesystem::path state_file);
    ~torrent_session();

    torrent_session(torrent_session const&) = delete;
    torrent_session& operator=(torrent_session const&) = delete;

    static std::string libtorrent_version();

    void save_state(std::error_code& ec) const;

    lt::session& native() { return *session_; }

private:
    void drain_alerts();

    boost::asio::io_context& io_;
    std::filesystem::path state_file_;
    std::unique_ptr<lt::session> session_;
    std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

} // namespace sluice::torrent
