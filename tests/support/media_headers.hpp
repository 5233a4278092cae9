#pragma once

// Container headers built byte by byte, as muxers write them: for tests of what the host reads in them.

#include <bit>
#include <cstdint>
#include <string>

namespace sluice::testing {

// `v` as `bytes` big-endian bytes.
inline std::string big_endian(std::uint64_t v, int bytes) {
    std::string out;
    for (int i = bytes - 1; i >= 0; --i) {
        out += static_cast<char>((v >> (8 * i)) & 0xFF);
    }
    return out;
}

// An EBML element: its id, then its size in one byte (so `content` is under 127 bytes).
inline std::string ebml_element(std::uint64_t id, int id_bytes, std::string const& content) {
    return big_endian(id, id_bytes) + static_cast<char>(0x80 | content.size()) + content;
}

// A WebM file's head: the EBML header, a Segment of unknown size, a SeekHead, an Info element holding
// `info_content`, and the start of the first Cluster.
inline std::string webm_head(std::string const& info_content) {
    auto const header = ebml_element(0x1A45DFA3, 4, ebml_element(0x4282, 2, "webm"));
    auto const seek_head = ebml_element(0x114D9B74, 4, std::string(8, '\x42'));
    auto const info = ebml_element(0x1549A966, 4, info_content);
    auto const cluster = ebml_element(0x1F43B675, 4, std::string(40, '\x01'));
    // A live muxer's Segment: size unknown (all ones).
    return header + big_endian(0x18538067, 4) + "\x01\xFF\xFF\xFF\xFF\xFF\xFF\xFF" + seek_head + info +
           cluster;
}

// Info's Duration element, as the 8-byte float most muxers write.
inline std::string webm_duration(double ticks) {
    return ebml_element(0x4489, 2, big_endian(std::bit_cast<std::uint64_t>(ticks), 8));
}

// The head of a WebM file `seconds` long (1 ms ticks, the default scale).
inline std::string webm_head_of(double seconds) {
    return webm_head(webm_duration(seconds * 1000.0));
}

} // namespace sluice::testing
