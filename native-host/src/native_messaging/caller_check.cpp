#include "native_messaging/caller_check.hpp"

#include <sluice/protocol/extension_ids.hpp>

namespace sluice::native_messaging {

namespace {

constexpr std::string_view chrome_scheme = "chrome-extension://";

} // namespace

caller_verdict check_caller(std::span<std::string const> args) {
    caller_verdict v;
    if (args.empty()) {
        v.kind = caller_kind::direct;
        v.allowed = true;
        return v;
    }
    std::string_view const first = args[0];
    if (first.starts_with(chrome_scheme)) {
        v.kind = caller_kind::chromium;
        v.identity = std::string(first);
        auto id = first.substr(chrome_scheme.size());
        if (id.ends_with('/')) {
            id.remove_suffix(1);
        }
        v.allowed = id == protocol::chrome_extension_id;
        if (!v.allowed) {
            v.reason = "origin " + std::string(first) + " is not the Sluice extension";
        }
        // Chromium on Windows adds --parent-window=N after the origin; nothing else is expected.
        return v;
    }
    if (args.size() >= 2 && first.ends_with(".json")) {
        v.kind = caller_kind::firefox;
        v.identity = args[1];
        v.allowed = args[1] == protocol::firefox_addon_id;
        if (!v.allowed) {
            v.reason = "add-on id " + args[1] + " is not the Sluice extension";
        }
        return v;
    }
    v.reason = "unrecognised caller arguments";
    v.identity = std::string(first.substr(0, 200));
    return v;
}

} // namespace sluice::native_messaging
