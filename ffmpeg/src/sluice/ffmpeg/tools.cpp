#include <sluice/ffmpeg/tools.hpp>

#include <cstdlib>
#include <string_view>
#include <unistd.h>
#include <vector>

namespace sluice::ffmpeg {

namespace {

namespace fs = std::filesystem;

bool executable(fs::path const& p) {
    std::error_code ec;
    return fs::is_regular_file(p, ec) && ::access(p.c_str(), X_OK) == 0;
}

std::vector<fs::path> folders() {
    if (char const* dir = std::getenv("SLUICE_FFMPEG_DIR"); dir && *dir) {
        return {fs::path(dir)};
    }
    std::vector<fs::path> out;
    if (char const* path = std::getenv("PATH")) {
        std::string_view rest(path);
        while (!rest.empty()) {
            auto const colon = rest.find(':');
            auto const part = rest.substr(0, colon);
            // An empty or relative entry would make the host run whatever sits in its working folder.
            if (!part.empty() && part.front() == '/') {
                out.emplace_back(part);
            }
            rest = colon == std::string_view::npos ? std::string_view{} : rest.substr(colon + 1);
        }
    }
    out.emplace_back("/usr/bin");
    return out;
}

} // namespace

std::optional<tool_paths> find_tools() {
    for (auto const& folder : folders()) {
        tool_paths tools{folder / "ffmpeg", folder / "ffprobe"};
        if (executable(tools.ffmpeg) && executable(tools.ffprobe)) {
            return tools;
        }
    }
    return std::nullopt;
}

} // namespace sluice::ffmpeg
