#pragma once

#include <cstdint>
#include <string_view>

namespace sluice::stream {

enum class range_outcome {
    whole,         // no Range header, or one we ignore (malformed, other unit, too many parts): 200
    partial,       // 206 with Content-Range: bytes first-last/size
    unsatisfiable, // 416 with Content-Range: bytes */size
};

struct range_decision {
    range_outcome outcome = range_outcome::whole;
    std::uint64_t first = 0; // inclusive
    std::uint64_t last = 0;  // inclusive
};

// RFC 9110 §14 byte ranges for a representation of `size` bytes. Single ranges, open ranges and suffix
// ranges are served exactly. Several ranges are served as the one range that covers all the satisfiable
// ones (RFC 9110 lets a server coalesce), so hundreds of overlapping ranges cost what one does; past
// `max_parts` the header is ignored. Numbers of any length are read without overflow (a 20-digit
// position is simply beyond the end). A syntactically invalid header is ignored, as the RFC asks.
range_decision decide_range(std::string_view header, std::uint64_t size, std::size_t max_parts = 1000);

} // namespace sluice::stream
