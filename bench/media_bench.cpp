// media_bench: what a file converted by sluice-host (media.open, /m/ URLs: ffmpeg run by the host, reading
// the file through the host's own stream URL, fragmented MP4 out) costs, next to ffmpeg alone doing the same
// conversion with the same arguments, measured in the same run:
//
//   remux            the H.264 + AAC file, both streams copied (copy-copy-0): CPU per minute of media
//   audio transcode  the H.264 + AC-3 5.1 file, video copied, audio to AAC stereo (copy-convert-0): real-time
//                    factor
//   full transcode   the same file, both converted at the host's fast preset (convert-convert-0): real-time
//                    factor
//   first byte       of each converted stream, against the first byte of the same file's own /s/ stream
//
// The two files and their .torrent are made once with ffmpeg and kept in the cache folder; the seed, the host
// and its sandbox live and die with the run.

#include "support/args.hpp"
#include "support/bench_main.hpp"
#include "support/files.hpp"
#include "support/host_client.hpp"
#include "support/interrupt.hpp"
#include "support/loopback_http.hpp"
#include "support/lt_seed_process.hpp"
#include "support/processes.hpp"
#include "support/progress.hpp"
#include "support/reaped_cpu.hpp"
#include "support/run_program.hpp"
#include "support/stats.hpp"
#include "support/timing.hpp"

#include <sluice/ffmpeg/media_info.hpp>
#include <sluice/ffmpeg/playback_plan.hpp>
#include <sluice/ffmpeg/tools.hpp>

#include <libtorrent/create_torrent.hpp>
#include <libtorrent/file_storage.hpp>
#include <libtorrent/torrent_info.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#ifndef SLUICE_BENCH_HOST_EXE
#define SLUICE_BENCH_HOST_EXE ""
#endif
#ifndef SLUICE_BENCH_LT_SEED_EXE
#define SLUICE_BENCH_LT_SEED_EXE ""
#endif
#ifndef SLUICE_BENCH_CACHE_DIR
#define SLUICE_BENCH_CACHE_DIR "build/bench-cache"
#endif

namespace {

namespace bench = sluice::bench;
namespace ffmpeg = sluice::ffmpeg;
namespace fs = std::filesystem;
namespace lt = libtorrent;
using namespace std::chrono_literals;
using bench::bench_error;
using bench::host_client;
using bench::median;
using bench::ms_between;
using bench::say;
using bench::seconds_between;
using std::chrono::steady_clock;

constexpr char const* program = "media_bench";

constexpr char const* usage =
    "usage: media_bench [--runs N] [--seconds N] [--json] [--host PATH] [--lt-seed PATH] [--cache DIR]\n"
    "  --runs N       measured runs of each figure (default: 3)\n"
    "  --seconds N    length of the test files (default: 60)\n"
    "  --json         print the figures as one JSON object instead of the table (progress goes to stderr)\n"
    "  --host PATH    the sluice-host binary (default: " SLUICE_BENCH_HOST_EXE ")\n"
    "  --lt-seed PATH the lt_seed helper (default: " SLUICE_BENCH_LT_SEED_EXE ")\n"
    "  --cache DIR    where the test files are kept (default: " SLUICE_BENCH_CACHE_DIR ")\n";

// What a first-byte probe reads of a stream: enough to check the bytes, too little to wait for more.
constexpr std::uint64_t sample_bytes = 4096;
// Kept of each converted body: the head holds ftyp and moov, the tail the fragment index (mfra).
constexpr std::size_t mp4_keep = 64 * 1024;

struct options {
    int runs = 3;
    int seconds = 60;
    bool json = false;
    fs::path host = SLUICE_BENCH_HOST_EXE;
    fs::path lt_seed = SLUICE_BENCH_LT_SEED_EXE;
    fs::path cache = SLUICE_BENCH_CACHE_DIR;
};

fs::path log_dir;

// ---- the test files ----

// 1280x720 at 30 fps, H.264 from libx264 at -preset veryfast (its default GOP), in Matroska, once with AC-3
// 5.1 at 448 kb/s (a film as it is often shared, which browsers cannot play) and once with AAC stereo at 192
// kb/s (the same video with audio browsers decode, so that only the container is in the way).
struct test_file {
    std::string name;
    fs::path path;
    std::string audio_codec;
    int channels = 0;
    ffmpeg::media_info info{}; // ffprobe's view of the cached file, as the reference reads it
};

struct media_set {
    fs::path save_path; // the torrent's save path: the folder above `folder`
    std::string folder_name;
    fs::path torrent_file;
    std::string torrent_bytes;
    std::string info_hash;
    test_file aac;
    test_file ac3;

