// Container durations as the stream server reads them to size its read-ahead: files built here byte by byte,
// as muxers write them.

#include "media/media_duration.hpp"
#include "media_headers.hpp"

#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>

namespace sluice::testing {
namespace {

using media::media_duration_seconds;

std::string box(std::string const& type, std::string const& content) {
    return big_endian(8 + content.size(), 4) + type + content;
}

std::string mvhd_v0(std::uint32_t timescale, std::uint32_t duration) {
    return box("mvhd", std::string(1, '\0') + std::string(3, '\0') + big_endian(0, 4) + big_endian(0, 4) +
                           big_endian(timescale, 4) + big_endian(duration, 4) + std::string(80, '\0'));
}

std::string mvhd_v1(std::uint32_t timescale, std::uint64_t duration) {
    return box("mvhd", std::string(1, '\1') + std::string(3, '\0') + big_endian(0, 8) + big_endian(0, 8) +
                           big_endian(timescale, 4) + big_endian(duration, 8) + std::string(80, '\0'));
}

std::string const ftyp = box("ftyp", "isom" + big_endian(0x200, 4) + "isomiso2");

TEST(MediaDuration, WebmDurationIsScaledByTheTimecodeScale) {
    // The default scale (1 ms per tick), then an explicit one of 1 µs.
    EXPECT_DOUBLE_EQ(*media_duration_seconds(webm_head(webm_duration(120000.0))), 120.0);
    auto const micro = ebml_element(0x2AD7B1, 3, big_endian(1000, 2)) + webm_duration(90e6);
    EXPECT_DOUBLE_EQ(*media_duration_seconds(webm_head(micro)), 90.0);
    // A 4-byte float, as some muxers write it.
    auto const as_float = ebml_element(0x4489, 2, big_endian(std::bit_cast<std::uint32_t>(2500.0f), 4));
    EXPECT_DOUBLE_EQ(*media_duration_seconds(webm_head(as_float)), 2.5);
}

TEST(MediaDuration, Mp4DurationComesFromTheMovieHeaderAtEitherEnd) {
    EXPECT_DOUBLE_EQ(*media_duration_seconds(ftyp + box("moov", mvhd_v0(1000, 90000))), 90.0);
    // Not "faststart": the head is ftyp then the start of a large mdat; moov is in the tail.
    auto const head = ftyp + big_endian(50'000'000, 4) + "mdat" + std::string(1000, '\x07');
    auto const tail = std::string(3000, '\x07') + box("moov", mvhd_v1(600, 600 * 45));
    EXPECT_FALSE(media_duration_seconds(head));
    EXPECT_DOUBLE_EQ(*media_duration_seconds(head, tail), 45.0);
}

TEST(MediaDuration, NonsenseGivesNothing) {
    EXPECT_FALSE(media_duration_seconds(""));
    EXPECT_FALSE(media_duration_seconds("not a container at all"));
    EXPECT_FALSE(media_duration_seconds(webm_head(""))); // no duration: a live stream
    EXPECT_FALSE(media_duration_seconds(webm_head(webm_duration(std::nan("")))));
    EXPECT_FALSE(media_duration_seconds(webm_head(webm_duration(-5.0))));
    EXPECT_FALSE(media_duration_seconds(webm_head(webm_duration(1e300))));
    EXPECT_FALSE(
        media_duration_seconds(webm_head(ebml_element(0x2AD7B1, 3, big_endian(0, 1)) + webm_duration(10.0))));
    EXPECT_FALSE(media_duration_seconds(ftyp + box("moov", mvhd_v0(0, 90000)))); // timescale 0
    // Cut anywhere, a good file yields its duration or nothing, and never reads past the cut.
    auto const whole = webm_head(webm_duration(120000.0));
    for (std::size_t cut = 0; cut < whole.size(); ++cut) {
        auto const d = media_duration_seconds(std::string_view(whole).substr(0, cut));
        EXPECT_TRUE(!d || *d == 120.0);
    }
    auto const mp4 = ftyp + box("moov", mvhd_v0(1000, 90000));
    for (std::size_t cut = 0; cut < mp4.size(); ++cut) {
        auto const d = media_duration_seconds(std::string_view(mp4).substr(0, cut));
        EXPECT_TRUE(!d || *d == 90.0);
    }
}

} // namespace
} // namespace sluice::testing
