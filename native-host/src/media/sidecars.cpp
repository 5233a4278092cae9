#include "media/sidecars.hpp"

#include <sluice/protocol/media_types.hpp>

#include <algorithm>
#include <array>
#include <cctype>
#include <regex>

namespace sluice::media {

namespace {

std::string lower(std::string_view s) {
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
    return out;
}

std::pair<std::string_view, std::string_view> split_folder(std::string_view path) {
    auto const slash = path.find_last_of('/');
    return slash == std::string_view::npos ? std::pair{std::string_view{}, path}
                                           : std::pair{path.substr(0, slash), path.substr(slash + 1)};
}

bool is_subtitle_extension(std::string const& ext) {
    static constexpr std::array extensions{"srt", "ass", "ssa", "vtt"};
    return std::find(extensions.begin(), extensions.end(), ext) != extensions.end();
}

std::string language_of(std::string_view middle) {
    // middle: what lies between the media file's stem and the extension, without the dots: "fr", "en.forced"
    auto const first = middle.substr(0, middle.find('.'));
    static std::regex const tag("[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*");
    return std::regex_match(first.begin(), first.end(), tag) ? std::string(first) : std::string();
}

} // namespace

std::vector<sidecar> find_sidecars(std::string_view media_path,
                                   std::vector<std::pair<int, std::string>> const& files) {
    auto const [folder, name] = split_folder(media_path);
    auto const dot = name.find_last_of('.');
    if (dot == std::string_view::npos || dot == 0) {
        return {};
    }
    auto const stem = lower(name.substr(0, dot));
    std::vector<sidecar> out;
    for (auto const& [index, path] : files) {
        auto const [other_folder, other_name] = split_folder(path);
        if (other_folder != folder || !is_subtitle_extension(protocol::file_extension(other_name))) {
            continue;
        }
        auto const other = lower(other_name.substr(0, other_name.find_last_of('.')));
        if (other == stem) {
            out.push_back({index, ""});
        } else if (other.size() > stem.size() + 1 && other.starts_with(stem) && other[stem.size()] == '.') {
            auto const middle = other_name.substr(stem.size() + 1, other.size() - stem.size() - 1);
            out.push_back({index, language_of(middle)});
        }
    }
    return out;
}

} // namespace sluice::media
