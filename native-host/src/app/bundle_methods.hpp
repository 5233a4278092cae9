#pragma once

#include "app/config.hpp"
#include "bundle/bundle_library.hpp"
#include "bundle/translation_fetcher.hpp"
#include "bundle/translation_shelf.hpp"
#include "native_messaging/rpc_dispatcher.hpp"
#include "stream/stream_server.hpp"
#include "torrent/torrent_engine.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/thread_pool.hpp>

namespace sluice::app {

// A bundle's approved translations: where they are kept, and what fetches them from its gate.
struct bundle_translations {
    bundle::translation_shelf& shelf;
    bundle::translation_fetcher& fetcher;
};

// Registers bundle.get, bundle.redeem, bundle.export and bundle.deviceKey. bundle.get lists the approved
// translations kept for an item among its subtitles, and asks the gate for new ones. Exports run on
// `workers` (they read and write whole files) and answer on the io_context thread. An export's missing
// folders are made only inside the download folder `config` names (read at each call: settings.set may move
// it).
void add_bundle_methods(native_messaging::rpc_dispatcher& dispatcher, boost::asio::io_context& io,
                        boost::asio::thread_pool& workers, torrent::torrent_engine& engine,
                        bundle::bundle_library& library, stream::stream_server& streams,
                        bundle_translations translations, host_config const& config);

} // namespace sluice::app
