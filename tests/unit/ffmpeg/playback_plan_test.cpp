#include <sluice/ffmpeg/codec_strings.hpp>
#include <sluice/ffmpeg/playback_plan.hpp>

#include <gtest/gtest.h>

#include <algorithm>

namespace sluice::ffmpeg {
namespace {

using yes = std::set<std::string, std::less<>>;

media_info film(std::string video_codec, std::vector<std::string> audio_codecs) {
    media_info info;
    info.container = "matroska";
    info.duration = 60;
    info.video = video_stream{0, std::move(video_codec), "High", 31, 640, 360};
    for (auto& codec : audio_codecs) {
        audio_stream a;
        a.index = static_cast<int>(info.audio.size()) + 1;
        a.track = static_cast<int>(info.audio.size());
        a.codec = std::move(codec);
        info.audio.push_back(a);
    }
    return info;
}

TEST(PlaybackPlan, WhatTheBrowserPlaysAsItIsGoesDirect) {
    auto const info = film("h264", {"aac"});
    std::string why;
    auto const plan = plan_playback(info, yes{questions_for(info).as_is}, std::nullopt, why);
    ASSERT_TRUE(plan) << why;
    EXPECT_EQ(plan->how, playback_plan::mode::direct);
    EXPECT_EQ(plan->audio_track, 0);
}

TEST(PlaybackPlan, CopiesWhatTheBrowserDecodesAndConvertsTheRest) {
    auto const info = film("h264", {"ac3"});
    auto const q = questions_for(info);
    std::string why;
    // Chromium: H.264 yes, AC-3 no. The picture is copied, the sound converted.
    auto plan = plan_playback(info, yes{q.video_in_mp4}, std::nullopt, why);
    ASSERT_TRUE(plan) << why;
    EXPECT_EQ(plan->how, playback_plan::mode::transcode);
    EXPECT_EQ(plan->video, stream_action::copy);
    EXPECT_EQ(plan->audio, stream_action::convert);
    // A browser that decodes AC-3 in MP4 gets both copied.
    plan = plan_playback(info, yes{q.video_in_mp4, q.audio_in_mp4[0]}, std::nullopt, why);
    ASSERT_TRUE(plan) << why;
    EXPECT_EQ(plan->how, playback_plan::mode::remux);
    EXPECT_EQ(plan->audio, stream_action::copy);
}

TEST(PlaybackPlan, ConvertsVideoTheBrowserCannotDecodeOrMp4CannotCarry) {
    auto info = film("mpeg4", {"mp3"});
    info.container = "avi";
    auto const q = questions_for(info);
    std::string why;
    // Even a browser saying yes to MPEG-4 Part 2 gets H.264: only codecs MP4 carries as they are are copied.
    auto const plan = plan_playback(info, yes{q.video_in_mp4, q.audio_in_mp4[0]}, std::nullopt, why);
    ASSERT_TRUE(plan) << why;
    EXPECT_EQ(plan->video, stream_action::convert);
    EXPECT_EQ(plan->audio, stream_action::copy);
}

TEST(PlaybackPlan, AnotherAudioTrackIsNeverDirect) {
    auto const info = film("h264", {"aac", "aac"});
    auto const q = questions_for(info);
    std::string why;
    auto const plan = plan_playback(info, yes{q.as_is, q.video_in_mp4, q.audio_in_mp4[1]}, 1, why);
    ASSERT_TRUE(plan) << why;
    EXPECT_EQ(plan->how, playback_plan::mode::remux);
    EXPECT_EQ(plan->audio_track, 1);
    EXPECT_FALSE(plan_playback(info, yes{}, 2, why));
    EXPECT_NE(why.find("no audio track 2"), std::string::npos);
}

TEST(PlaybackPlan, NothingToPlayIsSaid) {
    media_info subtitles_only;
    subtitles_only.container = "srt";
    subtitles_only.subtitles.push_back({0, 0, "subrip", "", "", true});
    std::string why;
    EXPECT_FALSE(plan_playback(subtitles_only, yes{}, std::nullopt, why));
    EXPECT_NE(why.find("no audio or video"), std::string::npos);
}

TEST(PlaybackPlan, SegmentsGoBothWaysAndAreCheckedAgainstTheFile) {
    auto const info = film("h264", {"truehd", "aac"});
    playback_plan const plan{playback_plan::mode::transcode, stream_action::copy, stream_action::convert, 1};
    EXPECT_EQ(plan_segment(plan), "copy-convert-1");
    auto const back = read_plan_segment("copy-convert-1", info);
    ASSERT_TRUE(back);
    EXPECT_EQ(*back, plan);
    for (auto const* bad :
         {"", "copy", "copy-copy", "copy-copy-", "copy-copy-01", "copy-copy-2", "copy-copy--1",
          "copy-copy-1000", "none-none-0", "none-copy-0", "copy-none-0", "move-copy-0", "copy-copy-1x",
          "copy-copy-0" /* TrueHD is not carried in MP4 */}) {
        EXPECT_FALSE(read_plan_segment(bad, info)) << bad;
    }
    EXPECT_TRUE(read_plan_segment("convert-copy-1", info));
    auto avi = film("mpeg4", {"mp3"});
    EXPECT_FALSE(read_plan_segment("copy-copy-0", avi));
}

bool has_pair(std::vector<std::string> const& args, std::string const& a, std::string const& b) {
    for (std::size_t i = 0; i + 1 < args.size(); ++i) {
        if (args[i] == a && args[i + 1] == b) {
            return true;
        }
    }
    return false;
}

TEST(PlaybackPlan, ArgumentsSeekInTheInputAndMapTheChosenStreams) {
    auto info = film("hevc", {"ac3", "eac3"});
    playback_plan const plan{playback_plan::mode::transcode, stream_action::copy, stream_action::convert, 1};
    auto const args = conversion_arguments(info, plan, "http://127.0.0.1:1/s/x", 42.5);
    auto const ss = std::find(args.begin(), args.end(), "-ss");
    auto const in = std::find(args.begin(), args.end(), "-i");
    ASSERT_NE(ss, args.end());
    EXPECT_LT(ss, in); // input seeking
    EXPECT_EQ(*(ss + 1), "42.500000");
    EXPECT_TRUE(has_pair(args, "-map", "0:0"));
    EXPECT_TRUE(has_pair(args, "-map", "0:2"));
    EXPECT_FALSE(has_pair(args, "-map", "0:1"));
    EXPECT_TRUE(has_pair(args, "-tag:v", "hvc1"));
    EXPECT_TRUE(has_pair(args, "-c:a", "aac"));
    EXPECT_TRUE(has_pair(args, "-ac", "2"));
    EXPECT_EQ(args.back(), "pipe:1");
    auto const from_start = conversion_arguments(info, plan, "in", 0);
    EXPECT_EQ(std::find(from_start.begin(), from_start.end(), "-ss"), from_start.end());
    EXPECT_EQ(converted_type(plan), "video/mp4");
}

TEST(PlaybackPlan, ACopiedStreamStartsAtAKeyframe) {
    auto const info = film("h264", {"ac3"});
    EXPECT_TRUE(starts_at_keyframe(
        info, {playback_plan::mode::transcode, stream_action::copy, stream_action::convert, 0}));
    EXPECT_FALSE(starts_at_keyframe(
        info, {playback_plan::mode::transcode, stream_action::convert, stream_action::copy, 0}));
    EXPECT_FALSE(starts_at_keyframe(
        info, {playback_plan::mode::transcode, stream_action::convert, stream_action::convert, 0}));
}

bool has_pair(std::vector<std::string> const& args, std::string const& a, std::string const& b);

TEST(PlaybackPlan, FromATimeWithThePictureConvertedTheSoundIsConvertedToo) {
    auto const info = film("mpeg4", {"mp3"});
    playback_plan const plan{playback_plan::mode::transcode, stream_action::convert, stream_action::copy, 0};
    EXPECT_TRUE(has_pair(conversion_arguments(info, plan, "in", 0), "-c:a", "copy"));
    EXPECT_TRUE(has_pair(conversion_arguments(info, plan, "in", 2.5), "-c:a", "aac"));
}

} // namespace
} // namespace sluice::ffmpeg
