// libFuzzer entry point: ffprobe's answer about a file, as untrusted as the file (a hostile container can
// make ffprobe print what it likes in tags), then everything the host builds from it: the questions for the
// browser, the plan for any answers, a plan's URL segment read back, and ffmpeg's arguments.

#include <sluice/ffmpeg/codec_strings.hpp>
#include <sluice/ffmpeg/playback_plan.hpp>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <set>
#include <string>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size) {
    using namespace sluice::ffmpeg;
    std::string_view const input(reinterpret_cast<char const*>(data), size);
    std::string error;
    auto const info = read_probe(input, error);
    if (!info) {
        if (error.empty()) {
            std::abort(); // a refusal always says why
        }
        return 0;
    }
    auto const questions = questions_for(*info).all();
    // Every subset the first bits of the input pick, and each audio track.
    std::set<std::string, std::less<>> playable;
    for (std::size_t i = 0; i < questions.size(); ++i) {
        if (size > i && (data[i] & 1) != 0) {
            playable.insert(questions[i]);
        }
    }
    for (int track = -1; track <= static_cast<int>(info->audio.size()); ++track) {
        auto const plan =
            plan_playback(*info, playable, track < 0 ? std::nullopt : std::optional(track), error);
        if (!plan) {
            continue;
        }
        if (plan->how != playback_plan::mode::direct) {
            // What the host hands out, it must take back as the same plan.
            auto const back = read_plan_segment(plan_segment(*plan), *info);
            if (!back || *back != *plan) {
                std::abort();
            }
        }
        auto const args = conversion_arguments(*info, *plan, "in", 1.5);
        if (args.empty() || args.back() != "pipe:1") {
            std::abort();
        }
    }
    read_plan_segment(input.substr(0, 32), *info);
    return 0;
}
