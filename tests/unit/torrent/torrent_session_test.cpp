#include "sandbox_dir.hpp"
#include "torrent/torrent_session.hpp"

#include <boost/asio/io_context.hpp>
#include <gtest/gtest.h>
#include <libtorrent/session.hpp>
#include <libtorrent/settings_pack.hpp>

#include <fstream>

namespace sluice::torrent {
namespace {

torrent::session_config offline() {
    torrent::session_config c;
    c.dht = false;
    c.lsd = false;
    c.upnp = false;
    c.natpmp = false;
    c.listen_interfaces = "127.0.0.1:0";
    return c;
}

TEST(TorrentSession, AppliesTheConfiguredSwitches) {
    testing::sandbox_dir dir;
    boost::asio::io_context io;
    torrent_session session(io, offline(), dir / "session.state");
    auto const settings = session.native().get_settings();
    EXPECT_FALSE(settings.get_bool(lt::settings_pack::enable_dht));
    EXPECT_FALSE(settings.get_bool(lt::settings_pack::enable_lsd));
    EXPECT_FALSE(settings.get_bool(lt::settings_pack::enable_upnp));
    EXPECT_FALSE(settings.get_bool(lt::settings_pack::enable_natpmp));
    EXPECT_EQ(settings.get_str(lt::settings_pack::listen_interfaces), "127.0.0.1:0");
    EXPECT_EQ(settings.get_str(lt::settings_pack::user_agent).rfind("Sluice/", 0), 0u);
}

TEST(TorrentSession, DefaultsAreOnForRealUse) {
    torrent::session_config const defaults;
    EXPECT_TRUE(defaults.dht);
    EXPECT_TRUE(defaults.lsd);
    EXPECT_TRUE(defaults.upnp);
    EXPECT_TRUE(defaults.natpmp);
}

TEST(TorrentSession, SavesItsStateWhenDestroyed) {
    testing::sandbox_dir dir;
    {
        boost::asio::io_context io;
        torrent_session session(io, offline(), dir / "session.state");
    }
    EXPECT_GT(std::filesystem::file_size(dir / "session.state"), 0u);
}

TEST(TorrentSession, AnUnreadableStateFileIsIgnoredNotFatal) {
    testing::sandbox_dir dir;
    std::ofstream(dir / "session.state") << "d3:dhtli1e";
    boost::asio::io_context io;
    torrent_session session(io, offline(), dir / "session.state");
    EXPECT_EQ(session.native().get_settings().get_str(lt::settings_pack::listen_interfaces), "127.0.0.1:0");
}

TEST(TorrentSession, ReportsTheLibtorrentVersion) {
    EXPECT_EQ(torrent_session::libtorrent_version().rfind("2.", 0), 0u);
}

} // namespace
} // namespace sluice::torrent
