#include <sluice/ffmpeg/media_info.hpp>

#include <gtest/gtest.h>

namespace sluice::ffmpeg {
namespace {

// What ffprobe answered (probe_arguments) for an MKV with H.264, AC-3 and an SRT track.
constexpr char const* mkv_answer = R"({"programs": [], "streams": [
  {"index": 0, "codec_name": "h264", "profile": "High", "codec_type": "video", "width": 320, "height": 240,
   "level": 31, "disposition": {"default": 1, "attached_pic": 0}, "tags": {}},
  {"index": 1, "codec_name": "ac3", "codec_type": "audio", "channels": 6,
   "disposition": {"default": 0, "attached_pic": 0}, "tags": {"language": "eng", "title": "Surround"}},
  {"index": 2, "codec_name": "aac", "profile": "LC", "codec_type": "audio", "channels": 2,
   "disposition": {"default": 1, "attached_pic": 0}, "tags": {"language": "fre"}},
  {"index": 3, "codec_name": "subrip", "codec_type": "subtitle",
   "disposition": {"default": 0, "attached_pic": 0}, "tags": {"language": "spa"}},
  {"index": 4, "codec_name": "hdmv_pgs_subtitle", "codec_type": "subtitle", "disposition": {"default": 0}}
], "format": {"format_name": "matroska,webm", "duration": "63.505000"}})";

TEST(MediaInfo, ReadsStreamsByKindWithTheirPositions) {
    std::string error;
    auto const info = read_probe(mkv_answer, error);
    ASSERT_TRUE(info) << error;
    EXPECT_EQ(info->container, "matroska");
    ASSERT_TRUE(info->duration);
    EXPECT_DOUBLE_EQ(*info->duration, 63.505);
    ASSERT_TRUE(info->video);
    EXPECT_EQ(info->video->codec, "h264");
    EXPECT_EQ(info->video->level, 31);
    EXPECT_EQ(info->video->width, 320);
    ASSERT_EQ(info->audio.size(), 2U);
    EXPECT_EQ(info->audio[0].index, 1);
    EXPECT_EQ(info->audio[0].channels, 6);
    EXPECT_EQ(info->audio[0].title, "Surround");
    EXPECT_EQ(info->audio[1].track, 1);
    EXPECT_EQ(info->audio[1].language, "fre");
    ASSERT_EQ(info->subtitles.size(), 2U);
    EXPECT_TRUE(info->subtitles[0].text);
    EXPECT_EQ(info->subtitles[0].index, 3);
    EXPECT_FALSE(info->subtitles[1].text);
    EXPECT_EQ(info->subtitles[1].track, 1);
    EXPECT_EQ(default_audio_track(*info), 1);
}

TEST(MediaInfo, TellsWebmFromMatroskaByWhatItHolds) {
    std::string error;
    auto const info = read_probe(R"({"streams": [{"index": 0, "codec_type": "video", "codec_name": "vp9"},
        {"index": 1, "codec_type": "audio", "codec_name": "opus"}],
        "format": {"format_name": "matroska,webm", "duration": "4.0"}})",
                                 error);
    ASSERT_TRUE(info) << error;
    EXPECT_EQ(info->container, "webm");
}

TEST(MediaInfo, ACoverPictureIsNotTheVideo) {
    std::string error;
    auto const info = read_probe(R"({"streams": [{"index": 0, "codec_type": "audio", "codec_name": "mp3"},
        {"index": 1, "codec_type": "video", "codec_name": "mjpeg", "disposition": {"attached_pic": 1}}],
        "format": {"format_name": "mp3"}})",
                                 error);
    ASSERT_TRUE(info) << error;
    EXPECT_FALSE(info->video);
    EXPECT_EQ(info->container, "mp3");
    EXPECT_FALSE(info->duration);
    EXPECT_EQ(default_audio_track(*info), 0);
}

TEST(MediaInfo, LabelsLoseControlCharactersAndLength) {
    std::string error;
    std::string const long_title(500, 'x');
    auto const info =
        read_probe(R"({"streams": [{"index": 0, "codec_type": "audio", "codec_name": "aac",
        "tags": {"language": "en\u001b[2J", "title": ")" +
                       long_title + R"("}}], "format": {"format_name": "mov,mp4,m4a,3gp,3g2,mj2"}})",
                   error);
    ASSERT_TRUE(info) << error;
    EXPECT_EQ(info->audio[0].language, "en[2J");
    EXPECT_EQ(info->audio[0].title.size(), 200U);
    EXPECT_EQ(info->container, "mp4");
}

TEST(MediaInfo, RefusesWhatIsNotAnAnswerOfThatShape) {
    for (std::string const bad : {"", "garbage", "[]", R"({"streams": []})", R"({"format": {}})",
                                  R"({"streams": [], "format": {"format_name": "avi"}})",
                                  R"({"streams": [{"codec_type": "data"}], "format": {}})",
                                  R"({"streams": [[[[[[[[[[[]]]]]]]]]]], "format": {}})"}) {
        std::string error;
        EXPECT_FALSE(read_probe(bad, error)) << bad;
        EXPECT_FALSE(error.empty()) << bad;
    }
}

TEST(MediaInfo, NumbersOutOfRangeAreUnknown) {
    std::string error;
    auto const info = read_probe(R"({"streams": [{"index": 0, "codec_type": "video", "codec_name": "h264",
        "width": -5, "height": 1e12, "level": "abc"}], "format": {"format_name": "avi", "duration": "nan"}})",
                                 error);
    ASSERT_TRUE(info) << error;
    EXPECT_EQ(info->video->width, 0);
    EXPECT_EQ(info->video->height, 0);
    EXPECT_EQ(info->video->level, 0);
    EXPECT_FALSE(info->duration);
}

TEST(MediaInfo, TextSubtitlesAreThoseWebVttCanCarry) {
    EXPECT_TRUE(is_text_subtitle("subrip"));
    EXPECT_TRUE(is_text_subtitle("ass"));
    EXPECT_TRUE(is_text_subtitle("mov_text"));
    EXPECT_TRUE(is_text_subtitle("webvtt"));
    EXPECT_FALSE(is_text_subtitle("hdmv_pgs_subtitle"));
    EXPECT_FALSE(is_text_subtitle("dvd_subtitle"));
}

TEST(MediaInfo, FindsTheKeyframeASeekLandsOn) {
    media_info info;
    info.start_time = 0.5;
    EXPECT_EQ(read_keyframe("2.006000,__\n2.506000,K_\n2.546000,__\n", info), 2.006);
    EXPECT_FALSE(read_keyframe("2.006000,__\n", info));
    EXPECT_FALSE(read_keyframe("garbage,K\nnan,K_\n", info));
    EXPECT_FALSE(read_keyframe("", info));
    auto const args = keyframe_arguments("in", info, 3, 10);
    EXPECT_EQ(args[4], "3");
    EXPECT_EQ(args[6], "10.500000%+#16");
}

} // namespace
} // namespace sluice::ffmpeg
