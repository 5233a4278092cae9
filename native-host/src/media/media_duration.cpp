#include "media/media_duration.hpp"

#include <bit>
#include <cmath>
#include <cstdint>
#include <cstring>

namespace sluice::media {

namespace {

constexpr double longest_plausible_seconds = 7 * 24 * 3600.0;

std::optional<double> plausible(double seconds) {
    if (!std::isfinite(seconds) || seconds <= 0 || seconds > longest_plausible_seconds) {
        return std::nullopt;
    }
    return seconds;
}

std::uint64_t big_endian(std::string_view bytes) {
    std::uint64_t v = 0;
    for (unsigned char c : bytes) {
        v = (v << 8) | c;
    }
    return v;
}

// --- Matroska / WebM (EBML) ------------------------------------------------------------------------------

// An EBML variable-length integer at `pos`: its value (the length marker kept for ids, removed for sizes)
// and its length; nullopt when it runs past the bytes or is malformed.
struct vint {
    std::uint64_t value = 0;
    std::size_t length = 0;
    bool unknown = false; // a size of all ones: "until the parent ends"
};

std::optional<vint> read_vint(std::string_view b, std::size_t pos, bool keep_marker) {
    if (pos >= b.size()) {
        return std::nullopt;
    }
    auto const first = static_cast<unsigned char>(b[pos]);
    if (first == 0) {
        return std::nullopt; // longer than 8 bytes: not something a real file carries
    }
    std::size_t const length = static_cast<std::size_t>(std::countl_zero(first)) + 1;
    if (pos + length > b.size()) {
        return std::nullopt;
    }
    std::uint64_t value = keep_marker ? first : (first & (0xFFu >> length));
    bool all_ones = (first & (0xFFu >> length)) == (0xFFu >> length);
    for (std::size_t i = 1; i < length; ++i) {
        auto const c = static_cast<unsigned char>(b[pos + i]);
        value = (value << 8) | c;
        all_ones = all_ones && c == 0xFF;
    }
    return vint{value, length, !keep_marker && all_ones};
}

constexpr std::uint64_t ebml_header = 0x1A45DFA3;
constexpr std::uint64_t segment = 0x18538067;
constexpr std::uint64_t segment_info = 0x1549A966;
constexpr std::uint64_t timecode_scale = 0x2AD7B1;
constexpr std::uint64_t duration = 0x4489;
constexpr std::uint64_t cluster = 0x1F43B675;

std::optional<double> matroska_duration(std::string_view b) {
    std::size_t pos = 0;
    std::size_t end = b.size();
    bool in_info = false;
    std::uint64_t scale = 1'000'000; // nanoseconds per tick, the default
    std::optional<double> ticks;
    while (pos < end) {
        auto const id = read_vint(b, pos, true);
        auto const size = id ? read_vint(b, pos + id->length, false) : std::nullopt;
        if (!size) {
            break;
        }
        auto const body = pos + id->length + size->length;
        if (pos == 0 && id->value != ebml_header) {
            return std::nullopt; // not a Matroska file
        }
        if (id->value == segment || id->value == segment_info) {
            // Master elements: step inside. Info is read to its end (or what is there of it).
            if (id->value == segment_info) {
                in_info = true;
                if (!size->unknown && body + size->value < end) {
                    end = body + size->value;
                }
            }
            pos = body;
            continue;
        }
        if (id->value == cluster) {
            break; // media data: Info always comes before it
        }
        if (size->unknown || body + size->value > b.size()) {
            break;
        }
        auto const value = b.substr(body, size->value);
        if (in_info && id->value == timecode_scale && !value.empty() && value.size() <= 8) {
            scale = big_endian(value);
        } else if (in_info && id->value == duration && value.size() == 4) {
            auto const bits = static_cast<std::uint32_t>(big_endian(value));
            ticks = static_cast<double>(std::bit_cast<float>(bits));
        } else if (in_info && id->value == duration && value.size() == 8) {
            ticks = std::bit_cast<double>(big_endian(value));
        }
        pos = body + size->value;
    }
    if (!ticks || scale == 0) {
        return std::nullopt;
    }
    return plausible(*ticks * static_cast<double>(scale) / 1e9);
}

// --- MP4 / QuickTime ---------------------------------------------------------------------------------------

// The duration an `mvhd` box body gives (after its 8-byte header).
std::optional<double> mvhd_duration(std::string_view body) {
    if (body.empty()) {
        return std::nullopt;
    }
    auto const version = static_cast<unsigned char>(body[0]);
    std::size_t const timescale_at = version == 1 ? 4 + 16 : 4 + 8;
    std::size_t const duration_length = version == 1 ? 8 : 4;
    if (version > 1 || body.size() < timescale_at + 4 + duration_length) {
        return std::nullopt;
    }
    auto const timescale = big_endian(body.substr(timescale_at, 4));
    auto const units = big_endian(body.substr(timescale_at + 4, duration_length));
    if (timescale == 0) {
        return std::nullopt;
    }
    return plausible(static_cast<double>(units) / static_cast<double>(timescale));
}

// Walks the boxes of [pos, end) looking for moov > mvhd.
std::optional<double> mp4_boxes(std::string_view b, std::size_t pos, std::size_t end, int depth) {
    while (pos + 8 <= end) {
        std::uint64_t size = big_endian(b.substr(pos, 4));
        auto const type = b.substr(pos + 4, 4);
        std::size_t header = 8;
        if (size == 1) {
            if (pos + 16 > end) {
                return std::nullopt;
            }
            size = big_endian(b.substr(pos + 8, 8));
            header = 16;
        } else if (size == 0) {
            size = end - pos; // to the end of the file
        }
        if (size < header) {
            return std::nullopt;
        }
        auto const available = std::min<std::uint64_t>(size, end - pos);
        if (type == "moov" && depth == 0) {
            return mp4_boxes(b, pos + header, pos + available, 1);
        }
        if (type == "mvhd" && depth == 1) {
            return mvhd_duration(b.substr(pos + header, available - header));
        }
        if (size > end - pos) {
            return std::nullopt; // the rest of this box (mdat, most likely) is not in these bytes
        }
        pos += size;
    }
    return std::nullopt;
}

bool looks_like_mp4(std::string_view head) {
    return head.size() >= 8 && (head.substr(4, 4) == "ftyp" || head.substr(4, 4) == "moov");
}

// A file whose moov box comes last: find its mvhd in the tail. Box boundaries are unknown there, so the
// signature is searched for, and the box it names checked for a sensible size.
std::optional<double> mp4_tail_duration(std::string_view tail) {
    for (auto at = tail.find("mvhd"); at != std::string_view::npos; at = tail.find("mvhd", at + 1)) {
        if (at < 4) {
            continue;
        }
        auto const size = big_endian(tail.substr(at - 4, 4));
        if (size < 8 + 20 || size > 256 || at - 4 + size > tail.size()) {
            continue;
        }
        if (auto const d = mvhd_duration(tail.substr(at + 4, size - 8))) {
            return d;
        }
    }
    return std::nullopt;
}

} // namespace

std::optional<double> media_duration_seconds(std::string_view head, std::string_view tail) {
    if (head.size() >= 4 && big_endian(head.substr(0, 4)) == ebml_header) {
        return matroska_duration(head);
    }
    if (looks_like_mp4(head)) {
        if (auto const d = mp4_boxes(head, 0, head.size(), 0)) {
            return d;
        }
        return mp4_tail_duration(tail);
    }
    return std::nullopt;
}

} // namespace sluice::media
