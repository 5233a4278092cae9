#include "app/settings_methods.hpp"

#include "app/method_params.hpp"
#include "app/paths.hpp"
#include "app/settings_table.hpp"
#include "base/log.hpp"

#include <sluice/fileio/atomic_file.hpp>

namespace sluice::app {

using native_messaging::rpc_call;
using protocol::error_code;

namespace {

// The settings the table gives settings.get, and what only the running host knows.
nlohmann::json settings_json(host_config const& c, torrent::torrent_engine const& engine,
                             torrent::torrent_session& session) {
    auto out = nlohmann::json::object();
    for (auto const& s : settings_table()) {
        if (!s.rpc_name.empty()) {
            out[std::string(s.rpc_name)] = s.get(c);
        }
    }
    // config.json may leave the folder empty for the default; settings.get shows the folder in use.
    out["downloadFolder"] = engine.default_save_path().string();
    // The port peers reach us on right now (listenPort 0 means "any free port").
    out["peerPort"] = session.native().listen_port();
    return out;
}

} // namespace

void add_settings_methods(native_messaging::rpc_dispatcher& dispatcher, host_config& config,
                          std::filesystem::path config_file, torrent::torrent_session& session,
                          torrent::torrent_engine& engine, std::function<void(host_config const&)> applied) {
    dispatcher.add("settings.get", [&config, &engine, &session](rpc_call const& call) {
        if (check_members(call, {})) {
            call.reply(settings_json(config, engine, session));
        }
    });

    dispatcher.add("settings.set", [&config, config_file, &session, &engine,
                                    applied = std::move(applied)](rpc_call const& call) {
        auto const& p = call.params();
        for (auto const& [key, value] : p.items()) {
            if (!find_rpc_setting(key)) {
                call.fail(error_code::invalid_params, "unknown setting \"" + key.substr(0, 64) + "\"");
                return;
            }
        }
        // Every value is checked before any is applied, in the table's order.
        for (auto const& s : settings_table()) {
            auto const it = s.rpc_name.empty() ? p.end() : p.find(std::string(s.rpc_name));
            if (it == p.end()) {
                continue;
            }
            if (auto const problem = check_setting(s, *it, setting_source::request)) {
                call.fail(problem->code, std::string(s.rpc_name) + " " + problem->text);
                return;
            }
        }
        if (auto const folder = p.find("downloadFolder"); folder != p.end()) {
            std::error_code ec;
            std::filesystem::create_directories(folder->get<std::string>(), ec);
            if (ec) {
                call.fail(error_code::invalid_save_path, folder->get<std::string>() + ": " + ec.message());
                return;
            }
        }
        host_config next = config;
        for (auto const& s : settings_table()) {
            auto const it = s.rpc_name.empty() ? p.end() : p.find(std::string(s.rpc_name));
            if (it != p.end()) {
                s.put(next, *it);
            }
        }
        config = next;
        session.apply(config.session);
        if (!config.download_folder.empty()) {
            engine.set_default_save_path(config.download_folder);
        }
        // The whole file is written from the configuration in use (config_text says what is not kept).
        std::error_code ec;
        fileio::write_file_atomically(config_file, config_text(config), 0600, true, ec);
        if (ec) {
            base::log::warning("settings applied but not saved: " + ec.message());
        }
        applied(config);
        call.reply(settings_json(config, engine, session));
    });
}

} // namespace sluice::app
