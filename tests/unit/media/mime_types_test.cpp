#include "media/mime_types.hpp"

#include <gtest/gtest.h>

namespace sluice::media {
namespace {

TEST(MimeTypes, KnowsMediaAndSubtitles) {
    EXPECT_EQ(mime_type_for("a/b/film.webm"), "video/webm");
    EXPECT_EQ(mime_type_for("FILM.MP4"), "video/mp4");
    EXPECT_EQ(mime_type_for("fr.vtt"), "text/vtt");
    EXPECT_EQ(mime_type_for("noext"), "application/octet-stream");
    EXPECT_EQ(mime_type_for("dir.webm/file"), "application/octet-stream");
    EXPECT_TRUE(is_media_path("x.mkv"));
    EXPECT_TRUE(is_media_path("x.flac"));
    EXPECT_FALSE(is_media_path("x.pdf"));
}

TEST(MimeTypes, ActiveContentIsFlagged) {
    for (auto const* p : {"index.html", "x.HTM", "logo.svg", "feed.xml", "a.xhtml", "s.js"}) {
        EXPECT_TRUE(is_active_content(p)) << p;
    }
    for (auto const* p : {"film.webm", "book.pdf", "notes.txt", "cover.png"}) {
        EXPECT_FALSE(is_active_content(p)) << p;
    }
}

} // namespace
} // namespace sluice::media
