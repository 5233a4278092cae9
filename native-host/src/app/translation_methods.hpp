#pragma once

#include "bundle/bundle_library.hpp"
#include "native_messaging/rpc_dispatcher.hpp"
#include "torrent/torrent_engine.hpp"

#include <boost/asio/io_context.hpp>

#include <chrono>

namespace sluice::app {

// Registers what the translation editor asks of a bundle's gate (protocol/translations.md), spoken by the
// host as every gate handshake is: translation.terms (the licence translators agree to, and the last
// submission of each item and language), translation.get (one submission with its track, to take it up) and
// translation.submit (a track, checked here as the gate will check it before anything is sent).
void add_translation_methods(native_messaging::rpc_dispatcher& dispatcher, boost::asio::io_context& io,
                             torrent::torrent_engine& engine, bundle::bundle_library& library,
                             std::chrono::seconds gate_timeout);

} // namespace sluice::app
