#pragma once

#include "media/media_prober.hpp"
#include "native_messaging/rpc_dispatcher.hpp"
#include "stream/stream_server.hpp"
#include "torrent/torrent_engine.hpp"

namespace sluice::app {

// Registers media.probe (what a file holds, and what to ask the browser about it) and media.open (how this
// browser plays it: the file as it is, or converted by ffmpeg). protocol/schema/native-messaging.json has
// both.
void add_media_methods(native_messaging::rpc_dispatcher& dispatcher, torrent::torrent_engine& engine,
                       stream::stream_server& streams, media::media_prober& prober);

} // namespace sluice::app
