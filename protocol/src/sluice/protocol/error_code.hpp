#pragma once

#include <array>
#include <optional>
#include <string_view>

namespace sluice::protocol {

// Every error code that crosses the native-messaging wire. The values are part of the protocol: they are
// listed once in protocol/errors.json, and a test keeps this table and that file in step.
enum class error_code : int {
    parse_error = -32700,
    invalid_request = -32600,
    method_not_found = -32601,
    invalid_params = -32602,
    internal_error = -32603,

    frame_too_large = -32000,
    empty_frame = -32001,
    reply_too_large = -32002,

    invalid_magnet = 1001,
    invalid_torrent = 1002,
    torrent_not_found = 1003,
    file_not_found = 1004,
    fetch_failed = 1005,
    invalid_save_path = 1006,
    add_failed = 1007,

    bundle_not_found = 1101,
    token_refused = 1102,
    item_not_found = 1103,
    item_locked = 1104,
    item_incomplete = 1105,
    export_failed = 1106,
    gate_unreachable = 1107,
    gate_refused = 1108,
    gate_bad_answer = 1109,
    gate_not_offered = 1110,
    pledge_not_found = 1111,
    pledge_pending = 1112,
    payment_provider_failed = 1113,
    pledge_not_updatable = 1114,
    tier_sold_out = 1115,
    unknown_tier = 1116,

    media_tools_missing = 1201,
    media_unreadable = 1202,
    media_unplayable = 1203,
    media_busy = 1204,
};

struct error_code_info {
    error_code code;
    std::string_view name;
    std::string_view message;
};

inline constexpr std::array error_codes{
    error_code_info{error_code::parse_error, "parse_error", "Parse error"},
    error_code_info{error_code::invalid_request, "invalid_request", "Invalid request"},
    error_code_info{error_code::method_not_found, "method_not_found", "Method not found"},
    error_code_info{error_code::invalid_params, "invalid_params", "Invalid params"},
    error_code_info{error_code::internal_error, "internal_error", "Internal error"},
    error_code_info{error_code::frame_too_large, "frame_too_large", "Frame exceeds the inbound size limit"},
    error_code_info{error_code::empty_frame, "empty_frame", "Frame has zero length"},
    error_code_info{error_code::reply_too_large, "reply_too_large",
                    "Reply would exceed the outbound frame limit"},
    error_code_info{error_code::invalid_magnet, "invalid_magnet", "Not a valid magnet link"},
    error_code_info{error_code::invalid_torrent, "invalid_torrent", "Not a valid .torrent file"},
    error_code_info{error_code::torrent_not_found, "torrent_not_found", "No such torrent"},
    error_code_info{error_code::file_not_found, "file_not_found", "No such file in this torrent"},
    error_code_info{error_code::fetch_failed, "fetch_failed", "Could not fetch the .torrent file"},
    error_code_info{error_code::invalid_save_path, "invalid_save_path", "The save folder cannot be used"},
    error_code_info{error_code::add_failed, "add_failed", "The torrent could not be added"},
    error_code_info{error_code::bundle_not_found, "bundle_not_found", "No verified bundle matches"},
    error_code_info{error_code::token_refused, "token_refused", "The unlock token was refused"},
    error_code_info{error_code::item_not_found, "item_not_found", "No such item in this bundle"},
    error_code_info{error_code::item_locked, "item_locked", "This item is locked"},
    error_code_info{error_code::item_incomplete, "item_incomplete", "This item has not finished downloading"},
    error_code_info{error_code::export_failed, "export_failed", "The item could not be exported"},
    error_code_info{error_code::gate_unreachable, "gate_unreachable", "The gate server could not be reached"},
    error_code_info{error_code::gate_refused, "gate_refused", "The gate server refused the request"},
    error_code_info{error_code::gate_bad_answer, "gate_bad_answer",
                    "The gate server gave an answer that cannot be used"},
    error_code_info{error_code::gate_not_offered, "gate_not_offered", "This bundle offers no such gate"},
    error_code_info{error_code::pledge_not_found, "pledge_not_found",
                    "This host has no pledge to that campaign"},
    error_code_info{error_code::pledge_pending, "pledge_pending",
                    "The pledge has not been acknowledged by the gate yet"},
    error_code_info{error_code::payment_provider_failed, "payment_provider_failed",
                    "The gate's payment provider could not be reached"},
    error_code_info{error_code::pledge_not_updatable, "pledge_not_updatable",
                    "The pledge's payment method can no longer be changed"},
    error_code_info{error_code::tier_sold_out, "tier_sold_out", "Every place in that tier is taken"},
    error_code_info{error_code::unknown_tier, "unknown_tier", "The campaign offers no such tier"},
    error_code_info{error_code::media_tools_missing, "media_tools_missing",
                    "ffmpeg and ffprobe are needed to read or convert this file"},
    error_code_info{error_code::media_unreadable, "media_unreadable",
                    "The file is not media that can be read"},
    error_code_info{error_code::media_unplayable, "media_unplayable", "Nothing in this file can be played"},
    error_code_info{error_code::media_busy, "media_busy",
                    "Too many files are being read or converted at once"},
};

// The default human-readable message of a code (the wire message may add detail in `data`).
constexpr std::string_view default_message(error_code code) {
    for (auto const& info : error_codes) {
        if (info.code == code) {
            return info.message;
        }
    }
    return "Unknown error";
}

} // namespace sluice::protocol
