#pragma once

#include "bundle/bundle_library.hpp"
#include "native_messaging/rpc_call.hpp"
#include "torrent/torrent_engine.hpp"

#include <cstdint>
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

// The verified bundle a call names by "infoHash", with a gate URL; nullptr after answering the call with the
// reason (bundle_not_found, gate_not_offered).
protocol::bundle_manifest const* gated_bundle(native_messaging::rpc_call const& call,
                                              torrent::torrent_engine const& engine,
                                              bundle::bundle_library const& library);

// A required string member of at most `max_bytes`.
std::optional<std::string> string_param(native_messaging::rpc_call const& call, char const* name,
                                        std::size_t max_bytes);

// An amount in a currency's minor unit: an integer from 1 to 2^53 - 1 (what JavaScript reads exactly).
// `ok` with no value when the member is absent and not required; not `ok` once the call was answered.
struct amount_param_result {
    bool ok = false;
    std::optional<std::uint64_t> value;
};
amount_param_result amount_param(native_messaging::rpc_call const& call, char const* name, bool required);

// An id of the bundles' form (protocol::is_bundle_slug: lower-case letters, digits and '-', at most 64), such
// as a campaign's tier. `ok` with no value when the member is absent and not required; not `ok` once the call
// was answered.
struct slug_param_result {
    bool ok = false;
    std::optional<std::string> value;
};
slug_param_result slug_param(native_messaging::rpc_call const& call, char const* name, bool required);

} // namespace sluice::app
