#include "native_messaging/frame_decoder.hpp"
#include "native_messaging/frame_encoder.hpp"

#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

namespace sluice::native_messaging {
namespace {

struct seen {
    frame_event event;
    std::string body;
    std::uint64_t announced;
};

// Header bytes written by hand, little-endian as on every machine this runs on.
std::string header(std::uint32_t n) {
    std::string h(4, '\0');
    std::memcpy(h.data(), &n, 4);
    return h;
}

struct decoder_fixture {
    std::vector<seen> events;
    frame_decoder decoder;
    explicit decoder_fixture(std::uint32_t limit = 1024)
        : decoder(limit, [this](frame_event e, std::string body, std::uint64_t n) {
              events.push_back({e, std::move(body), n});
          }) {}
    void feed(std::string const& bytes) { decoder.feed(std::span<char const>(bytes.data(), bytes.size())); }
};

TEST(FrameCodec, DecodesOneFrame) {
    decoder_fixture f;
    f.feed(std::string("\x07\x00\x00\x00", 4) + "{\"a\":1}");
    ASSERT_EQ(f.events.size(), 1u);
    EXPECT_EQ(f.events[0].event, frame_event::frame);
    EXPECT_EQ(f.events[0].body, "{\"a\":1}");
    EXPECT_TRUE(f.decoder.finish());
}

TEST(FrameCodec, DecodesFramesSplitAtEveryByte) {
    decoder_fixture f;
    std::string const stream = header(3) + "abc" + header(2) + "de";
    for (char c : stream) {
        f.feed(std::string(1, c));
    }
    ASSERT_EQ(f.events.size(), 2u);
    EXPECT_EQ(f.events[0].body, "abc");
    EXPECT_EQ(f.events[1].body, "de");
}

TEST(FrameCodec, DecodesManyFramesInOneChunk) {
    decoder_fixture f;
    std::string stream;
    for (int i = 0; i < 100; ++i) {
        stream += header(1) + std::to_string(i % 10);
    }
    f.feed(stream);
    EXPECT_EQ(f.events.size(), 100u);
}

TEST(FrameCodec, RejectsOversizedLengthWithoutStoringIt) {
    decoder_fixture f(16);
    f.feed(header(17));
    ASSERT_EQ(f.events.size(), 1u);
    EXPECT_EQ(f.events[0].event, frame_event::oversized);
    EXPECT_EQ(f.events[0].announced, 17u);
    EXPECT_EQ(f.decoder.skipping(), 17u);
}

TEST(FrameCodec, ResyncsAfterSkippingAnOversizedBody) {
    decoder_fixture f(16);
    f.feed(header(20) + std::string(20, 'x') + header(2) + "ok");
    ASSERT_EQ(f.events.size(), 2u);
    EXPECT_EQ(f.events[0].event, frame_event::oversized);
    EXPECT_EQ(f.events[1].event, frame_event::frame);
    EXPECT_EQ(f.events[1].body, "ok");
}

TEST(FrameCodec, HugeAnnouncedLengthCostsNothing) {
    decoder_fixture f(8 * 1024 * 1024);
    f.feed(header(0xFFFFFFFFu));
    ASSERT_EQ(f.events.size(), 1u);
    EXPECT_EQ(f.events[0].event, frame_event::oversized);
    EXPECT_EQ(f.events[0].announced, 0xFFFFFFFFull);
}

TEST(FrameCodec, ReportsZeroLengthFrame) {
    decoder_fixture f;
    f.feed(header(0) + header(1) + "x");
    ASSERT_EQ(f.events.size(), 2u);
    EXPECT_EQ(f.events[0].event, frame_event::empty_frame);
    EXPECT_EQ(f.events[1].body, "x");
}

TEST(FrameCodec, ReportsTruncatedHeaderAtEnd) {
    decoder_fixture f;
    f.feed(std::string("\x05\x00", 2));
    EXPECT_FALSE(f.decoder.finish());
    ASSERT_EQ(f.events.size(), 1u);
    EXPECT_EQ(f.events[0].event, frame_event::truncated);
}

TEST(FrameCodec, ReportsTruncatedBodyAtEnd) {
    decoder_fixture f;
    f.feed(header(10) + "abc");
    EXPECT_FALSE(f.decoder.finish());
    ASSERT_EQ(f.events.size(), 1u);
    EXPECT_EQ(f.events[0].event, frame_event::truncated);
    EXPECT_EQ(f.events[0].announced, 10u);
}

TEST(FrameCodec, CleanEndOnFrameBoundary) {
    decoder_fixture f;
    f.feed(header(1) + "a");
    EXPECT_TRUE(f.decoder.finish());
    EXPECT_EQ(f.events.size(), 1u);
}

TEST(FrameCodec, EncodesLengthInNativeOrder) {
    std::error_code ec;
    auto const frame = encode_frame("{}", 1024, ec);
    ASSERT_FALSE(ec);
    EXPECT_EQ(frame, std::string("\x02\x00\x00\x00{}", 6));
}

TEST(FrameCodec, EncoderRefusesBodiesOverTheLimit) {
    std::error_code ec;
    auto const frame = encode_frame(std::string(1025, 'x'), 1024, ec);
    EXPECT_EQ(ec, std::errc::message_size);
    EXPECT_TRUE(frame.empty());
    encode_frame(std::string(1024, 'x'), 1024, ec);
    EXPECT_FALSE(ec);
}

TEST(FrameCodec, EncodedFramesDecodeToTheSameBody) {
    decoder_fixture f(1 << 20);
    std::error_code ec;
    std::string const body(70000, 'q');
    f.feed(encode_frame(body, 1 << 20, ec));
    ASSERT_EQ(f.events.size(), 1u);
    EXPECT_EQ(f.events[0].body, body);
}

} // namespace
} // namespace sluice::native_messaging
