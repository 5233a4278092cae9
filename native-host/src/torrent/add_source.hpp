#pragma once

#include <sluice/protocol/jsonrpc.hpp>

#include <libtorrent/add_torrent_params.hpp>
#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <variant>

namespace sluice::torrent {

namespace lt = libtorrent;

// Limits on what torrent.add accepts. libtorrent's own load limits (buffer size, pieces, bdecode depth and
// tokens) stay on as well; these are ours on top.
struct add_limits {
    std::size_t max_magnet_bytes = 8 * 1024;
    std::size_t max_torrent_bytes = 10 * 1000 * 1000; // libtorrent's default max_buffer_size
    int max_selected_file_index = 100'000;
};

// A .torrent that must first be fetched over http(s); the engine does that, then calls parse_torrent_data.
struct fetch_request {
    std::string url;
};

using add_source = std::variant<lt::add_torrent_params, fetch_request, protocol::rpc_error>;

// Turns torrent.add params ({"uri": magnet | http(s) URL | absolute .torrent path} or {"torrent": base64})
// into libtorrent's add parameters, refusing anything malformed with a stable error code. Pure: no I/O but
// reading a local .torrent file.
add_source parse_add_params(nlohmann::json const& params, add_limits const& limits = {});

// Magnets are refused on any whitespace or control character (a link copied with its line break is the
// classic), on a missing or all-zero info-hash, and on `so=` indices beyond max_selected_file_index.
add_source parse_magnet(std::string_view uri, add_limits const& limits = {});

// .torrent bytes from any source, parsed with libtorrent's load limits.
add_source parse_torrent_data(std::string_view data, add_limits const& limits = {});

// Strict base64 (RFC 4648, padding optional, no whitespace); nullopt if malformed.
std::optional<std::string> decode_base64(std::string_view text);

} // namespace sluice::torrent
