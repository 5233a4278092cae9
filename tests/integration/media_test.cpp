// Media the browser cannot play as it is, through the real host and the real ffmpeg: what ffprobe finds,
// the plan for a browser's answers, the converted stream and the subtitle tracks, hostile files, ffmpeg
// missing, and a client that leaves mid-conversion.
#include "file_helpers.hpp"
#include "host_process.hpp"
#include "http_client.hpp"
#include "torrent_fixture.hpp"
#include "torrent_queries.hpp"
#include "wait_until.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>

namespace sluice::testing {
namespace {

using nlohmann::json;

std::string run_command(std::string const& command) {
    std::string out;
    if (auto* p = ::popen(command.c_str(), "r")) {
        std::array<char, 4096> buffer{};
        while (auto const n = std::fread(buffer.data(), 1, buffer.size(), p)) {
            out.append(buffer.data(), n);
        }
        ::pclose(p);
    }
    return out;
}

void ffmpeg(std::string const& arguments) {
    auto const command = "ffmpeg -v error -y " + arguments + " </dev/null";
    ASSERT_EQ(std::system(command.c_str()), 0) << command;
}

constexpr char const* picture_and_tone = "-f lavfi -i testsrc2=size=320x240:rate=25:duration=6 "
                                         "-f lavfi -i sine=frequency=440:sample_rate=48000:duration=6";

// The codecs ffprobe finds in `bytes`, one per stream, as "video:h264,audio:aac" (ffprobe's csv has the name
// first).
std::string codecs_of(std::filesystem::path const& folder, std::string const& bytes) {
    auto const path = folder / "probe-me";
    std::ofstream(path, std::ios::binary) << bytes;
    auto out = run_command("ffprobe -v error -show_entries stream=codec_type,codec_name -of csv=p=0 '" +
                           path.string() + "'");
    std::string joined;
    std::size_t start = 0;
    while (start < out.size()) {
        auto const end = out.find('\n', start);
        auto line = out.substr(start, end - start);
        if (auto const comma = line.find(','); comma != std::string::npos) {
            joined += (joined.empty() ? "" : ",") + line.substr(comma + 1) + ":" + line.substr(0, comma);
        }
        start = end == std::string::npos ? out.size() : end + 1;
    }
    return joined;
}

struct media_fixture : ::testing::Test {
    host_world world;
    sandbox_dir work;
    std::vector<std::unique_ptr<loopback_seed>> seeds;

    // One torrent holding the corpus below; files by name.
    std::filesystem::path folder() const { return work / "corpus"; }

    void make_corpus() {
        std::filesystem::create_directories(folder());
        std::ofstream(work / "fr.srt") << "1\n00:00:00,500 --> 00:00:02,000\nBonjour\n\n"
                                          "2\n00:00:03,000 --> 00:00:04,500\nAu revoir\n";
        std::ofstream(folder() / "film.en.srt") << "1\n00:00:01,000 --> 00:00:02,000\nHello beside\n";
        ffmpeg(
            std::string(picture_and_tone) + " -i '" + (work / "fr.srt").string() +
            "' -map 0 -map 1 -map 2 -c:v libx264 -preset ultrafast -pix_fmt yuv420p -g 25 -c:a ac3 -c:s srt "
            "-metadata:s:a:0 language=eng -metadata:s:s:0 language=fre '" +
            (folder() / "film.mkv").string() + "'");
        ffmpeg(std::string(picture_and_tone) +
               " -c:v libvpx-vp9 -deadline realtime -cpu-used 8 -b:v 300k "
               "-c:a libopus '" +
               (folder() / "clip.webm").string() + "'");
        // Garbage with a Matroska name, and a real file cut in half.
        std::ofstream(folder() / "garbage.mkv", std::ios::binary) << std::string(200000, '\x5a');
        auto const whole = read_file(folder() / "film.mkv");
        std::ofstream(folder() / "truncated.mkv", std::ios::binary) << whole.substr(0, whole.size() / 3);
    }

