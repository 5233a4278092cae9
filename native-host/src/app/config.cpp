#include "app/config.hpp"

#include "base/paths.hpp"

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
          {"listenInterfaces", c.session.listen_interfaces},
          {"utp", c.session.utp},
          {"downloadRateLimit", c.session.download_rate_limit},
          {"uploadRateLimit", c.session.upload_rate_limit},
          {"connectionsLimit", c.session.connections_limit}}},
        {"nativeMessaging", {{"maxInboundFrameBytes", c.max_inbound_frame_bytes}}},
        {"log",
         {{"maxFileBytes", c.log_max_file_bytes}, {"keepFiles", c.log_keep_files}, {"level", c.log_level}}},
        {"idleExitSeconds", c.idle_exit_seconds},
        {"downloadFolder", c.download_folder},
        {"streamPort", c.stream_port},
        {"lingerSeconds", c.linger_seconds},
        {"resumeSaveSeconds", c.resume_save_seconds},
        {"gatePollSeconds", c.gate_poll_seconds},
        {"gateTimeoutSeconds", c.gate_timeout_seconds},
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
        read_member(*s, "utp", c.session.utp, w, "session.");
        read_member(*s, "downloadRateLimit", c.session.download_rate_limit, w, "session.");
        read_member(*s, "uploadRateLimit", c.session.upload_rate_limit, w, "session.");
        read_member(*s, "connectionsLimit", c.session.connections_limit, w, "session.");
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
    read_member(root, "downloadFolder", c.download_folder, w, "");
    read_member(root, "streamPort", c.stream_port, w, "");
    read_member(root, "lingerSeconds", c.linger_seconds, w, "");
    read_member(root, "resumeSaveSeconds", c.resume_save_seconds, w, "");
    read_member(root, "gatePollSeconds", c.gate_poll_seconds, w, "");
    if (c.gate_poll_seconds < 1 || c.gate_poll_seconds > 86400) {
        w.push_back("gatePollSeconds must be between 1 and 86400; using 60");
        c.gate_poll_seconds = 60;
    }
    read_member(root, "gateTimeoutSeconds", c.gate_timeout_seconds, w, "");
    if (c.gate_timeout_seconds < 1 || c.gate_timeout_seconds > 300) {
        w.push_back("gateTimeoutSeconds must be between 1 and 300; using 20");
        c.gate_timeout_seconds = 20;
    }
    if (c.resume_save_seconds < 1) {
        w.push_back("resumeSaveSeconds must be at least 1; using 30");
        c.resume_save_seconds = 30;
    }
    if (c.linger_seconds < 0) {
        w.push_back("lingerSeconds must not be negative; using 30");
        c.linger_seconds = 30;
    }
    if (!c.download_folder.empty() &&
        (c.download_folder.front() != '/' || base::has_control_character(c.download_folder))) {
        w.push_back("downloadFolder must be an absolute path without control characters; using the default");
        c.download_folder.clear();
    }
    if (c.idle_exit_seconds < 1) {
        w.push_back("idleExitSeconds must be at least 1; using 10");
        c.idle_exit_seconds = 10;
    }
    return out;
}

std::string default_config_text() {
    return config_text(host_config{});
}

std::string config_text(host_config const& config) {
    return to_json(config).dump(4) + "\n";
}

std::filesystem::path default_download_folder() {
    if (char const* xdg = std::getenv("XDG_DOWNLOAD_DIR"); xdg && xdg[0] == '/') {
        return std::filesystem::path(xdg) / "Sluice";
    }
    if (char const* home = std::getenv("HOME"); home && home[0] == '/') {
        return std::filesystem::path(home) / "Downloads" / "Sluice";
    }
    return std::filesystem::temp_directory_path() / "Sluice";
}

} // namespace sluice::app