    std::string magnet(std::string const& peer) const {
        return "magnet:?xt=urn:btih:" + info_hash + "&dn=" + bench::percent_encode(folder_name) +
               "&x.pe=" + peer;
    }
};

ffmpeg::tool_paths find_ffmpeg() {
    // The same lookup as the host's, so the reference runs the very ffmpeg the host runs.
    auto const tools = ffmpeg::find_tools();
    if (!tools) {
        throw bench_error("ffmpeg and ffprobe are not installed (apt-get install ffmpeg)");
    }
    return *tools;
}

std::string six_tones(int seconds) {
    // A different tone per channel, so that a downmix that dropped one would be audible and not only counted.
    return "aevalsrc=0.2*sin(2*PI*440*t)|0.2*sin(2*PI*550*t)|0.2*sin(2*PI*660*t)|0.2*sin(2*PI*110*t)|"
           "0.2*sin(2*PI*770*t)|0.2*sin(2*PI*880*t):c=5.1:s=48000:d=" +
           std::to_string(seconds);
}

void make_files(options const& o, ffmpeg::tool_paths const& tools, media_set const& m) {
    auto const folder = m.save_path / m.folder_name;
    auto const work = m.save_path / "work";
    std::error_code ec;
    fs::remove_all(folder, ec);
    fs::remove_all(work, ec);
    fs::create_directories(folder);
    fs::create_directories(work);
    auto const length = std::to_string(o.seconds);
    auto const video = work / "video.mkv";
    say("data: encoding %s s of 1280x720 30 fps H.264 (libx264 -preset veryfast) ...\n", length.c_str());
    auto const t0 = steady_clock::now();
    bench::run_tool(tools.ffmpeg,
                    {"-nostdin", "-hide_banner", "-loglevel", "error", "-y", "-f", "lavfi", "-i",
                     "testsrc2=size=1280x720:rate=30:duration=" + length, "-c:v", "libx264", "-preset",
                     "veryfast", "-pix_fmt", "yuv420p", video.string()},
                    work / "video");
    auto const mux = [&](test_file const& f, std::string const& audio_source,
                         std::vector<std::string> codec) {
        // Written under another name and renamed: a file of the final name is a complete one.
        auto const partial = work / ("partial-" + f.name);
        std::vector<std::string> args{"-nostdin",   "-hide_banner", "-loglevel", "error", "-y",
                                      "-i",         video.string(), "-f",        "lavfi", "-i",
                                      audio_source, "-map",         "0:v",       "-map",  "1:a",
                                      "-c:v",       "copy",         "-shortest"};
        args.insert(args.end(), codec.begin(), codec.end());
        args.push_back(partial.string());
        bench::run_tool(tools.ffmpeg, args, work / f.name);
        fs::rename(partial, f.path);
    };
    mux(m.ac3, six_tones(o.seconds), {"-c:a", "ac3", "-b:a", "448k"});
    mux(m.aac, "aevalsrc=0.2*sin(2*PI*440*t)|0.2*sin(2*PI*550*t):c=stereo:s=48000:d=" + length,
        {"-c:a", "aac", "-b:a", "192k"});
    fs::remove_all(work, ec);
    say("data: made in %.1f s\n", seconds_between(t0, steady_clock::now()));
}

std::string make_torrent(media_set const& m) {
    lt::file_storage storage;
    lt::add_files(storage, (m.save_path / m.folder_name).string());
    lt::create_torrent ct(storage, 256 * 1024, lt::create_torrent::v1_only);
    ct.set_creator(program);
    lt::set_piece_hashes(ct, m.save_path.string());
    auto const buf = ct.generate_buf();
    return {buf.begin(), buf.end()};
}

ffmpeg::media_info probe_file(ffmpeg::tool_paths const& tools, test_file const& f) {
    auto const answer = bench::run_tool(tools.ffprobe, ffmpeg::probe_arguments(f.path.string()),
                                        log_dir / ("ffprobe-" + f.name));
    std::string error;
    auto info = ffmpeg::read_probe(answer, error);
    if (!info) {
        throw bench_error("ffprobe's answer on " + f.path.string() + " cannot be read: " + error);
    }
    if (!info->video || info->video->codec != "h264" || info->video->width != 1280 ||
        info->video->height != 720 || info->audio.size() != 1 || info->audio[0].codec != f.audio_codec ||
        info->audio[0].channels != f.channels) {
        throw bench_error(f.path.string() + " is not 1280x720 H.264 with one " + f.audio_codec +
                          " track of " + std::to_string(f.channels) + " channels; delete it");
    }
    return *info;
}

media_set prepare_files(options const& o, ffmpeg::tool_paths const& tools) {
    media_set m;
    auto const tag = std::to_string(o.seconds) + "s";
    m.save_path = o.cache / ("media-" + tag);
    m.folder_name = "sluice-media-bench-" + tag;
    m.torrent_file = o.cache / (m.folder_name + ".torrent");
    auto const folder = m.save_path / m.folder_name;
    m.aac = {.name = "h264-aac-stereo.mkv",
             .path = folder / "h264-aac-stereo.mkv",
             .audio_codec = "aac",
             .channels = 2};
    m.ac3 = {
        .name = "h264-ac3-5.1.mkv", .path = folder / "h264-ac3-5.1.mkv", .audio_codec = "ac3", .channels = 6};

    std::error_code ec;
    bool const have_files = fs::exists(m.aac.path, ec) && fs::exists(m.ac3.path, ec);
    m.torrent_bytes = have_files ? bench::read_text(m.torrent_file) : std::string();
    if (m.torrent_bytes.empty()) {
        fs::remove(m.torrent_file, ec);
        make_files(o, tools, m);
        m.torrent_bytes = make_torrent(m);
        // Written last and renamed into place: its presence says the folder beside it is complete.
        auto const partial = fs::path(m.torrent_file.string() + ".partial");
        std::ofstream(partial, std::ios::binary | std::ios::trunc) << m.torrent_bytes;
        fs::rename(partial, m.torrent_file);
    } else {
        say("data: reusing %s and its .torrent\n", folder.c_str());
    }
    lt::torrent_info const ti(
        lt::span<char const>(m.torrent_bytes.data(), static_cast<long>(m.torrent_bytes.size())),
        lt::from_span);
    auto const& files = ti.files();
    std::uint64_t on_disk = 0;
    for (auto const* f : {&m.aac, &m.ac3}) {
        on_disk += fs::file_size(f->path, ec);
    }
    if (ti.name() != m.folder_name || files.num_files() != 2 ||
        static_cast<std::uint64_t>(ti.total_size()) != on_disk) {
        throw bench_error(m.torrent_file.string() + " does not describe " + folder.string() +
                          "; delete both");
    }
    std::ostringstream hex;
    hex << ti.info_hashes().v1;
    m.info_hash = hex.str();
    m.aac.info = probe_file(tools, m.aac);
    m.ac3.info = probe_file(tools, m.ac3);
    return m;
}

// ---- checking what the host sent ----

std::uint64_t big_endian(std::string_view bytes, std::size_t at, std::size_t n) {
    std::uint64_t value = 0;
    for (std::size_t i = 0; i < n; ++i) {
        value = (value << 8) | static_cast<unsigned char>(bytes[at + i]);
    }
    return value;
}

struct mp4_box {
    std::string_view type;
    std::string_view body;
};

// The boxes one after the other in `bytes`; stops at one that does not fit.
std::vector<mp4_box> boxes_in(std::string_view bytes) {
    std::vector<mp4_box> out;
    std::size_t at = 0;
    while (at + 8 <= bytes.size()) {
        auto size = big_endian(bytes, at, 4);
        std::size_t header = 8;
        if (size == 1 && at + 16 <= bytes.size()) {
            size = big_endian(bytes, at + 8, 8);
            header = 16;
        } else if (size == 0) {
            size = bytes.size() - at;
        }
        if (size < header || size > bytes.size() - at) {
            break;
        }
        out.push_back({bytes.substr(at + 4, 4), bytes.substr(at + header, size - header)});
        at += size;
    }
    return out;
}

std::optional<std::string_view> box_of(std::string_view bytes, std::string_view type) {
    for (auto const& b : boxes_in(bytes)) {
        if (b.type == type) {
            return b.body;
        }
    }
    return std::nullopt;
}

struct mp4_track {
    std::string handler; // "vide", "soun"
    std::uint64_t timescale = 0;
    std::optional<double> last_fragment_s; // where the last fragment the index lists starts
};

// A converted stream is only a figure if ffmpeg got through the whole file: a fragmented MP4 that begins with
// ftyp and moov and ends with the fragment index ffmpeg writes last (mfra), whose last fragment of each track
// starts near the end of the media. ffmpeg that lost its input half-way still ends cleanly, with an index
// that stops where the input did.
std::map<std::uint64_t, mp4_track> read_fragmented_mp4(bench::http_response const& r,
                                                       std::string const& who) {
    auto const head = std::string_view(r.head);
    auto const tail = std::string_view(r.tail);
    if (head.size() < 8 || head.substr(4, 4) != "ftyp") {
        throw bench_error(who + " is not an MP4 stream (it does not begin with ftyp)");
    }
    auto const moov = box_of(head, "moov");
    if (!moov) {
        throw bench_error(who + " has no moov box in its first " + std::to_string(head.size()) + " bytes");
    }
    std::map<std::uint64_t, mp4_track> tracks;
    for (auto const& trak : boxes_in(*moov)) {
        if (trak.type != "trak") {
            continue;
        }
        auto const tkhd = box_of(trak.body, "tkhd");
        auto const mdia = box_of(trak.body, "mdia");
        auto const mdhd = mdia ? box_of(*mdia, "mdhd") : std::nullopt;
        auto const hdlr = mdia ? box_of(*mdia, "hdlr") : std::nullopt;
        if (!tkhd || !mdhd || !hdlr || tkhd->size() < 24 || mdhd->size() < 24 || hdlr->size() < 12) {
            throw bench_error(who + " has a track without tkhd, mdhd or hdlr");
        }
        // Version 1 widens the two times before each field to 64 bits.
        auto const id = big_endian(*tkhd, (*tkhd)[0] == 1 ? 20 : 12, 4);
        auto const timescale = big_endian(*mdhd, (*mdhd)[0] == 1 ? 20 : 12, 4);
        tracks[id] = {std::string(hdlr->substr(8, 4)), timescale, std::nullopt};
    }
    // mfro, the last 16 bytes, gives the size of mfra, which ends the stream.
    if (tail.size() < 16 || tail.substr(tail.size() - 12, 4) != "mfro") {
        throw bench_error(who + " does not end with ffmpeg's fragment index (mfra): ffmpeg did not finish");
    }
    auto const mfra_size = big_endian(tail, tail.size() - 4, 4);
    if (mfra_size > tail.size() || tail.substr(tail.size() - mfra_size + 4, 4) != "mfra") {
        throw bench_error(who + " ends with a fragment index that does not fit in its last " +
                          std::to_string(tail.size()) + " bytes");
    }
    auto const mfra = tail.substr(tail.size() - mfra_size + 8, mfra_size - 8);
    for (auto const& tfra : boxes_in(mfra)) {
        if (tfra.type != "tfra" || tfra.body.size() < 16) {
            continue;
        }
        auto const& b = tfra.body;
        bool const wide = b[0] == 1;
        auto const id = big_endian(b, 4, 4);
        auto const sizes = big_endian(b, 8, 4);
        auto const entries = big_endian(b, 12, 4);
        std::size_t const time_bytes = wide ? 8 : 4;
        std::size_t const entry_bytes =
            2 * time_bytes + ((sizes >> 4) & 3) + 1 + ((sizes >> 2) & 3) + 1 + (sizes & 3) + 1;
        auto const it = tracks.find(id);
        if (entries == 0 || it == tracks.end() || it->second.timescale == 0 ||
            16 + entries * entry_bytes > b.size()) {
            throw bench_error(who + " has a fragment index that does not match its tracks");
        }
        auto const last = big_endian(b, 16 + (entries - 1) * entry_bytes, time_bytes);
        it->second.last_fragment_s = static_cast<double>(last) / static_cast<double>(it->second.timescale);
    }
    return tracks;
}

void check_converted(bench::http_response const& r, double duration, std::string const& who) {
    if (r.status != 200) {
        throw bench_error(who + " answered " + std::to_string(r.status) +
                          ", not 200: " + r.head.substr(0, 300));
    }
    auto const tracks = read_fragmented_mp4(r, who);
    int video = 0;
    int audio = 0;
    for (auto const& [id, t] : tracks) {
        video += t.handler == "vide";
        audio += t.handler == "soun";
        if (!t.last_fragment_s) {
            throw bench_error(who + ": track " + std::to_string(id) + " is not in the fragment index");
        }
        // Fragments are cut every 2 s of media (-frag_duration) where a keyframe allows: audio's every
        // 2 s, copied video's at the source's keyframes (libx264's default GOP: at most 250 frames, 8.3 s).
        double const slack = t.handler == "vide" ? 10 : 5;
        if (*t.last_fragment_s < duration - slack || *t.last_fragment_s > duration + 1) {
            char text[160];
            std::snprintf(text, sizeof text, "its last %s fragment starts at %.1f s of %.1f s",
                          t.handler == "vide" ? "video" : "audio", *t.last_fragment_s, duration);
            throw bench_error(who + " is not the whole file: " + text + " (" + std::to_string(r.body_bytes) +
                              " bytes)");
        }
    }
    if (video != 1 || audio != 1) {
        throw bench_error(who + " holds " + std::to_string(video) + " video and " + std::to_string(audio) +
                          " audio tracks, not one of each");
    }
}

// ffmpeg is reaped by the owner before the response ends (its output's end is what ends the response), so
// once the body is read no child may be left; one that is would take its CPU time out of the figure.
void wait_for_no_children(pid_t owner, std::string const& who) {
    auto const deadline = steady_clock::now() + 5s;
    for (;;) {
        std::string left;
        for (auto const& p : bench::list_processes()) {
            if (p.ppid == owner) {
                left += " " + p.comm + " (" + std::to_string(p.pid) + ", state " + p.state + ")";
            }
        }
        if (left.empty()) {
            return;
        }
        if (steady_clock::now() > deadline) {
            throw bench_error("after " + who + " ended, the host's owner still has children:" + left);
        }
        std::this_thread::sleep_for(10ms);
    }
}

// ---- the measurements ----

struct host_file {
    test_file const* file = nullptr;
    int index = -1;
    std::string stream_url;
    double duration = 0;
    // media.probe's: the file as it is, its video in MP4, its audio in MP4.
    std::vector<std::string> questions;
};

struct conversion {
    std::string key; // in the JSON
    std::string label;
    host_file const* file = nullptr;
    std::string url;
    std::vector<std::string> reference_args;
};

struct host_read {
    double wall_s = 0;
    double first_byte_ms = 0;
    double cpu_s = 0;        // the owner and the children it reaped
    double ffmpeg_cpu_s = 0; // of which its ffmpeg
    std::uint64_t bytes = 0;
};

struct reference_run {
    double wall_s = 0;
    double cpu_s = 0;
};

host_read read_through_host(host_client& host, conversion const& c) {
    auto const owner = host.owner_pid();
    auto const [port, target] = bench::split_url(c.url);
    auto const who = "the " + c.label + " stream through sluice-host";
    auto const cpu0 = bench::cpu_with_reaped_children(owner);
    auto const r = bench::http_get(
        {.port = port, .target = target, .keep = mp4_keep, .timeout = std::chrono::seconds(120)});
    wait_for_no_children(owner, who);
    auto const cpu1 = bench::cpu_with_reaped_children(owner);
    if (std::isnan(cpu1.total())) {
        throw bench_error("the host's owner left during " + who);
    }
    check_converted(r, c.file->duration, who);
    return {.wall_s = seconds_between(r.sent, r.done),
            .first_byte_ms = ms_between(r.sent, r.first_byte),
            .cpu_s = cpu1.total() - cpu0.total(),
            .ffmpeg_cpu_s = cpu1.reaped_children - cpu0.reaped_children,
            .bytes = r.body_bytes};
}

reference_run run_reference(ffmpeg::tool_paths const& tools, conversion const& c) {
    auto const err = log_dir / ("reference-" + c.key + ".err");
    auto const cpu0 = bench::reaped_children_cpu_seconds();
    auto const r = bench::run_measured(tools.ffmpeg, c.reference_args, {}, err);
    auto const cpu = bench::reaped_children_cpu_seconds() - cpu0;
    if (r.exit_code != 0) {
        throw bench_error("ffmpeg alone (" + c.label + ") failed with exit code " +
                          std::to_string(r.exit_code) + ": " + bench::tail_of_file(err, 1500));
    }
    return {.wall_s = r.seconds, .cpu_s = cpu};
}

// The first byte of the file's own stream, as a player that plays it as it is gets it.
double direct_first_byte_ms(host_file const& f) {
    auto const [port, target] = bench::split_url(f.stream_url);
    auto const r = bench::http_get({.port = port, .target = target, .max_body = sample_bytes});
    if (r.status != 200 || r.body_bytes == 0) {
        throw bench_error("the /s/ stream of " + f.file->name + " answered " + std::to_string(r.status));
    }
    std::string start(r.head.size(), '\0');
    std::ifstream(f.file->path, std::ios::binary)
        .read(start.data(), static_cast<std::streamsize>(start.size()));
    if (r.head != start) {
        throw bench_error("the /s/ stream of " + f.file->name + " sent bytes that are not the file's");
    }
    return ms_between(r.sent, r.first_byte);
}

host_file find_file(host_client& host, std::string const& hash, test_file const& f) {
    auto const files = host.call("torrent.files", {{"infoHash", hash}})["files"];
    for (auto const& entry : files) {
        if (fs::path(entry["path"].get<std::string>()).filename() == f.name) {
            host_file h;
            h.file = &f;
            h.index = entry["index"].get<int>();
            h.stream_url = entry["streamUrl"].get<std::string>();
            auto const probe = host.call("media.probe", {{"infoHash", hash}, {"fileIndex", h.index}}, 120s);
            if (!probe["media"]["duration"].is_number()) {
                throw bench_error("media.probe gives no duration for " + f.name + ": " + probe.dump());
            }
            h.duration = probe["media"]["duration"].get<double>();
            h.questions = probe["questions"].get<std::vector<std::string>>();
            if (h.questions.size() != 3) {
                throw bench_error(
                    "media.probe asks " + std::to_string(h.questions.size()) + " questions about " + f.name +
                    ", not 3 (as it is, video in MP4, audio in MP4): " + probe["questions"].dump());
            }
            return h;
        }
    }
    throw bench_error("torrent.files does not list " + f.name + ": " + files.dump().substr(0, 600));
}

// media.open with the questions a browser would have said yes to; the plan it answers must be the one asked
// for, and the reference gets the arguments the host builds for that plan, with the cached file as input.
conversion open_conversion(host_client& host, std::string const& hash, std::string key, std::string label,
                           host_file const& f, std::vector<std::string> const& playable,
                           std::string const& expected) {
    auto const open =
        host.call("media.open", {{"infoHash", hash}, {"fileIndex", f.index}, {"playable", playable}});
    auto const got = open.value("mode", "") + " " + open.value("video", "") + " " + open.value("audio", "");
    if (got != expected) {
        throw bench_error("media.open for the " + label + " answered " + open.dump() + ", not " + expected);
    }
    conversion c{std::move(key), std::move(label), &f, open["url"].get<std::string>(), {}};
    auto const segment = c.url.substr(c.url.rfind('/') + 1);
    auto const plan = ffmpeg::read_plan_segment(segment, f.file->info);
    if (!plan) {
        throw bench_error("the converted URL " + c.url + " names no plan this bench can read");
    }
    c.reference_args = ffmpeg::conversion_arguments(f.file->info, *plan, f.file->path.string(), 0);
    return c;
}

struct figures {
    std::vector<double> host_wall_s;
    std::vector<double> host_cpu_s;
    std::vector<double> host_ffmpeg_cpu_s;
    std::vector<double> host_first_byte_ms;
    std::vector<double> reference_wall_s;
    std::vector<double> reference_cpu_s;
    std::uint64_t bytes = 0;
};

struct row {
    std::string what;
    std::string unit;
    double host = 0;
    double reference = 0;
    std::string reference_name;
    int decimals = 2;
};

std::string figure_text(double v, row const& r) {
    char buf[48];
    std::snprintf(buf, sizeof buf, "%.*f %s", r.decimals, v, r.unit.c_str());
    return buf;
}

int run(options const& o) {
    if (o.json) {
        bench::progress_to_stderr();
    }
    auto const t0 = steady_clock::now();
    say("media_bench: sluice-host %s, %d runs, load %s\n", o.host.c_str(), o.runs,
        bench::load_average().c_str());
    auto const tools = find_ffmpeg();
    fs::create_directories(o.cache);
    bench::temp_dir logs("media-bench-logs");
    log_dir = logs.path();
    auto const m = prepare_files(o, tools);

    bench::lt_seed_process seed(o.lt_seed, m.torrent_file, m.save_path, log_dir / "lt_seed.log");
    host_client host(o.host);
    host.call("host.hello");
    auto const added = steady_clock::now();
    auto const hash = host.call("torrent.add", {{"uri", m.magnet(seed.endpoint())},
                                                {"savePath", host.downloads().string()}})["infoHash"]
                          .get<std::string>();
    // The whole torrent first: what is measured is the conversion, not the swarm.
    for (;;) {
        bench::check_interrupted();
        auto const st = host.status_of(hash);
        if (st["progress"].get<double>() >= 1.0) {
            break;
        }
        if (st["state"] == "error" || steady_clock::now() - added > 300s) {
            throw bench_error("the host did not download the test files from lt_seed: " + st.dump());
        }
        std::this_thread::sleep_for(50ms);
    }
    say("host downloaded both files from lt_seed on %s in %.1f s\n", seed.endpoint().c_str(),
        seconds_between(added, steady_clock::now()));

    auto const aac = find_file(host, hash, m.aac);
    auto const ac3 = find_file(host, hash, m.ac3);
    // Every question but the file as it is: its video and its audio in MP4.
    std::vector<conversion> const conversions{
        open_conversion(host, hash, "remux", "remux", aac, {aac.questions[1], aac.questions[2]},
                        "remux copy copy"),
        open_conversion(host, hash, "audioTranscode", "audio transcode", ac3, {ac3.questions[1]},
                        "transcode copy transcode"),
        open_conversion(host, hash, "fullTranscode", "full transcode", ac3, {},
                        "transcode transcode transcode"),
    };
    for (auto const& c : conversions) {
        say("%-16s %s (%.1f s): %s\n", c.label.c_str(), c.file->file->name.c_str(), c.file->duration,
            c.url.substr(c.url.rfind('/') + 1).c_str());
    }

    // Unmeasured once each: the host's copy of the files and ffmpeg itself are in the page cache, and the
    // cached files the reference reads.
    say("warming up: one remux through the host and one by ffmpeg alone\n");
    read_through_host(host, conversions[0]);
    run_reference(tools, conversions[0]);

    std::map<std::string, figures> fig;
    std::map<std::string, std::vector<double>> direct_ms;
    for (int run = 1; run <= o.runs; ++run) {
        say("\nrun %d (load %s)\n", run, bench::load_average().c_str());
        for (auto const* f : {&aac, &ac3}) {
            bench::check_interrupted();
            direct_ms[f->file->name].push_back(direct_first_byte_ms(*f));
        }
        say("  direct /s/ first byte: %s %.1f ms, %s %.1f ms\n", aac.file->name.c_str(),
            direct_ms[aac.file->name].back(), ac3.file->name.c_str(), direct_ms[ac3.file->name].back());
        for (auto const& c : conversions) {
            bench::check_interrupted();
            // Alternating who goes first spreads any drift of the machine over both.
            std::optional<host_read> h;
            std::optional<reference_run> r;
            for (int k = 0; k < 2; ++k) {
                if ((k + run) % 2 == 1) {
                    h = read_through_host(host, c);
                } else {
                    r = run_reference(tools, c);
                }
            }
            auto& f = fig[c.key];
            f.host_wall_s.push_back(h->wall_s);
            f.host_cpu_s.push_back(h->cpu_s);
            f.host_ffmpeg_cpu_s.push_back(h->ffmpeg_cpu_s);
            f.host_first_byte_ms.push_back(h->first_byte_ms);
            f.reference_wall_s.push_back(r->wall_s);
            f.reference_cpu_s.push_back(r->cpu_s);
            f.bytes = h->bytes;
            auto const d = c.file->duration;
            say("  %-16s host: %6.2f s wall (RTF %5.1f), CPU %6.2f s (its ffmpeg %6.2f), first byte %6.1f "
                "ms, "
                "%5.1f MB | ffmpeg alone: %6.2f s wall (RTF %5.1f), CPU %6.2f s\n",
                c.label.c_str(), h->wall_s, d / h->wall_s, h->cpu_s, h->ffmpeg_cpu_s, h->first_byte_ms,
                static_cast<double>(h->bytes) / bench::mega, r->wall_s, d / r->wall_s, r->cpu_s);
        }
    }

    // ---- the summary ----
    auto const per_minute = [](std::vector<double> const& cpu, double duration) {
        return median(cpu) / (duration / 60);
    };
    auto const rtf = [](std::vector<double> const& wall, double duration) { return duration / median(wall); };
    std::vector<row> rows;
    auto const& remux = fig["remux"];
    auto const& audio = fig["audioTranscode"];
    auto const& full = fig["fullTranscode"];
    auto const d_aac = aac.duration;
    auto const d_ac3 = ac3.duration;
    rows.push_back({"remux, CPU per minute of media", "s", per_minute(remux.host_cpu_s, d_aac),
                    per_minute(remux.reference_cpu_s, d_aac), "ffmpeg alone", 3});
    rows.push_back({"audio transcode, real-time factor", "x", rtf(audio.host_wall_s, d_ac3),
                    rtf(audio.reference_wall_s, d_ac3), "ffmpeg alone", 1});
    rows.push_back({"full transcode, real-time factor", "x", rtf(full.host_wall_s, d_ac3),
                    rtf(full.reference_wall_s, d_ac3), "ffmpeg alone", 2});
    rows.push_back({"first byte, remux", "ms", median(remux.host_first_byte_ms),
                    median(direct_ms[m.aac.name]), "direct /s/", 1});
    rows.push_back({"first byte, audio transcode", "ms", median(audio.host_first_byte_ms),
                    median(direct_ms[m.ac3.name]), "direct /s/", 1});
    rows.push_back({"first byte, full transcode", "ms", median(full.host_first_byte_ms),
                    median(direct_ms[m.ac3.name]), "direct /s/", 1});
    // The same runs seen the other way: where a gap in the figures above comes from.
    rows.push_back({"remux, real-time factor", "x", rtf(remux.host_wall_s, d_aac),
                    rtf(remux.reference_wall_s, d_aac), "ffmpeg alone", 0});
    rows.push_back({"audio transcode, CPU per minute", "s", per_minute(audio.host_cpu_s, d_ac3),
                    per_minute(audio.reference_cpu_s, d_ac3), "ffmpeg alone", 3});
    rows.push_back({"full transcode, CPU per minute", "s", per_minute(full.host_cpu_s, d_ac3),
                    per_minute(full.reference_cpu_s, d_ac3), "ffmpeg alone", 2});

    say("\nmedia_bench: %.0f s in all, load at the end %s\n", seconds_between(t0, steady_clock::now()),
        bench::load_average().c_str());
    if (o.json) {
        auto summary = nlohmann::json::array();
        for (auto const& r : rows) {
            summary.push_back({{"what", r.what},
                               {"unit", r.unit},
                               {"sluiceHost", bench::round_to(r.host, 3)},
                               {"referenceValue", bench::round_to(r.reference, 3)},
                               {"reference", r.reference_name},
                               {"ratio", bench::round_to(r.host / r.reference, 3)}});
        }
        auto details = nlohmann::json::object();
        for (auto const& c : conversions) {
            auto const& f = fig[c.key];
            details[c.key] = {{"file", c.file->file->name},
                              {"url", c.url.substr(c.url.rfind('/') + 1)},
                              {"mediaSeconds", c.file->duration},
                              {"bytes", f.bytes},
                              {"hostWallS", bench::rounded(f.host_wall_s, 3)},
                              {"hostCpuS", bench::rounded(f.host_cpu_s, 2)},
                              {"hostFfmpegCpuS", bench::rounded(f.host_ffmpeg_cpu_s, 2)},
                              {"hostFirstByteMs", bench::rounded(f.host_first_byte_ms, 1)},
                              {"referenceWallS", bench::rounded(f.reference_wall_s, 3)},
                              {"referenceCpuS", bench::rounded(f.reference_cpu_s, 3)}};
        }
        for (auto const& [name, ms] : direct_ms) {
            details["directFirstByteMs"][name] = bench::rounded(ms, 2);
        }
        std::printf("%s\n", nlohmann::json{{"runs", o.runs},
                                           {"mediaSeconds", o.seconds},
                                           {"summary", summary},
                                           {"details", details},
                                           {"load", bench::load_average()}}
                                .dump()
                                .c_str());
    } else {
        std::printf("\n== summary (medians of %d runs; ratio = sluice-host / reference) ==\n", o.runs);
        std::printf("%-36s %12s %12s %-14s %7s\n", "what", "sluice-host", "reference", "reference is",
                    "ratio");
        for (auto const& r : rows) {
            if (r.what == "remux, real-time factor") {
                std::printf("where the time goes:\n");
            }
            std::printf("%-36s %12s %12s %-14s %7.2f\n", r.what.c_str(), figure_text(r.host, r).c_str(),
                        figure_text(r.reference, r).c_str(), r.reference_name.c_str(), r.host / r.reference);
        }
    }
    return bench::interrupted() ? 130 : 0;
}

options parse_args(int argc, char** argv) {
    options o;
    bench::arg_reader args(argc, argv);
    while (args.next()) {
        if (args.is("--runs")) {
            o.runs = static_cast<int>(args.number(1, 1000));
        } else if (args.is("--seconds")) {
            o.seconds = static_cast<int>(args.number(12, 3600));
        } else if (args.is("--json")) {
            o.json = true;
        } else if (args.is("--host")) {
            o.host = args.value();
        } else if (args.is("--lt-seed")) {
            o.lt_seed = args.value();
        } else if (args.is("--cache")) {
            o.cache = args.value();
        } else {
            args.unknown();
        }
    }
    for (auto const* p : {&o.host, &o.lt_seed}) {
        if (p->empty() || !fs::is_regular_file(*p)) {
            throw bench_error("no program at \"" + p->string() + "\"; pass --host and --lt-seed");
        }
    }
    o.cache = fs::absolute(o.cache);
    return o;
}

} // namespace

int main(int argc, char** argv) {
    return bench::run_main(program, usage, argc, argv, [&] {
        bench::install_interrupt_handlers();
        bench::become_subreaper();
        return run(parse_args(argc, argv));
    });
}
