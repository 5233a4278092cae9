#pragma once

#include "../native_messaging/rpc_call.hpp"
#include "../torrent/torrent_engine.hpp"

#include <initializer_list>
#include <optional>
#include <string>

namespace sluice::app {

// Shared checks of JSON-RPC params. Each answers the call with invalid_params (or the more precise code)
// and returns false / nullopt when the params are wrong, so a handler can simply return.

// Refuses any member not in `allowed`.
bool check_members(native_messaging::rpc_call const& call, std::initializer_list<char const*> allowed);

// The torrent a call names by "infoHash".
std::optional<std::string> info_hash_param(native_messaging::rpc_call const& call,
                                           torrent::torrent_engine const& engine);

// A required string member of at most `max_bytes`.
std::optional<std::string> string_param(native_messaging::rpc_call const& call, char const* name,
                                        std::size_t max_bytes);

} // namespace sluice::app
