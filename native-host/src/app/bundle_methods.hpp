#pragma once

#include "app/config.hpp"
#include "bundle/bundle_library.hpp"
#include "native_messaging/rpc_dispatcher.hpp"
#include "stream/stream_server.hpp"
#include "torrent/torrent_engine.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/thread_pool.hpp>

namespace sluice::app {

// Registers bundle.get, bundle.redeem, bundle.export and bundle.deviceKey. Exports run on `workers` (they
// read and write whole files) and answer on the io_context thread. An export's missing folders are made only
// inside the download folder `config` names (read at each call: settings.set may move it).
void add_bundle_methods(native_messaging::rpc_dispatcher& dispatcher, boost::asio::io_context& io,
                        boost::asio::thread_pool& workers, torrent::torrent_engine& engine,
                        bundle::bundle_library& library, stream::stream_server& streams,
                        host_config const& config);

} // namespace sluice::app
