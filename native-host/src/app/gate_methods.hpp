#pragma once

#include "bundle/bundle_library.hpp"
#include "bundle/gate_agent.hpp"
#include "bundle/play_reporter.hpp"
#include "native_messaging/rpc_dispatcher.hpp"
#include "torrent/torrent_engine.hpp"

#include <boost/asio/io_context.hpp>

namespace sluice::app {

// Registers the handshakes with a bundle's gate server: bundle.unlock (email, pay), bundle.confirmEmail,
// bundle.pledge, bundle.cancelPledge, bundle.updatePledgePayment and bundle.campaign. The host speaks to the
// gate itself, with its own device key; the extension only passes what the viewer typed or chose. And
// bundle.played, which counts a play for the bundle's gate when the viewer said yes (play_reporter).
void add_gate_methods(native_messaging::rpc_dispatcher& dispatcher, boost::asio::io_context& io,
                      torrent::torrent_engine& engine, bundle::bundle_library& library,
                      bundle::gate_agent& agent, bundle::play_reporter& plays);

} // namespace sluice::app
