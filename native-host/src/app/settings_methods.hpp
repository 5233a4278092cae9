#pragma once

#include "app/config.hpp"
#include "native_messaging/rpc_dispatcher.hpp"
#include "torrent/torrent_engine.hpp"
#include "torrent/torrent_session.hpp"

#include <filesystem>
#include <functional>

namespace sluice::app {

// settings.get and settings.set: the settings of settings_table() that have an rpc_name (download folder,
// rate and connection limits, DHT/LSD/UPnP/NAT-PMP, uTP, listen port). settings.set checks every value by
// the table's rules, the ones config.json is read by, and changes nothing if one is wrong; then it applies
// them to the running session and replaces config.json with config_text() of the new configuration, and
// calls `applied` with it (for what reads a setting other than the session).
void add_settings_methods(
    native_messaging::rpc_dispatcher& dispatcher, host_config& config, std::filesystem::path config_file,
    torrent::torrent_session& session, torrent::torrent_engine& engine,
    std::function<void(host_config const&)> applied = [](host_config const&) {});

} // namespace sluice::app
