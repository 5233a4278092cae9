#include "app/torrent_methods.hpp"

#include "app/method_params.hpp"
#include "base/paths.hpp"
#include "media/media_json.hpp"
#include "torrent/add_source.hpp"
#include "torrent/torrent_fetcher.hpp"
#include "torrent/torrent_json.hpp"

#include <libtorrent/torrent_info.hpp>

namespace sluice::app {

using native_messaging::rpc_call;
using protocol::error_code;

namespace {

void finish_add(rpc_call const& call, torrent::torrent_engine& engine, torrent::add_source source,
                std::optional<std::string> const& save_path) {
    if (auto* error = std::get_if<protocol::rpc_error>(&source)) {
        call.fail(*error);
        return;
    }
    auto result = engine.add(std::move(std::get<lt::add_torrent_params>(source)), save_path);
    if (auto* error = std::get_if<protocol::rpc_error>(&result)) {
        call.fail(*error);
        return;
    }
    call.reply(std::get<nlohmann::json>(result));
}

} // namespace

void add_torrent_methods(native_messaging::rpc_dispatcher& dispatcher, boost::asio::io_context& io,
                         torrent::torrent_engine& engine, stream::stream_server& streams,
                         media::media_prober& prober) {
    dispatcher.add("torrent.add", [&io, &engine](rpc_call const& call) {
        if (!check_members(call, {"uri", "torrent", "savePath"})) {
            return;
        }
        std::optional<std::string> save_path;
        if (auto const sp = call.params().find("savePath"); sp != call.params().end()) {
            if (!sp->is_string() || sp->get_ref<std::string const&>().empty()) {
                call.fail(error_code::invalid_params, "savePath must be a non-empty string");
                return;
            }
            if (base::has_control_character(sp->get_ref<std::string const&>())) {
                call.fail(error_code::invalid_params, "savePath must not contain control characters");
                return;
            }
            save_path = sp->get<std::string>();
        }
        torrent::add_limits const limits;
        auto source = torrent::parse_add_params(call.params(), limits);
        if (auto* fetch = std::get_if<torrent::fetch_request>(&source)) {
            torrent::fetch_torrent(
                io, fetch->url, limits.max_torrent_bytes,
                [call, &engine, save_path, limits](torrent::fetch_result fetched) {
                    if (!fetched.ok) {
                        call.fail(fetched.error);
                        return;
                    }
                    finish_add(call, engine, torrent::parse_torrent_data(fetched.body, limits), save_path);
                });
            return;
        }
        finish_add(call, engine, std::move(source), save_path);
    });

    dispatcher.add("torrent.list", [&engine](rpc_call const& call) {
        if (check_members(call, {})) {
            call.reply({{"torrents", engine.list()}});
        }
    });

    dispatcher.add("torrent.files", [&engine, &streams, &prober](rpc_call const& call) {
        if (!check_members(call, {"infoHash", "offset", "limit"})) {
            return;
        }
        auto const id = info_hash_param(call, engine);
        if (!id) {
            return;
        }
        for (auto const* key : {"offset", "limit"}) {
            if (call.params().contains(key) && !call.params()[key].is_number_integer()) {
                call.fail(error_code::invalid_params, std::string(key) + " must be an integer");
                return;
            }
        }
        auto const offset = call.params().value("offset", 0);
        auto const limit = call.params().value("limit", 200);
        if (offset < 0 || limit < 1 || limit > 1000) {
            call.fail(error_code::invalid_params, "offset must be >= 0 and limit between 1 and 1000");
            return;
        }
        auto const h = *engine.find(*id);
        auto reply = torrent::files_json(
            h, static_cast<std::size_t>(offset), static_cast<std::size_t>(limit),
            [&](int index, std::string const& path) { return streams.stream_url(*id, index, path); });
        // A bundle's locked item is listed as it streams: its plaintext's size and type, the stored size
        // beside.
        for (auto& file : reply["files"]) {
            auto const index = file["index"].get<int>();
            if (auto const* info = prober.known({*id, index})) {
                file["media"] = media::media_json(
                    *info, [&](int track) { return streams.subtitle_url(*id, index, track); });
            }
            auto const access = streams.access(*id, index);
            if (access.what != bundle::file_access::kind::plain) {
                file["storedSize"] = file["size"];
                file["size"] = access.plaintext_size;
                file["mime"] = access.media_type;
            }
        }
        call.reply(reply);
    });

    for (auto const* name : {"torrent.pause", "torrent.resume"}) {
        bool const pausing = std::string_view(name) == "torrent.pause";
        dispatcher.add(name, [&engine, pausing](rpc_call const& call) {
            if (!check_members(call, {"infoHash"})) {
                return;
            }
            if (auto const id = info_hash_param(call, engine)) {
                pausing ? engine.pause(*id) : engine.resume(*id);
                call.reply({{"infoHash", *id}});
            }
        });
    }

    dispatcher.add("torrent.remove", [&engine](rpc_call const& call) {
        if (!check_members(call, {"infoHash", "deleteFiles"})) {
            return;
        }
        auto const del = call.params().find("deleteFiles");
        if (del != call.params().end() && !del->is_boolean()) {
            call.fail(error_code::invalid_params, "deleteFiles must be true or false");
            return;
        }
        if (auto const id = info_hash_param(call, engine)) {
            engine.remove(*id, del != call.params().end() && del->get<bool>());
            call.reply({{"infoHash", *id}, {"removed", true}});
        }
    });

    dispatcher.add("torrent.setFilePriorities", [&engine](rpc_call const& call) {
        if (!check_members(call, {"infoHash", "files"})) {
            return;
        }
        auto const id = info_hash_param(call, engine);
        if (!id) {
            return;
        }
        auto const h = *engine.find(*id);
        auto const ti = h.torrent_file();
        if (!ti) {
            call.fail(error_code::file_not_found, "the torrent's metadata has not arrived yet");
            return;
        }
        auto const files = call.params().find("files");
        if (files == call.params().end() || !files->is_array() || files->size() > 100000) {
            call.fail(error_code::invalid_params, "files must be an array of {index, priority}");
            return;
        }
        auto priorities = h.get_file_priorities();
        for (auto const& f : *files) {
            if (!f.is_object() || !f.contains("index") || !f.contains("priority") ||
                !f["index"].is_number_integer() || !f["priority"].is_number_integer()) {
                call.fail(error_code::invalid_params, "each file must be {index, priority}");
                return;
            }
            auto const index = f["index"].get<long long>();
            auto const priority = f["priority"].get<long long>();
            if (index < 0 || index >= ti->num_files()) {
                call.fail(error_code::file_not_found, "no file " + std::to_string(index));
                return;
            }
            if (priority < 0 || priority > 7) {
                call.fail(error_code::invalid_params, "priority must be 0 (skip) to 7 (highest)");
                return;
            }
            priorities.resize(static_cast<std::size_t>(ti->num_files()), lt::default_priority);
            priorities[static_cast<std::size_t>(index)] =
                lt::download_priority_t(static_cast<std::uint8_t>(priority));
        }
        h.prioritize_files(priorities);
        call.reply({{"infoHash", *id}});
    });
}

} // namespace sluice::app
