#include "app/media_methods.hpp"

#include "app/method_params.hpp"
#include "media/media_json.hpp"
#include "media/mime_types.hpp"
#include "media/sidecars.hpp"

#include <sluice/ffmpeg/codec_strings.hpp>
#include <sluice/ffmpeg/playback_plan.hpp>
#include <sluice/protocol/media_types.hpp>

#include <libtorrent/torrent_info.hpp>

namespace sluice::app {

using native_messaging::rpc_call;
using protocol::error_code;

namespace {

constexpr std::size_t max_playable = 64;
constexpr std::size_t max_question_bytes = 256;

struct media_file {
    std::string id;
    int index = 0;
    std::string url;
};

// The torrent and file a call names, streamable now: a locked item without its key cannot be read.
std::optional<media_file> file_param(rpc_call const& call, torrent::torrent_engine& engine,
                                     stream::stream_server& streams) {
    auto const id = info_hash_param(call, engine);
    if (!id) {
        return std::nullopt;
    }
    auto const index = call.params().find("fileIndex");
    if (index == call.params().end() || !index->is_number_integer() || index->get<long long>() < 0 ||
        index->get<long long>() > 1000000) {
        call.fail(error_code::invalid_params, "fileIndex must be an integer from 0");
        return std::nullopt;
    }
    auto const file = static_cast<int>(index->get<long long>());
    auto url = streams.file_url(*id, file);
    if (!url) {
        call.fail(error_code::file_not_found,
                  "no file " + std::to_string(file) + " in this torrent (or its metadata has not arrived)");
        return std::nullopt;
    }
    if (streams.access(*id, file).what == bundle::file_access::kind::locked) {
        call.fail(error_code::item_locked, "this item is locked: unlock it to play it");
        return std::nullopt;
    }
    return media_file{*id, file, std::move(*url)};
}

// Asks the prober, and answers the call itself when the probe fails.
void with_media(rpc_call const& call, media::media_prober& prober, media_file const& file,
                std::function<void(ffmpeg::media_info const&)> then) {
    prober.probe({file.id, file.index}, file.url,
                 [call, then = std::move(then)](media::probe_outcome const& outcome) {
                     if (auto const* failure = std::get_if<media::probe_failure>(&outcome)) {
                         call.fail(failure->code, failure->message);
                         return;
                     }
                     then(std::get<ffmpeg::media_info>(outcome));
                 });
}

char const* subtitle_codec_of(std::string const& path) {
    auto const ext = protocol::file_extension(path);
    return ext == "srt" ? "subrip" : ext == "vtt" ? "webvtt" : "ass";
}

// The torrent's subtitle files that go with this one, as tracks of their own.
nlohmann::json sidecar_tracks(torrent::torrent_engine& engine, stream::stream_server& streams,
                              media_file const& file) {
    auto tracks = nlohmann::json::array();
    auto const handle = engine.find(file.id);
    auto const ti = handle ? handle->torrent_file() : nullptr;
    if (!ti) {
        return tracks;
    }
    auto const& fs = ti->files();
    std::vector<std::pair<int, std::string>> files;
    for (auto const f : fs.file_range()) {
        if (!fs.pad_file_at(f) && static_cast<int>(f) != file.index) {
            files.emplace_back(static_cast<int>(f), fs.file_path(f));
        }
    }
    auto const path = fs.file_path(lt::file_index_t(file.index));
    for (auto const& sidecar : media::find_sidecars(path, files)) {
        auto const sidecar_path = fs.file_path(lt::file_index_t(sidecar.file_index));
        tracks.push_back({{"track", 0},
                          {"codec", subtitle_codec_of(sidecar_path)},
                          {"language", sidecar.language},
                          {"title", ""},
                          {"text", true},
                          {"sidecar", true},
                          {"url", streams.subtitle_url(file.id, sidecar.file_index, 0)}});
    }
    return tracks;
}

// "playable": the questions this browser said yes to.
std::optional<std::set<std::string, std::less<>>> playable_param(rpc_call const& call) {
    auto const it = call.params().find("playable");
    std::set<std::string, std::less<>> out;
    if (it == call.params().end()) {
        return out;
    }
    if (!it->is_array() || it->size() > max_playable) {
        call.fail(error_code::invalid_params, "playable must be an array of at most 64 strings");
        return std::nullopt;
    }
    for (auto const& q : *it) {
        if (!q.is_string() || q.get_ref<std::string const&>().size() > max_question_bytes) {
            call.fail(error_code::invalid_params, "playable must hold strings of at most 256 bytes");
            return std::nullopt;
        }
        out.insert(q.get<std::string>());
    }
    return out;
}

// media.open's answer: how the file plays, from where (a converted stream starts at `start`, in its URL).
nlohmann::json open_answer(stream::stream_server& streams, media_file const& file,
                           ffmpeg::media_info const& info, ffmpeg::playback_plan const& plan, double start) {
    auto const direct = plan.how == ffmpeg::playback_plan::mode::direct;
    auto const access = streams.access(file.id, file.index);
    std::string const mime = !direct ? ffmpeg::converted_type(plan)
                             : access.what != bundle::file_access::kind::plain
                                 ? access.media_type
                                 : std::string(media::mime_type_for(file.url));
    auto url = direct ? file.url : streams.converted_url(file.id, file.index, ffmpeg::plan_segment(plan));
    if (!direct && start > 0) {
        std::array<char, 32> at{};
        std::snprintf(at.data(), at.size(), "%.6f", start);
        url += std::string("?t=") + at.data();
    }
    return {{"mode", ffmpeg::mode_name(plan.how)},
            {"url", url},
            {"start", start},
            {"mime", mime},
            {"duration", info.duration ? nlohmann::json(*info.duration) : nlohmann::json(nullptr)},
            {"video", ffmpeg::action_name(plan.video)},
            {"audio", ffmpeg::action_name(plan.audio)},
            {"audioTrack", plan.audio_track}};
}

} // namespace

void add_media_methods(native_messaging::rpc_dispatcher& dispatcher, torrent::torrent_engine& engine,
                       stream::stream_server& streams, media::media_prober& prober) {
    dispatcher.add("media.probe", [&engine, &streams, &prober](rpc_call const& call) {
        if (!check_members(call, {"infoHash", "fileIndex"})) {
            return;
        }
        auto const file = file_param(call, engine, streams);
        if (!file) {
            return;
        }
        with_media(
            call, prober, *file, [call, &engine, &streams, file = *file](ffmpeg::media_info const& info) {
                auto media = media::media_json(
                    info, [&](int track) { return streams.subtitle_url(file.id, file.index, track); });
                for (auto& track : sidecar_tracks(engine, streams, file)) {
                    media["subtitles"].push_back(std::move(track));
                }
                call.reply({{"media", std::move(media)}, {"questions", ffmpeg::questions_for(info).all()}});
            });
    });

    dispatcher.add("media.open", [&engine, &streams, &prober](rpc_call const& call) {
        if (!check_members(call, {"infoHash", "fileIndex", "playable", "audio", "start"})) {
            return;
        }
        auto const file = file_param(call, engine, streams);
        auto const playable = file ? playable_param(call) : std::nullopt;
        if (!playable) {
            return;
        }
        std::optional<int> audio;
        if (auto const it = call.params().find("audio"); it != call.params().end()) {
            if (!it->is_number_integer() || it->get<long long>() < 0 || it->get<long long>() > 99) {
                call.fail(error_code::invalid_params, "audio must be an integer from 0 to 99");
                return;
            }
            audio = static_cast<int>(it->get<long long>());
        }
        double start = 0;
        if (auto const it = call.params().find("start"); it != call.params().end()) {
            if (!it->is_number() || !(it->get<double>() >= 0) || it->get<double>() > 1e7) {
                call.fail(error_code::invalid_params, "start must be a number of seconds from 0");
                return;
            }
            start = it->get<double>();
        }
        with_media(call, prober, *file,
                   [call, &streams, &prober, file = *file, playable = *playable, audio,
                    start](ffmpeg::media_info const& info) {
                       std::string why;
                       auto const plan = ffmpeg::plan_playback(info, playable, audio, why);
                       if (!plan) {
                           call.fail(audio && !info.audio.empty() ? error_code::invalid_params
                                                                  : error_code::media_unplayable,
                                     why);
                           return;
                       }
                       auto const direct = plan->how == ffmpeg::playback_plan::mode::direct;
                       if (!direct && !streams.conversion_place_free()) {
                           call.fail(error_code::media_busy,
                                     "every place for a conversion is taken; try again when a stream ends");
                           return;
                       }
                       if (direct || start <= 0 || !ffmpeg::starts_at_keyframe(info, *plan)) {
                           call.reply(open_answer(streams, file, info, *plan, direct ? 0 : start));
                           return;
                       }
                       prober.keyframe(file.url, info, start,
                                       [call, &streams, file, info, plan = *plan](double at) {
                                           call.reply(open_answer(streams, file, info, plan, at));
                                       });
                   });
    });
}

} // namespace sluice::app
