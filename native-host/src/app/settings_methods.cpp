#include "app/settings_methods.hpp"

#include "app/method_params.hpp"
#include "app/paths.hpp"
#include "base/log.hpp"
#include "base/paths.hpp"

#include <sluice/fileio/atomic_file.hpp>

#include <sstream>

namespace sluice::app {

using native_messaging::rpc_call;
using protocol::error_code;

namespace {

nlohmann::json settings_json(host_config const& c, torrent::torrent_engine const& engine,
                             torrent::torrent_session& session) {
    return {
        {"downloadFolder", engine.default_save_path().string()},
        {"downloadRateLimit", c.session.download_rate_limit},
        {"uploadRateLimit", c.session.upload_rate_limit},
        {"connectionsLimit", c.session.connections_limit},
        {"dht", c.session.dht},
        {"lsd", c.session.lsd},
        {"upnp", c.session.upnp},
        {"natpmp", c.session.natpmp},
        {"utp", c.session.utp},
        {"listenPort", listen_port_of(c.session.listen_interfaces)},
        // The port peers reach us on right now (listenPort 0 means "any free port").
        {"peerPort", session.native().listen_port()},
    };
}

// Reads an integer setting within [lo, hi]; false (with `problem` set) when present but wrong.
bool read_int(nlohmann::json const& params, char const* key, long long lo, long long hi, int& out,
              std::string& problem) {
    auto const it = params.find(key);
    if (it == params.end()) {
        return true;
    }
    if (!it->is_number_integer() || it->get<long long>() < lo || it->get<long long>() > hi) {
        problem =
            std::string(key) + " must be an integer from " + std::to_string(lo) + " to " + std::to_string(hi);
        return false;
    }
    out = static_cast<int>(it->get<long long>());
    return true;
}

bool read_bool(nlohmann::json const& params, char const* key, bool& out, std::string& problem) {
    auto const it = params.find(key);
    if (it == params.end()) {
        return true;
    }
    if (!it->is_boolean()) {
        problem = std::string(key) + " must be true or false";
        return false;
    }
    out = it->get<bool>();
    return true;
}

} // namespace

std::string with_listen_port(std::string const& interfaces, int port) {
    std::stringstream in(interfaces);
    std::string entry;
    std::string out;
    while (std::getline(in, entry, ',')) {
        auto const colon = entry.rfind(':');
        auto const host = colon == std::string::npos ? entry : entry.substr(0, colon);
        out += (out.empty() ? "" : ",") + host + ":" + std::to_string(port);
    }
    return out;
}

int listen_port_of(std::string const& interfaces) {
    auto const first = interfaces.substr(0, interfaces.find(','));
    auto const colon = first.rfind(':');
    try {
        return colon == std::string::npos ? 0 : std::stoi(first.substr(colon + 1));
    } catch (std::exception const&) {
        return 0;
    }
}

void add_settings_methods(native_messaging::rpc_dispatcher& dispatcher, host_config& config,
                          std::filesystem::path config_file, torrent::torrent_session& session,
                          torrent::torrent_engine& engine) {
    dispatcher.add("settings.get", [&config, &engine, &session](rpc_call const& call) {
        if (check_members(call, {})) {
            call.reply(settings_json(config, engine, session));
        }
    });

    dispatcher.add("settings.set", [&config, config_file, &session, &engine](rpc_call const& call) {
        auto const& p = call.params();
        static char const* const known[] = {"downloadFolder",
                                            "downloadRateLimit",
                                            "uploadRateLimit",
                                            "connectionsLimit",
                                            "dht",
                                            "lsd",
                                            "upnp",
                                            "natpmp",
                                            "utp",
                                            "listenPort"};
        for (auto const& [key, value] : p.items()) {
            if (std::none_of(std::begin(known), std::end(known), [&](char const* k) { return key == k; })) {
                call.fail(error_code::invalid_params, "unknown setting \"" + key.substr(0, 64) + "\"");
                return;
            }
        }
        host_config next = config;
        std::string problem;
        int port = listen_port_of(config.session.listen_interfaces);
        bool const ok =
            read_int(p, "downloadRateLimit", 0, 1'000'000'000, next.session.download_rate_limit, problem) &&
            read_int(p, "uploadRateLimit", 0, 1'000'000'000, next.session.upload_rate_limit, problem) &&
            read_int(p, "connectionsLimit", 2, 10'000, next.session.connections_limit, problem) &&
            read_int(p, "listenPort", 0, 65'535, port, problem) &&
            read_bool(p, "dht", next.session.dht, problem) &&
            read_bool(p, "lsd", next.session.lsd, problem) &&
            read_bool(p, "upnp", next.session.upnp, problem) &&
            read_bool(p, "natpmp", next.session.natpmp, problem) &&
            read_bool(p, "utp", next.session.utp, problem);
        if (!ok) {
            call.fail(error_code::invalid_params, problem);
            return;
        }
        if (auto const folder = p.find("downloadFolder"); folder != p.end()) {
            if (folder->is_string() && base::has_control_character(folder->get_ref<std::string const&>())) {
                call.fail(error_code::invalid_params, "downloadFolder must not contain control characters");
                return;
            }
            if (!folder->is_string() || folder->get_ref<std::string const&>().empty() ||
                folder->get_ref<std::string const&>().front() != '/') {
                call.fail(error_code::invalid_save_path, "downloadFolder must be an absolute path");
                return;
            }
            std::error_code ec;
            std::filesystem::create_directories(folder->get<std::string>(), ec);
            if (ec) {
                call.fail(error_code::invalid_save_path, folder->get<std::string>() + ": " + ec.message());
                return;
            }
            next.download_folder = folder->get<std::string>();
        }
        if (p.contains("listenPort")) {
            next.session.listen_interfaces = with_listen_port(config.session.listen_interfaces, port);
        }
        config = next;
        session.apply(config.session);
        if (!config.download_folder.empty()) {
            engine.set_default_save_path(config.download_folder);
        }
        std::error_code ec;
        fileio::write_file_atomically(config_file, config_text(config), 0600, true, ec);
        if (ec) {
            base::log::warning("settings applied but not saved: " + ec.message());
        }
        call.reply(settings_json(config, engine, session));
    });
}

} // namespace sluice::app
