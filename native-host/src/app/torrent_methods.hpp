#pragma once

#include "media/media_prober.hpp"
#include "native_messaging/rpc_dispatcher.hpp"
#include "stream/stream_server.hpp"
#include "torrent/torrent_engine.hpp"

#include <boost/asio/io_context.hpp>

namespace sluice::app {

// Registers torrent.add, torrent.list, torrent.files, torrent.pause, torrent.resume, torrent.remove and
// torrent.setFilePriorities. Params are checked here; the engine does the work. torrent.files shows what the
// prober has learnt of a file (`media`) once it has.
void add_torrent_methods(native_messaging::rpc_dispatcher& dispatcher, boost::asio::io_context& io,
                         torrent::torrent_engine& engine, stream::stream_server& streams,
                         media::media_prober& prober);

} // namespace sluice::app
