#pragma once

#include "app/config.hpp"
#include "native_messaging/rpc_dispatcher.hpp"
#include "torrent/torrent_engine.hpp"
#include "torrent/torrent_session.hpp"

#include <filesystem>

namespace sluice::app {

// settings.get and settings.set: the user-facing switches (download folder, rate and connection limits,
// DHT/LSD/UPnP/NAT-PMP, uTP, listen port). settings.set checks every value first and changes nothing if
// one is wrong; then it applies them to the running session and writes config.json.
void add_settings_methods(native_messaging::rpc_dispatcher& dispatcher, host_config& config,
                          std::filesystem::path config_file, torrent::torrent_session& session,
                          torrent::torrent_engine& engine);

// listen_interfaces with every entry's port replaced by `port`.
std::string with_listen_port(std::string const& interfaces, int port);

// The first port named in listen_interfaces.
int listen_port_of(std::string const& interfaces);

} // namespace sluice::app
