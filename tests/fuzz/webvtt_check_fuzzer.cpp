// libFuzzer entry point: a subtitle track a viewer sends a gate (check_webvtt). Whatever the bytes, the check
// answers without crashing, says where and why it refuses, and what it accepts keeps the promises a page
// showing it relies on: WEBVTT first, and no script tag anywhere.
#include <sluice/protocol/webvtt_check.hpp>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

namespace {

void require(bool condition) {
    if (!condition) {
        std::abort();
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size) {
    std::string_view const input(reinterpret_cast<char const*>(data), size);
    sluice::protocol::webvtt_summary summary;
    auto const problem = sluice::protocol::check_webvtt(input, &summary);
    if (problem) {
        require(!problem->text.empty());
        return 0;
    }
    require(summary.cues >= 1 && summary.cues <= sluice::protocol::max_webvtt_cues);
    auto const text = input.substr(input.substr(0, 3) == "\xEF\xBB\xBF" ? 3 : 0);
    require(text.substr(0, 6) == "WEBVTT");
    // No script tag anywhere: cue text, the header and NOTEs take none (a cue's text may say "STYLE", so
    // whether a STYLE block was refused is the unit tests' to say).
    require(text.find("<script") == std::string_view::npos);
    return 0;
}
