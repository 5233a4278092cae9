#pragma once

#include "app/config.hpp"

#include <sluice/protocol/error_code.hpp>

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace sluice::app {

enum class setting_type { boolean, integer, text };

// What a text setting must look like, beyond being a string.
enum class text_rule {
    any,
    // An absolute path without control characters (which would forge lines in logs and in config.json).
    // config.json may leave it empty, meaning the default download folder; settings.set may not, as
    // settings.get always shows the folder in use.
    folder,
};

// One setting of the host: where it lives in config.json and in settings.get/settings.set, what values it
// takes, and how it is read from and written to host_config. The defaults are host_config's own.
struct setting {
    // Its place in config.json: "session.dht", "idleExitSeconds"; empty when the file has no such member.
    std::string_view file_key;
    // Its member in settings.get and settings.set; empty when only config.json has it, and the host reads it
    // at start only. Everything named here, settings.set changes in the running host.
    std::string_view rpc_name;
    setting_type type = setting_type::boolean;
    std::int64_t min = 0; // integers: the range, both ends included
    std::int64_t max = 0;
    text_rule rule = text_rule::any;
    nlohmann::json (*get)(host_config const&) = nullptr;
    // Stores a value that check_setting found good.
    void (*put)(host_config&, nlohmann::json const&) = nullptr;
};

// Every setting, in the order config.json lists them and settings.set checks them.
std::span<setting const> settings_table();

// The setting settings.get/settings.set call `rpc_name`, or null.
setting const* find_rpc_setting(std::string_view rpc_name);

enum class setting_source { file, request };

struct setting_problem {
    // invalid_params, or invalid_save_path for a folder that is not an absolute path.
    protocol::error_code code = protocol::error_code::invalid_params;
    std::string text; // "must be an integer from 0 to 65535": the caller puts the setting's name before it
};

// What is wrong with `value` for `s`, or nothing. config.json and settings.set share every rule but one:
// the file may leave the download folder empty.
std::optional<setting_problem> check_setting(setting const& s, nlohmann::json const& value,
                                             setting_source source);

// The settings settings.set takes as a JSON Schema "properties" object (name -> {"type", "minimum", ...}),
// which protocol/schema/native-messaging.json must repeat.
nlohmann::json rpc_settings_schema();

// listen_interfaces with every entry's port replaced by `port`.
std::string with_listen_port(std::string const& interfaces, int port);

// The first port named in listen_interfaces.
int listen_port_of(std::string const& interfaces);

} // namespace sluice::app