    static json entry(json const& files, int index) {
        for (auto const& f : files["files"]) {
            if (f["index"] == index) {
                return f;
            }
        }
        return json::object();
    }

    int index_of(json const& files, std::string const& name) {
        for (auto const& f : files["files"]) {
            if (f["path"].get<std::string>().ends_with("/" + name)) {
                return f["index"].get<int>();
            }
        }
        ADD_FAILURE() << "no " << name << " in " << files.dump();
        return -1;
    }
};

TEST_F(media_fixture, ProbesConvertsAndServesSubtitles) {
    make_corpus();
    host_process host(world);
    auto const hash = add_seeded_folder(host, world, folder(), seeds);
    auto const files = torrent_files(host, hash);
    auto const film = index_of(files, "film.mkv");

    auto const probed = host.call("media.probe", {{"infoHash", hash}, {"fileIndex", film}}, 60s);
    ASSERT_TRUE(probed.contains("result")) << probed.dump();
    auto const& media = probed["result"]["media"];
    EXPECT_EQ(media["container"], "matroska");
    EXPECT_NEAR(media["duration"].get<double>(), 6.0, 0.5);
    EXPECT_EQ(media["video"]["codec"], "h264");
    EXPECT_EQ(media["video"]["width"], 320);
    ASSERT_EQ(media["audio"].size(), 1U);
    EXPECT_EQ(media["audio"][0]["codec"], "ac3");
    EXPECT_EQ(media["audio"][0]["codecString"], "ac-3");
    EXPECT_EQ(media["audio"][0]["language"], "eng");
    ASSERT_EQ(media["subtitles"].size(), 2U) << media.dump();
    EXPECT_EQ(media["subtitles"][0]["language"], "fre");
    EXPECT_EQ(media["subtitles"][1]["sidecar"], true);
    EXPECT_EQ(media["subtitles"][1]["language"], "en");
    auto const questions = probed["result"]["questions"];
    ASSERT_EQ(questions.size(), 3U) << questions.dump();
    EXPECT_TRUE(questions[0].get<std::string>().starts_with("video/x-matroska; codecs=\"avc1."));

    // torrent.files shows what was learnt.
    auto const again = torrent_files(host, hash);
    EXPECT_EQ(entry(again, film).value("/media/audio/0/codec"_json_pointer, ""), "ac3");

    // A browser that decodes H.264 but not AC-3: the picture copied, the sound converted.
    auto const opened = host.call(
        "media.open", {{"infoHash", hash}, {"fileIndex", film}, {"playable", json::array({questions[1]})}});
    ASSERT_TRUE(opened.contains("result")) << opened.dump();
    EXPECT_EQ(opened["result"]["mode"], "transcode");
    EXPECT_EQ(opened["result"]["video"], "copy");
    EXPECT_EQ(opened["result"]["audio"], "transcode");
    EXPECT_EQ(opened["result"]["mime"], "video/mp4");
    auto const [port, target] = split_url(opened["result"]["url"]);
    auto const converted = http_get(port, target);
    ASSERT_EQ(converted.status, 200) << converted.body;
    EXPECT_EQ(converted.header("content-type"), "video/mp4");
    EXPECT_EQ(converted.header("content-length"), "");
    EXPECT_EQ(converted.body.substr(4, 4), "ftyp");
    EXPECT_EQ(codecs_of(work.path(), converted.body), "video:h264,audio:aac");

    // From 3 s on: a shorter stream.
    auto const later = http_get(port, target + "?t=3");
    ASSERT_EQ(later.status, 200);
    EXPECT_LT(later.body.size(), converted.body.size());
    EXPECT_EQ(http_get(port, target + "?t=600").status, 416);

    // A seek: the picture is copied, so the stream starts at the keyframe before 2.95 s (one a second here),
    // and media.open says where.
    auto const seek = host.call("media.open", {{"infoHash", hash},
                                               {"fileIndex", film},
                                               {"playable", json::array({questions[1]})},
                                               {"start", 2.95}});
    ASSERT_TRUE(seek.contains("result")) << seek.dump();
    auto const start = seek["result"]["start"].get<double>();
    EXPECT_GT(start, 1.9);
    EXPECT_LE(start, 2.95);
    auto const [seek_port, seek_target] = split_url(seek["result"]["url"]);
    EXPECT_NE(seek_target.find("?t="), std::string::npos);
    auto const from_keyframe = http_get(seek_port, seek_target);
    ASSERT_EQ(from_keyframe.status, 200);
    auto const path = work / "from-keyframe.mp4";
    std::ofstream(path, std::ios::binary) << from_keyframe.body;
    auto const length = std::stod(
        run_command("ffprobe -v error -show_entries format=duration -of csv=p=0 '" + path.string() + "'"));
    EXPECT_NEAR(start + length, 6.0, 0.3) << "the stream from " << start << " s lasts " << length << " s";

    // The embedded track and the sidecar as WebVTT.
    auto const [vport, vtarget] = split_url(media["subtitles"][0]["url"]);
    auto const embedded = http_get(vport, vtarget);
    ASSERT_EQ(embedded.status, 200);
    EXPECT_EQ(embedded.header("content-type"), "text/vtt; charset=utf-8");
    EXPECT_TRUE(embedded.body.starts_with("WEBVTT")) << embedded.body;
    EXPECT_NE(embedded.body.find("00:03.0"), std::string::npos) << embedded.body;
    EXPECT_NE(embedded.body.find("Au revoir"), std::string::npos);
    auto const [sport, starget] = split_url(media["subtitles"][1]["url"]);
    auto const sidecar = http_get(sport, starget);
    EXPECT_NE(sidecar.body.find("Hello beside"), std::string::npos) << sidecar.body;

    // A browser that plays the WebM as it is gets its own stream URL.
    auto const clip = index_of(files, "clip.webm");
    auto const clip_probe = host.call("media.probe", {{"infoHash", hash}, {"fileIndex", clip}}, 60s);
    ASSERT_TRUE(clip_probe.contains("result")) << clip_probe.dump();
    EXPECT_EQ(clip_probe["result"]["media"]["container"], "webm");
    auto const direct =
        host.call("media.open", {{"infoHash", hash},
                                 {"fileIndex", clip},
                                 {"playable", json::array({clip_probe["result"]["questions"][0]})}});
    EXPECT_EQ(direct["result"]["mode"], "direct");
    EXPECT_EQ(direct["result"]["url"], entry(files, clip)["streamUrl"]);
}

TEST_F(media_fixture, HostileFilesFailInTheChildAndTheHostCarriesOn) {
    make_corpus();
    host_process host(world);
    auto const hash = add_seeded_folder(host, world, folder(), seeds);
    auto const files = torrent_files(host, hash);

    auto const garbage =
        host.call("media.probe", {{"infoHash", hash}, {"fileIndex", index_of(files, "garbage.mkv")}}, 60s);
    ASSERT_TRUE(garbage.contains("error")) << garbage.dump();
    EXPECT_EQ(garbage["error"]["code"], 1202);
    // ffprobe's reason, without the stream URL (it carries the server's token).
    auto const why = garbage["error"]["data"]["detail"].get<std::string>();
    EXPECT_FALSE(why.empty());
    EXPECT_EQ(why.find("127.0.0.1"), std::string::npos) << why;

    // A file cut short: ffprobe may read its head; converting it ends early or fails, and says so.
    auto const truncated = index_of(files, "truncated.mkv");
    auto const probe = host.call("media.probe", {{"infoHash", hash}, {"fileIndex", truncated}}, 60s);
    if (probe.contains("result")) {
        auto const opened = host.call(
            "media.open", {{"infoHash", hash}, {"fileIndex", truncated}, {"playable", json::array()}});
        ASSERT_TRUE(opened.contains("result")) << opened.dump();
        auto const [port, target] = split_url(opened["result"]["url"]);
        auto const reply = http_get(port, target);
        EXPECT_TRUE(reply.status == 200 || reply.status == 422) << reply.status;
    } else {
        EXPECT_EQ(probe["error"]["code"], 1202);
    }

    // A plan that names what the file does not hold, or a track that is not there.
    auto const film = index_of(files, "film.mkv");
    auto const bad_track =
        host.call("media.open", {{"infoHash", hash}, {"fileIndex", film}, {"audio", 3}}, 60s);
    EXPECT_EQ(bad_track["error"]["code"], -32602) << bad_track.dump();
    auto const too_many = host.call(
        "media.open",
        {{"infoHash", hash}, {"fileIndex", film}, {"playable", json::array({std::string(300, 'x')})}});
    EXPECT_EQ(too_many["error"]["code"], -32602);
    auto const url = entry(files, film)["streamUrl"].get<std::string>();
    auto const [port, target] = split_url(url);
    auto const converted = "/m" + target.substr(2, target.rfind('/') - 2);
    EXPECT_EQ(http_get(port, converted + "/copy-copy-1").status, 404); // no second audio track
    EXPECT_EQ(http_get(port, converted + "/none-none-0").status, 404);

    EXPECT_TRUE(host.call("host.hello").contains("result"));
}

// ffmpeg children that belong to `owner`.
int ffmpeg_children(long owner) {
    auto const out = run_command("pgrep -P " + std::to_string(owner) + " -x ffmpeg | wc -l");
    return std::atoi(out.c_str());
}

TEST_F(media_fixture, AClientThatLeavesTakesItsFfmpegWithIt) {
    make_corpus();
    host_process host(world);
    auto const owner = host.call("host.hello")["result"]["instance"]["pid"].get<long>();
    auto const hash = add_seeded_folder(host, world, folder(), seeds);
    auto const files = torrent_files(host, hash);
    auto const film = index_of(files, "film.mkv");
    ASSERT_TRUE(host.call("media.probe", {{"infoHash", hash}, {"fileIndex", film}}, 60s).contains("result"));
    auto const opened =
        host.call("media.open", {{"infoHash", hash}, {"fileIndex", film}, {"playable", json::array()}});
    ASSERT_TRUE(opened.contains("result")) << opened.dump();
    EXPECT_EQ(opened["result"]["video"], "transcode");
    auto const [port, target] = split_url(opened["result"]["url"]);
    {
        // Asks, reads nothing, and goes.
        boost::asio::io_context io;
        boost::asio::ip::tcp::socket socket(io);
        socket.connect({boost::asio::ip::make_address("127.0.0.1"), static_cast<unsigned short>(port)});
        std::string const request =
            "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(port) + "\r\n\r\n";
        boost::asio::write(socket, boost::asio::buffer(request));
        EXPECT_TRUE(wait_until([&] { return ffmpeg_children(owner) == 1; }, 10s));
    }
    EXPECT_TRUE(wait_until([&] { return ffmpeg_children(owner) == 0; }, 10s));
}

TEST(MediaWithoutFfmpeg, IsAClearError) {
    ::setenv("SLUICE_FFMPEG_DIR", "/nonexistent", 1);
    host_world world;
    sandbox_dir work;
    std::vector<std::unique_ptr<loopback_seed>> seeds;
    std::filesystem::create_directories(work / "pack");
    std::ofstream(work / "pack" / "film.mkv", std::ios::binary) << std::string(100000, 'x');
    host_process host(world);
    ::unsetenv("SLUICE_FFMPEG_DIR");
    auto const hash = add_seeded_folder(host, world, work / "pack", seeds);
    torrent_files(host, hash);
    auto const probed = host.call("media.probe", {{"infoHash", hash}, {"fileIndex", 0}}, 30s);
    ASSERT_TRUE(probed.contains("error")) << probed.dump();
    EXPECT_EQ(probed["error"]["code"], 1201);
    EXPECT_NE(probed["error"]["data"]["detail"].get<std::string>().find("apt install ffmpeg"),
              std::string::npos);
}

} // namespace
} // namespace sluice::testing
