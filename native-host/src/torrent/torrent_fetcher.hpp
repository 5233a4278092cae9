#pragma once

#include <sluice/protocol/jsonrpc.hpp>

#include <boost/asio/io_context.hpp>

#include <functional>
#include <string>

namespace sluice::torrent {

struct fetch_result {
    bool ok = false;
    std::string body;          // the .torrent bytes when ok
    protocol::rpc_error error; // fetch_failed with a reason otherwise
};

// Fetches a .torrent over http:// or https:// on the io_context (never blocking it): one redirect-free GET,
// the body capped at `max_bytes` (checked from Content-Length and while reading), 30 s in all.
void fetch_torrent(boost::asio::io_context& io, std::string const& url, std::size_t max_bytes,
                   std::function<void(fetch_result)> done);

} // namespace sluice::torrent
