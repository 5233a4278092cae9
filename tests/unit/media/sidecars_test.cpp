#include "media/sidecars.hpp"

#include <gtest/gtest.h>

namespace sluice::media {
namespace {

TEST(Sidecars, FindsTheSubtitlesBesideAFileWithTheirLanguages) {
    std::vector<std::pair<int, std::string>> const files{{0, "Show/Film.mkv"},
                                                         {1, "Show/Film.srt"},
                                                         {2, "Show/film.FR.ass"},
                                                         {3, "Show/Film.pt-BR.forced.vtt"},
                                                         {4, "Show/Film.commentary.srt"},
                                                         {5, "Show/Other.srt"},
                                                         {6, "Show/Subs/Film.en.srt"},
                                                         {7, "Film.en.srt"},
                                                         {8, "Show/Film.en.txt"},
                                                         {9, "Show/Film2.srt"}};
    auto const found = find_sidecars("Show/Film.mkv", files);
    ASSERT_EQ(found.size(), 4U);
    EXPECT_EQ(found[0].file_index, 1);
    EXPECT_EQ(found[0].language, "");
    EXPECT_EQ(found[1].file_index, 2);
    EXPECT_EQ(found[1].language, "FR");
    EXPECT_EQ(found[2].language, "pt-BR");
    // A dotted part that is not a language tag names none.
    EXPECT_EQ(found[3].file_index, 4);
    EXPECT_EQ(found[3].language, "");
}

TEST(Sidecars, AFileWithoutExtensionHasNone) {
    EXPECT_TRUE(find_sidecars("Show/Film", {{1, "Show/Film.srt"}}).empty());
    EXPECT_TRUE(find_sidecars(".mkv", {{1, ".srt"}}).empty());
}

} // namespace
} // namespace sluice::media
