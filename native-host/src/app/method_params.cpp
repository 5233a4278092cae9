#include "app/method_params.hpp"

#include <sluice/protocol/bundle_manifest.hpp>

#include <algorithm>

namespace sluice::app {

using native_messaging::rpc_call;
using protocol::error_code;

protocol::bundle_manifest const* gated_bundle(rpc_call const& call, torrent::torrent_engine const& engine,
                                              bundle::bundle_library const& library) {
    auto const id = info_hash_param(call, engine);
    if (!id) {
        return nullptr;
    }
    auto const* manifest = library.manifest(*id);
    if (!manifest) {
        call.fail(error_code::bundle_not_found, "torrent " + *id + " is not a verified bundle");
        return nullptr;
    }
    if (manifest->gate_url.empty()) {
        call.fail(error_code::gate_not_offered, "this bundle names no gate server");
        return nullptr;
    }
    return manifest;
}

bool check_members(rpc_call const& call, std::initializer_list<char const*> allowed) {
    for (auto const& [key, value] : call.params().items()) {
        if (std::none_of(allowed.begin(), allowed.end(), [&](char const* a) { return key == a; })) {
            call.fail(error_code::invalid_params, "unknown parameter \"" + key.substr(0, 64) + "\"");
            return false;
        }
    }
    return true;
}

std::optional<std::string> info_hash_param(rpc_call const& call, torrent::torrent_engine const& engine) {
    auto const it = call.params().find("infoHash");
    if (it == call.params().end() || !it->is_string()) {
        call.fail(error_code::invalid_params, "infoHash must be a string");
        return std::nullopt;
    }
    auto id = it->get<std::string>();
    if (!engine.find(id)) {
        call.fail(error_code::torrent_not_found, "no torrent with infoHash " + id.substr(0, 64));
        return std::nullopt;
    }
    return id;
}

std::optional<std::string> string_param(rpc_call const& call, char const* name, std::size_t max_bytes) {
    auto const it = call.params().find(name);
    if (it == call.params().end() || !it->is_string() || it->get_ref<std::string const&>().empty() ||
        it->get_ref<std::string const&>().size() > max_bytes) {
        call.fail(error_code::invalid_params, std::string(name) + " must be a non-empty string of at most " +
                                                  std::to_string(max_bytes) + " bytes");
        return std::nullopt;
    }
    return it->get<std::string>();
}

amount_param_result amount_param(rpc_call const& call, char const* name, bool required) {
    auto const it = call.params().find(name);
    if (it == call.params().end() && !required) {
        return {true, std::nullopt};
    }
    if (it == call.params().end() || !it->is_number_integer() || it->get<std::int64_t>() < 1 ||
        it->get<std::int64_t>() > 9007199254740991) {
        call.fail(error_code::invalid_params,
                  std::string(name) +
                      " must be an integer amount in the currency's minor unit, from 1 to 2^53 - 1");
        return {};
    }
    return {true, it->get<std::uint64_t>()};
}

slug_param_result slug_param(rpc_call const& call, char const* name, bool required) {
    auto const it = call.params().find(name);
    if (it == call.params().end() && !required) {
        return {true, std::nullopt};
    }
    if (it == call.params().end() || !it->is_string() || !protocol::is_bundle_slug(it->get<std::string>())) {
        call.fail(error_code::invalid_params,
                  std::string(name) + " must be an id of lower-case letters, digits and '-', at most 64");
        return {};
    }
    return {true, it->get<std::string>()};
}

} // namespace sluice::app
