// libFuzzer entry point: container headers (Matroska/WebM, MP4) as a torrent can carry them, read for the
// duration that sizes a stream's read-ahead.

#include "media/media_duration.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size) {
    std::string_view const input(reinterpret_cast<char const*>(data), size);
    // The input as a file's head, and split in two as head and tail.
    for (auto const& [head, tail] : {std::pair{input, std::string_view{}},
                                     std::pair{input.substr(0, size / 2), input.substr(size / 2)}}) {
        if (auto const seconds = sluice::media::media_duration_seconds(head, tail)) {
            if (!(*seconds > 0) || *seconds > 7 * 24 * 3600.0) {
                std::abort(); // only plausible durations come out
            }
        }
    }
    return 0;
}
