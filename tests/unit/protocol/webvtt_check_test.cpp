#include <sluice/protocol/webvtt_check.hpp>

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

namespace sluice::protocol {
namespace {

std::string const good =
    "WEBVTT - Les Veilleurs, español\n"
    "Kind: captions\n"
    "\n"
    "NOTE translated by Ana\n"
    "\n"
    "1\n"
    "00:00.500 --> 00:02.000 align:start position:10%,line-left line:-2 size:80%\n"
    "<v Narrador>Esta <i>noche</i> &amp; <b.loud>siempre</b></v>\n"
    "\n"
    "00:02.000 --> 00:04.250\r\n"
    "<lang es-MX>¿Quién <u>vela</u>?</lang> <00:03.000><c.a.b>ya</c>&nbsp;&#233;&#xE9;\r\n"
    "\r\n"
    "01:00:00.000 --> 01:00:01.000 vertical:rl\r"
    "<ruby>夜<rt>よる</rt></ruby>\r";

TEST(WebVttCheck, AWellFormedTrackPassesAndIsSummed) {
    webvtt_summary summary;
    auto const problem = check_webvtt(good, &summary);
    ASSERT_FALSE(problem) << problem->line << ": " << problem->text;
    EXPECT_EQ(summary.cues, 3u);
    EXPECT_EQ(summary.last_end_ms, 3'601'000u);
    EXPECT_FALSE(check_webvtt("\xEF\xBB\xBFWEBVTT\n\n00:01.000 --> 00:02.000\nhola\n")) << "a BOM first";
}

TEST(WebVttCheck, WhatCouldRunOrLoadInAPageIsRefusedWithItsLine) {
    auto const cue = [](std::string const& text) {
        return "WEBVTT\n\n00:01.000 --> 00:02.000\n" + text + "\n";
    };
    std::vector<std::pair<std::string, std::string>> const bad{
        {cue("<script>alert(1)</script>"), "<script> is not a WebVTT tag"},
        {cue("<img src=x onerror=alert(1)>"), "<img> is not a WebVTT tag"},
        {cue("<a href=\"https://evil.example\">x</a>"), "<a> is not a WebVTT tag"},
        {cue("<i onclick=x>y</i>"), "<i> takes no annotation"},
        {cue("<i>open"), "<i> is not closed"},
        {cue("<i><b>x</i></b>"), "</i> closes no tag open here"},
        {cue("Tom & Jerry"), "an '&' that starts no character reference (write it as &amp;)"},
        {cue("1 < 2"), "a '<' that starts no tag (write it as &lt;)"},
        {cue("<c.x\"y>z</c>"), "a class name of <c> is not letters, digits, '-' or '_'"},
        {cue("<v>who?</v>"), "<v> needs a voice's name"},
        {cue("<00:61.000>late"), "a timestamp tag that is not [hh:]mm:ss.ttt"},
        {cue("a --> b"), "cue text may not hold \"-->\""},
        {cue(std::string(501, 'a')), "a line of cue text is longer than 500 bytes"},
    };
    for (auto const& [track, why] : bad) {
        auto const problem = check_webvtt(track);
        ASSERT_TRUE(problem) << track;
        EXPECT_EQ(problem->line, 4u) << track;
        EXPECT_EQ(problem->text, why) << track;
    }
}

TEST(WebVttCheck, ATrackThatIsNotStrictWebVttIsRefused) {
    std::vector<std::pair<std::string, std::string>> const bad{
        {"", "a WebVTT track begins with the line \"WEBVTT\""},
        {"WEBVTTX\n\n00:01.000 --> 00:02.000\nx\n", "a WebVTT track begins with the line \"WEBVTT\""},
        {"1\n00:00:01,000 --> 00:00:02,000\nSubRip\n", "a WebVTT track begins with the line \"WEBVTT\""},
        {"WEBVTT\n", "the track has no cue"},
        {"WEBVTT\n00:01.000 --> 00:02.000\nx\n", "a cue needs an empty line after the header"},
        {"WEBVTT\n\nSTYLE\n::cue { background: url(https://evil.example) }\n",
         "STYLE blocks are not taken: a track here is text only"},
        {"WEBVTT\n\nREGION\nid:a\n", "REGION blocks are not taken: a track here is text only"},
        {"WEBVTT\n\n00:01,000 --> 00:02.000\nx\n",
         "a cue's timing is \"start --> end\", each [hh:]mm:ss.ttt"},
        {"WEBVTT\n\n0:01.000 --> 00:02.000\nx\n", "a cue's timing is \"start --> end\", each [hh:]mm:ss.ttt"},
        {"WEBVTT\n\n00:60.000 --> 01:02.000\nx\n",
         "a cue's timing is \"start --> end\", each [hh:]mm:ss.ttt"},
        {"WEBVTT\n\n00:02.000 --> 00:01.000\nx\n", "a cue ends before it starts"},
        {"WEBVTT\n\n00:02.000 --> 00:03.000\nx\n\n00:01.000 --> 00:04.000\ny\n",
         "cues are in the order of their start"},
        {"WEBVTT\n\n00:01.000 --> 00:02.000 region:a\nx\n", "\"region:a\" is not a cue setting"},
        {"WEBVTT\n\n00:01.000 --> 00:02.000 align:middle\nx\n", "\"align:middle\" is not a cue setting"},
        {"WEBVTT\n\n00:01.000 --> 00:02.000\n", "a cue without text"},
        {"WEBVTT\n\njust words\n", "a line that is neither a cue nor a NOTE"},
        {"WEBVTT\n\nNOTE a --> b\n", "a NOTE may not hold \"-->\""},
        {"WEBVTT\n\nNOTE <script>x</script>\n", "a NOTE may not hold '<'"},
        {"WEBVTT <b>\n\n00:01.000 --> 00:02.000\nx\n", "the header may not hold '<'"},
        {"WEBVTT\nKind: <i>\n\n00:01.000 --> 00:02.000\nx\n", "the header may not hold '<'"},
        {"WEBVTT\n\n00:01.000 --> 00:02.000\na\x01b\n", "a control character"},
        {"WEBVTT\n\n00:01.000 --> 00:02.000\n\xff\n", "the track is not UTF-8"},
        {"WEBVTT\n\n00:01.000 --> 00:02.000\n" + std::string(max_webvtt_bytes, 'a'),
         "the track is larger than 512 KiB"},
    };
    for (auto const& [track, why] : bad) {
        auto const problem = check_webvtt(track);
        ASSERT_TRUE(problem) << track.substr(0, 80);
        EXPECT_EQ(problem->text, why) << track.substr(0, 80);
    }
}

TEST(WebVttCheck, ATrackOfTooManyCuesIsRefused) {
    std::string track = "WEBVTT\n";
    for (std::size_t i = 0; i <= max_webvtt_cues; ++i) {
        track += "\n00:01.000 --> 00:02.000\nx\n";
    }
    auto const problem = check_webvtt(track);
    ASSERT_TRUE(problem);
    EXPECT_EQ(problem->text, "more than 10000 cues");
}

} // namespace
} // namespace sluice::protocol
