#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sluice::media {

// A subtitle file that goes with a media file of the same torrent.
struct sidecar {
    int file_index = 0;
    std::string language; // from its name ("Film.fr.srt" -> "fr"), "" when it names none
};

// The .srt, .ass, .ssa and .vtt files in the folder of `media_path` whose names are its name without its
// extension, then optionally a language tag and more dotted parts ("Film.srt", "Film.en.srt",
// "film.pt-BR.forced.srt"); compared without regard to case, as players do.
std::vector<sidecar> find_sidecars(std::string_view media_path,
                                   std::vector<std::pair<int, std::string>> const& files);

} // namespace sluice::media
