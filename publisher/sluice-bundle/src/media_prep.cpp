#include "sluice-bundle/media_prep.hpp"

#include <sluice/ffmpeg/codec_strings.hpp>
#include <sluice/ffmpeg/tool_child.hpp>
#include <sluice/ffmpeg/tools.hpp>

#include <boost/asio/io_context.hpp>

#include <set>

namespace sluice::publisher {

namespace {

// A conversion of a whole film at a careful preset takes a while; a probe does not.
constexpr auto probe_timeout = std::chrono::seconds(60);
constexpr auto conversion_timeout = std::chrono::hours(12);

ffmpeg::tool_result run(fs::path const& program, std::vector<std::string> const& arguments,
                        ffmpeg::child_limits limits, std::chrono::milliseconds timeout) {
    boost::asio::io_context io;
    ffmpeg::tool_result result;
    ffmpeg::run_tool(io, program, arguments, limits, 1 << 20, timeout,
                     [&](ffmpeg::tool_result r) { result = std::move(r); });
    io.run();
    return result;
}

std::string describe(ffmpeg::media_info const& info) {
    std::string out = info.container + ":";
    if (info.video) {
        out += " " + info.video->codec + " video";
    }
    if (auto const track = ffmpeg::default_audio_track(info); track >= 0) {
        out += std::string(info.video ? "," : "") + " " + info.audio[static_cast<std::size_t>(track)].codec +
               " audio";
    }
    return out;
}

} // namespace

std::optional<media_verdict> judge_media(fs::path const& file, std::string& why) {
    auto const tools = ffmpeg::find_tools();
    if (!tools) {
        why = "ffprobe is not installed (Debian and Ubuntu: sudo apt install ffmpeg)";
        return std::nullopt;
    }
    ffmpeg::child_limits limits;
    limits.memory_bytes = std::uint64_t{1} << 30;
    limits.cpu_seconds = 30;
    auto const probed = run(tools->ffprobe, ffmpeg::probe_arguments(file.string()), limits, probe_timeout);
    if (!probed.ok) {
        why = probed.error;
        return std::nullopt;
    }
    media_verdict verdict;
    auto info = ffmpeg::read_probe(probed.output, why);
    if (!info) {
        return std::nullopt;
    }
    verdict.info = std::move(*info);
    verdict.what = describe(verdict.info);
    std::set<std::string, std::less<>> everywhere;
    for (auto const& q : ffmpeg::questions_for(verdict.info).all()) {
        if (ffmpeg::plays_in_every_browser(q)) {
            everywhere.insert(q);
        }
    }
    auto plan = ffmpeg::plan_playback(verdict.info, everywhere, std::nullopt, why);
    if (!plan) {
        return std::nullopt;
    }
    verdict.plan = *plan;
    verdict.plays_everywhere = plan->how == ffmpeg::playback_plan::mode::direct;
    return verdict;
}

status prepare_media(fs::path const& source, media_verdict const& verdict, fs::path const& target) {
    auto const tools = ffmpeg::find_tools();
    if (!tools) {
        return status::failure("--prepare-media needs ffmpeg (Debian and Ubuntu: sudo apt install ffmpeg)");
    }
    ffmpeg::conversion_output output;
    output.what = ffmpeg::conversion_output::kind::file;
    output.path = target.string();
    auto const done = run(
        tools->ffmpeg, ffmpeg::conversion_arguments(verdict.info, verdict.plan, source.string(), 0, output),
        {std::uint64_t{4} << 30, 0}, conversion_timeout);
    if (!done.ok) {
        return status::failure("cannot convert " + source.string() + ": " + done.error);
    }
    return ok();
}

} // namespace sluice::publisher
