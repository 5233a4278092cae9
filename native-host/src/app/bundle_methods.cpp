#include "app/bundle_methods.hpp"

#include "app/method_params.hpp"
#include "bundle/item_export.hpp"
#include "torrent/storage_placement.hpp"

#include <boost/asio/post.hpp>
#include <libtorrent/torrent_info.hpp>

namespace sluice::app {

using native_messaging::rpc_call;
using nlohmann::json;
using protocol::error_code;

namespace {

// A verified bundle's torrent named by "infoHash", or nullopt after answering the call.
std::optional<std::string> bundle_param(rpc_call const& call, torrent::torrent_engine const& engine,
                                        bundle::bundle_library const& library) {
    auto id = info_hash_param(call, engine);
    if (id && !library.is_bundle(*id)) {
        call.fail(error_code::bundle_not_found, "torrent " + *id + " is not a bundle");
        return std::nullopt;
    }
    return id;
}

// Stream URLs for what may be played now: free items, unlocked ones, subtitles and the cover.
void add_stream_urls(json& bundle, std::string const& id, stream::stream_server const& streams) {
    auto url = [&](json const& entry) {
        return streams.stream_url(id, entry.at("fileIndex").get<int>(), entry.at("path").get<std::string>());
    };
    if (bundle.contains("cover")) {
        bundle["cover"]["streamUrl"] = url(bundle["cover"]);
    }
    if (!bundle.contains("items")) {
        return;
    }
    for (auto& item : bundle["items"]) {
        if (item.at("access") == "free" || item.value("unlocked", false)) {
            item["streamUrl"] = url(item);
        }
        if (item.contains("subtitles")) {
            for (auto& track : item["subtitles"]) {
                track["streamUrl"] = url(track);
            }
        }
    }
}

// The approved translations kept for the bundle's items, after each item's own subtitles: {"lang", "label",
// "credit", "sha256", "translated": true, "streamUrl"}.
void add_translations(json& bundle, std::string const& id, std::vector<bundle::kept_translation> const& kept,
                      stream::stream_server const& streams) {
    for (auto const& k : kept) {
        for (auto& item : bundle["items"]) {
            if (item.at("path") == k.addon.item) {
                item["subtitles"].push_back({{"lang", k.addon.lang},
                                             {"label", k.addon.label},
                                             {"credit", k.addon.credit},
                                             {"sha256", k.track_sha256},
                                             {"translated", true},
                                             {"streamUrl", streams.translation_url(id, k.track_sha256)}});
            }
        }
    }
}

// Whether `folder` is `root` or below it, compared component by component once both are normalised (a
// destination the extension builds, like "<downloads>/Sluice exports/<bundle>/", is; "<downloads>/../x" is
// not).
bool inside(std::filesystem::path const& folder, std::filesystem::path const& root) {
    auto const f = folder.lexically_normal();
    auto const r = root.lexically_normal();
    auto fi = f.begin();
    for (auto ri = r.begin(); ri != r.end(); ++ri, ++fi) {
        if (ri->empty()) {
            continue; // the empty last element of a root written with a trailing slash
        }
        if (fi == f.end() || *fi != *ri) {
            return false;
        }
    }
    return true;
}

} // namespace

void add_bundle_methods(native_messaging::rpc_dispatcher& dispatcher, boost::asio::io_context& io,
                        boost::asio::thread_pool& workers, torrent::torrent_engine& engine,
                        bundle::bundle_library& library, stream::stream_server& streams,
                        bundle_translations translations, host_config const& config) {
    dispatcher.add("bundle.get", [&engine, &library, &streams, translations](rpc_call const& call) {
        if (!check_members(call, {"infoHash"})) {
            return;
        }
        auto const id = bundle_param(call, engine, library);
        if (!id) {
            return;
        }
        auto described = *library.describe(*id);
        add_stream_urls(described, *id, streams);
        if (auto const* manifest = library.manifest(*id)) {
            add_translations(described, *id, translations.shelf.fitting(*manifest), streams);
            translations.fetcher.refresh(*manifest);
        }
        call.reply(std::move(described));
    });

    dispatcher.add("bundle.deviceKey", [&library](rpc_call const& call) {
        if (check_members(call, {})) {
            call.reply(
                {{"deviceKey", protocol::encode_public_key("x25519", library.keys().device().public_key)}});
        }
    });

    dispatcher.add("bundle.redeem", [&library](rpc_call const& call) {
        if (!check_members(call, {"token"})) {
            return;
        }
        auto const token = string_param(call, "token", protocol::max_unlock_token_bytes);
        if (!token) {
            return;
        }
        auto const outcome = library.redeem(*token);
        if (outcome.no_bundle) {
            call.fail(error_code::bundle_not_found, outcome.detail);
            return;
        }
        if (outcome.problem != protocol::token_problem::none) {
            auto error = protocol::rpc_error::make(error_code::token_refused, outcome.detail);
            error.data["problem"] = std::string(protocol::to_string(outcome.problem));
            call.fail(std::move(error));
            return;
        }
        call.reply({{"bundleId", outcome.bundle_id}, {"items", outcome.items}});
    });

    dispatcher.add("bundle.export", [&io, &workers, &engine, &library, &config](rpc_call const& call) {
        if (!check_members(call, {"infoHash", "path", "destination"})) {
            return;
        }
        auto const id = bundle_param(call, engine, library);
        auto const path = id ? string_param(call, "path", 1024) : std::nullopt;
        auto const destination = path ? string_param(call, "destination", 4096) : std::nullopt;
        if (!destination) {
            return;
        }
        std::filesystem::path const target = std::filesystem::path(*destination).lexically_normal();
        auto const downloads = config.download_folder.empty() ? default_download_folder()
                                                              : std::filesystem::path(config.download_folder);
        if (target.is_absolute() && target.has_filename() && inside(target.parent_path(), downloads)) {
            std::error_code ignored;
            std::filesystem::create_directories(target.parent_path(), ignored);
        }
        if (!target.is_absolute() || !target.has_filename() ||
            !std::filesystem::is_directory(target.parent_path())) {
            call.fail(error_code::invalid_params,
                      "destination must be an absolute file path in an existing folder");
            return;
        }
        auto const file = library.item_file(*id, *path);
        if (!file) {
            call.fail(error_code::item_not_found, "the bundle has no item " + path->substr(0, 200));
            return;
        }
        auto const access = library.access(*id, *file);
        if (access.what == bundle::file_access::kind::locked) {
            call.fail(error_code::item_locked,
                      path->substr(0, 200) + " is locked: redeem an unlock token first");
            return;
        }
        auto const h = *engine.find(*id);
        auto const ti = h.torrent_file();
        lt::file_index_t const f(*file);
        auto const progress = h.file_progress(lt::torrent_handle::piece_granularity);
        if (progress.at(static_cast<std::size_t>(*file)) < ti->files().file_size(f)) {
            call.fail(error_code::item_incomplete, path->substr(0, 200) + " has not finished downloading");
            return;
        }
        auto const source = torrent::file_path_on_disk(h, f);
        boost::asio::post(workers, [&io, call, source, access, target] {
            auto result = bundle::export_item(source, access, target);
            boost::asio::post(io, [call, result = std::move(result), target] {
                if (!result.ok) {
                    call.fail(error_code::export_failed, result.error);
                    return;
                }
                call.reply({{"destination", target.string()}, {"bytes", result.bytes}});
            });
        });
    });
}

} // namespace sluice::app
