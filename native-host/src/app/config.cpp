#include "config.hpp"

#include <sluice/protocol/untrusted_json.hpp>

#include <nlohmann/json.hpp>

#include <fstream>
#include <sstream>

namespace sluice::app {

namespace {

constexpr std::uintmax_t max_config_file_bytes = 1024 * 1024;
constexpr std::uint32_t min_frame_limit = 4 * 1024;
constexpr std::uint32_t max_frame_limit = 256 * 1024 * 1024;

// Reads one optional member; a value of the wrong type or out of range is reported and ignored.
template <typename T>
void read_member(nlohmann::json const& obj, char const* key, T& out, std::vector<std::string>& warnings,
                 std::string const& where) {
    auto const it = obj.find(key);
    if (it == obj.end()) {
        return;
    }
    try {
        out = it->get<T>();
    } catch (nlohmann::json::exception const&) {
        warnings.push_back(where + key + " has the wrong type; using the default");
    }
}

nlohmann::json to_json(host_config const& c) {
    return {
        {"session",
         {{"dht", c.session.dht},
          {"lsd", c.session.lsd},
          {"upnp", c.session.upnp},
          {"natpmp", c.session.natpmp},
          {"listenInterfaces", c.session.listen_interfaces}}},
        {"nativeMessaging", {{"maxInboundFrameBytes", c.max_inbound_frame_bytes}}},
        {"log",
         {{"maxFileBytes", c.log_max_file_bytes}, {"keepFiles", c.log_keep_files}, {"level", c.log_level}}},
        {"idleExitSeconds", c.idle_exit_seconds},
    };
}

} // namespace

config_load_result load_host_config(std::filesystem::path const& file) {
    config_load_result out;
    std::error_code ec;
    auto const size = std::filesystem::file_size(file, ec);
    if (ec) {
        return out; // no file: defaults
    }
    if (size > max_config_file_bytes) {
        out.warnings.push_back(file.string() + " is larger than 1 MiB; using the defaults");
        return out;
    }
    std::ifstream in(file, std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    auto parsed = protocol::parse_untrusted_json(text.str());
    if (!parsed || !parsed.value.is_object()) {
        out.warnings.push_back(file.string() + " is not a JSON object (" +
                               (parsed ? std::string("wrong type") : parsed.detail) +
                               "); using the defaults");
        return out;
    }
    auto& c = out.config;
    auto const& root = parsed.value;
    auto& w = out.warnings;
    if (auto s = root.find("session"); s != root.end() && s->is_object()) {
        read_member(*s, "dht", c.session.dht, w, "session.");
        read_member(*s, "lsd", c.session.lsd, w, "session.");
        read_member(*s, "upnp", c.session.upnp, w, "session.");
        read_member(*s, "natpmp", c.session.natpmp, w, "session.");
        read_member(*s, "listenInterfaces", c.session.listen_interfaces, w, "session.");
    }
    if (auto nm = root.find("nativeMessaging"); nm != root.end() && nm->is_object()) {
        auto limit = static_cast<std::int64_t>(c.max_inbound_frame_bytes);
        read_member(*nm, "maxInboundFrameBytes", limit, w, "nativeMessaging.");
        if (limit < min_frame_limit || limit > max_frame_limit) {
            w.push_back("nativeMessaging.maxInboundFrameBytes must be between 4096 and 268435456; using " +
                        std::to_string(c.max_inbound_frame_bytes));
        } else {
            c.max_inbound_frame_bytes = static_cast<std::uint32_t>(limit);
        }
    }
    if (auto l = root.find("log"); l != root.end() && l->is_object()) {
        read_member(*l, "maxFileBytes", c.log_max_file_bytes, w, "log.");
        read_member(*l, "keepFiles", c.log_keep_files, w, "log.");
        read_member(*l, "level", c.log_level, w, "log.");
        if (c.log_keep_files < 0 || c.log_keep_files > 50) {
            w.push_back("log.keepFiles must be between 0 and 50; using 3");
            c.log_keep_files = 3;
        }
    }
    read_member(root, "idleExitSeconds", c.idle_exit_seconds, w, "");
    if (c.idle_exit_seconds < 1) {
        w.push_back("idleExitSeconds must be at least 1; using 10");
        c.idle_exit_seconds = 10;
    }
    return out;
}

std::string default_config_text() {
    return to_json(host_config{}).dump(4) + "\n";
}

} // namespace sluice::app
