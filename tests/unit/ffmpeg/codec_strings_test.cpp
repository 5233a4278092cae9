#include <sluice/ffmpeg/codec_strings.hpp>

#include <gtest/gtest.h>

namespace sluice::ffmpeg {
namespace {

TEST(CodecStrings, NameH264ByProfileAndLevel) {
    EXPECT_EQ(codec_string(video_stream{0, "h264", "High", 31, 0, 0}), "avc1.64001F");
    EXPECT_EQ(codec_string(video_stream{0, "h264", "Constrained Baseline", 13, 0, 0}), "avc1.42C00D");
    EXPECT_EQ(codec_string(video_stream{0, "h264", "Main", 40, 0, 0}), "avc1.4D4028");
}

TEST(CodecStrings, NameOtherVideoCodecs) {
    EXPECT_EQ(codec_string(video_stream{0, "hevc", "Main", 93, 0, 0}), "hvc1.1.6.L93.B0");
    EXPECT_EQ(codec_string(video_stream{0, "hevc", "Main 10", 120, 0, 0}), "hvc1.2.4.L120.B0");
    EXPECT_EQ(codec_string(video_stream{0, "vp9", "Profile 0", 0, 0, 0}), "vp09.00.10.08");
    EXPECT_EQ(codec_string(video_stream{0, "mpeg4", "Simple Profile", 1, 0, 0}), "mp4v.20.9");
    EXPECT_EQ(codec_string(video_stream{0, "rv40", "", 0, 0, 0}), "");
}

TEST(CodecStrings, NameAudioCodecsInAndOutOfMp4) {
    audio_stream a;
    a.codec = "aac";
    a.profile = "LC";
    EXPECT_EQ(codec_string(a, true), "mp4a.40.2");
    a.profile = "HE-AAC";
    EXPECT_EQ(codec_string(a, true), "mp4a.40.5");
    a.codec = "mp3";
    EXPECT_EQ(codec_string(a, true), "mp4a.6B");
    EXPECT_EQ(codec_string(a, false), "mp3");
    a.codec = "ac3";
    EXPECT_EQ(codec_string(a, true), "ac-3");
    a.codec = "eac3";
    EXPECT_EQ(codec_string(a, true), "ec-3");
    a.codec = "cook";
    EXPECT_EQ(codec_string(a, true), "");
}

media_info mkv_h264_ac3() {
    media_info info;
    info.container = "matroska";
    info.video = video_stream{0, "h264", "High", 31, 640, 360};
    audio_stream ac3;
    ac3.index = 1;
    ac3.codec = "ac3";
    info.audio.push_back(ac3);
    return info;
}

TEST(CodecStrings, AskAboutTheFileItsVideoAndEachAudioTrack) {
    auto const q = questions_for(mkv_h264_ac3());
    EXPECT_EQ(q.as_is, R"(video/x-matroska; codecs="avc1.64001F, ac-3")");
    EXPECT_EQ(q.video_in_mp4, R"(video/mp4; codecs="avc1.64001F")");
    ASSERT_EQ(q.audio_in_mp4.size(), 1U);
    EXPECT_EQ(q.audio_in_mp4[0], R"(audio/mp4; codecs="ac-3")");
    EXPECT_EQ(q.all().size(), 3U);
}

TEST(CodecStrings, AudioFilesAreAskedByTheirOwnType) {
    media_info mp3;
    mp3.container = "mp3";
    audio_stream a;
    a.codec = "mp3";
    mp3.audio.push_back(a);
    EXPECT_EQ(questions_for(mp3).as_is, "audio/mpeg");
    mp3.container = "flac";
    EXPECT_EQ(questions_for(mp3).as_is, "audio/flac");
}

TEST(CodecStrings, NoQuestionForWhatHasNoName) {
    auto info = mkv_h264_ac3();
    info.audio[0].codec = "cook";
    auto const q = questions_for(info);
    EXPECT_EQ(q.as_is, "");
    EXPECT_EQ(q.audio_in_mp4[0], "");
    EXPECT_EQ(q.all().size(), 1U);
    info.container = "other";
    EXPECT_EQ(questions_for(info).as_is, "");
}

TEST(CodecStrings, WhatEveryBrowserPlays) {
    EXPECT_TRUE(plays_in_every_browser(R"(video/mp4; codecs="avc1.64001F, mp4a.40.2")"));
    EXPECT_TRUE(plays_in_every_browser(R"(video/webm; codecs="vp09.00.10.08, opus")"));
    EXPECT_TRUE(plays_in_every_browser("audio/mpeg"));
    EXPECT_TRUE(plays_in_every_browser("audio/flac"));
    EXPECT_FALSE(plays_in_every_browser(R"(video/x-matroska; codecs="avc1.64001F, mp4a.40.2")"));
    EXPECT_FALSE(plays_in_every_browser(R"(video/mp4; codecs="avc1.64001F, ac-3")"));
    EXPECT_FALSE(plays_in_every_browser(R"(video/mp4; codecs="hvc1.1.6.L93.B0")"));
    EXPECT_FALSE(plays_in_every_browser("video/x-msvideo"));
}

} // namespace
} // namespace sluice::ffmpeg
