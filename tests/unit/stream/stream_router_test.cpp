#include "stream/stream_router.hpp"

#include <gtest/gtest.h>

namespace sluice::stream {
namespace {

std::string const token = "0123456789abcdef0123456789abcdef";
std::string const hash = "c9e15763f722f23e98a29decdfae341b98d53056";

route_decision get(stream_router const& r, std::string const& target,
                   std::optional<std::string_view> host = "127.0.0.1:8123",
                   std::optional<std::string_view> origin = std::nullopt, std::string_view method = "GET") {
    return r.route({method, target, host, origin});
}

TEST(StreamRouter, RoutesAGoodUrl) {
    stream_router const r(token, 8123);
    auto const d = get(r, "/s/" + token + "/" + hash + "/3/film.webm");
    ASSERT_EQ(d.status, 200);
    EXPECT_EQ(d.target->info_hash, hash);
    EXPECT_EQ(d.target->file_index, 3);
    EXPECT_EQ(get(r, "/s/" + token + "/" + hash + "/3").status, 200);
}

TEST(StreamRouter, RoutesConvertedStreamsWithTheirStartTime) {
    stream_router const r(token, 8123);
    auto const base = "/m/" + token + "/" + hash + "/3/copy-convert-0";
    auto d = get(r, base);
    ASSERT_EQ(d.status, 200);
    EXPECT_EQ(d.target->what, stream_target::kind::converted);
    EXPECT_EQ(d.target->plan, "copy-convert-0");
    EXPECT_EQ(d.target->start_seconds, 0);
    d = get(r, base + "?t=42.5");
    ASSERT_EQ(d.status, 200);
    EXPECT_DOUBLE_EQ(d.target->start_seconds, 42.5);
    for (auto const* query :
         {"?t=", "?t=-1", "?t=1e3", "?t=1.", "?t=12345678", "?t=1.1234567", "?x=1", "?t=1&x=2", "?t=nan"}) {
        EXPECT_EQ(get(r, base + query).status, 404) << query;
    }
    EXPECT_EQ(get(r, "/m/" + token + "/" + hash + "/3").status, 404); // no plan
    EXPECT_EQ(get(r, "/m/" + token + "/" + hash + "/3/" + std::string(33, 'a')).status, 404);
    EXPECT_EQ(get(r, "/m/" + std::string(32, '0') + "/" + hash + "/3/copy-copy-0").status, 404);
}

TEST(StreamRouter, RoutesSubtitleTracks) {
    stream_router const r(token, 8123);
    auto const d = get(r, "/v/" + token + "/" + hash + "/3/12.vtt");
    ASSERT_EQ(d.status, 200);
    EXPECT_EQ(d.target->what, stream_target::kind::subtitles);
    EXPECT_EQ(d.target->subtitle_track, 12);
    for (auto const* last : {"x.vtt", ".vtt", "1.srt", "123.vtt", "1.vtt/extra", "-1.vtt"}) {
        EXPECT_EQ(get(r, "/v/" + token + "/" + hash + "/3/" + last).status, 404) << last;
    }
}

TEST(StreamRouter, RoutesTranslationsByTheirTracksHash) {
    stream_router const r(token, 8123);
    std::string const sha(64, 'e');
    auto const d = get(r, "/t/" + token + "/" + hash + "/" + sha + ".vtt");
    ASSERT_EQ(d.status, 200);
    EXPECT_EQ(d.target->what, stream_target::kind::translation);
    EXPECT_EQ(d.target->info_hash, hash);
    EXPECT_EQ(d.target->track_sha256, sha);
    for (auto const& last : {sha, sha + ".srt", std::string(63, 'e') + ".vtt", std::string(64, 'E') + ".vtt",
                             sha + ".vtt/x", "../" + sha + ".vtt"}) {
        EXPECT_EQ(get(r, "/t/" + token + "/" + hash + "/" + last).status, 404) << last;
    }
    EXPECT_EQ(get(r, "/t/" + std::string(32, '0') + "/" + hash + "/" + sha + ".vtt").status, 404);
    EXPECT_EQ(get(r, "/t/" + token + "/xyz/" + sha + ".vtt").status, 404);
}

TEST(StreamRouter, HostGuardAgainstDnsRebinding) {
    stream_router const r(token, 8123);
    auto const url = "/s/" + token + "/" + hash + "/0";
    EXPECT_EQ(get(r, url, "localhost:8123").status, 200);
    EXPECT_EQ(get(r, url, "[::1]:8123").status, 200);
    for (auto const* host : {"evil.example", "evil.example:8123", "localhost:8123.evil.example", "127.0.0.1",
                             "127.0.0.1:8124", "127.0.0.1:81234", "", "LOCALHOST:8123x"}) {
        EXPECT_EQ(get(r, url, std::string_view(host)).status, 421) << host;
    }
    EXPECT_EQ(get(r, url, std::nullopt).status, 421);
}

// RFC 9112 section 3.2: a request with more than one Host field is answered 400, whichever comes first.
TEST(StreamRouter, TwoHostFieldsAreABadRequest) {
    stream_router const r(token, 8123);
    auto const url = "/s/" + token + "/" + hash + "/0";
    request_facts facts{"GET", url, "127.0.0.1:8123", std::nullopt};
    EXPECT_EQ(r.route(facts).status, 200);
    facts.host_repeated = true;
    EXPECT_EQ(r.route(facts).status, 400);
    EXPECT_FALSE(r.route(facts).target);
    facts.host = "evil.example";
    EXPECT_EQ(r.route(facts).status, 400);
}

TEST(StreamRouter, ForgedOrMissingTokenIsAPlain404) {
    stream_router const r(token, 8123);
    EXPECT_EQ(get(r, "/s/" + std::string(32, '0') + "/" + hash + "/0").status, 404);
    EXPECT_EQ(get(r, "/s/" + token.substr(1) + "/" + hash + "/0").status, 404);
    EXPECT_EQ(get(r, "/s//" + hash + "/0").status, 404);
    EXPECT_EQ(get(r, "/" + hash + "/0").status, 404);
    EXPECT_EQ(get(r, "/").status, 404);
}

TEST(StreamRouter, TraversalAndOddBytesNeverResolve) {
    stream_router const r(token, 8123);
    for (auto const& target :
         {"/s/" + token + "/../" + hash + "/0", "/s/" + token + "/%2e%2e/" + hash + "/0",
          "/s/" + token + "/" + hash + "/0/../../etc/passwd", "/s/" + token + "\\" + hash + "/0",
          "/s/" + token + "/" + hash + "/0\\..\\x", "/s/" + token + "/" + hash + std::string("/0\0", 3),
          "/s/" + token + "/" + hash + "/-1", "/s/" + token + "/" + hash + "/99999999",
          "/s/" + token + "/" + std::string(40, 'G') + "/0",
          "/s/" + token + "/C9E15763F722F23E98A29DECDFAE341B98D53056/0"}) {
        EXPECT_EQ(get(r, target).status, 404) << target;
    }
}

TEST(StreamRouter, MethodsOtherThanGetAndHeadAreRefused) {
    stream_router const r(token, 8123);
    auto const url = "/s/" + token + "/" + hash + "/0";
    EXPECT_EQ(get(r, url, "127.0.0.1:8123", std::nullopt, "HEAD").status, 200);
    EXPECT_EQ(get(r, url, "127.0.0.1:8123", std::nullopt, "POST").status, 405);
    EXPECT_EQ(get(r, url, "127.0.0.1:8123", std::nullopt, "DELETE").status, 405);
}

TEST(StreamRouter, CorsOnlyForOurExtension) {
    stream_router r(token, 8123);
    auto const url = "/s/" + token + "/" + hash + "/0";
    auto const ours = get(r, url, "127.0.0.1:8123", "chrome-extension://ljkaphncpbkfgfeoncgogkmhcmcompjk");
    EXPECT_EQ(ours.allow_origin, "chrome-extension://ljkaphncpbkfgfeoncgogkmhcmcompjk");
    EXPECT_FALSE(get(r, url, "127.0.0.1:8123", "https://evil.example").allow_origin);
    EXPECT_FALSE(
        get(r, url, "127.0.0.1:8123", "chrome-extension://aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa").allow_origin);
    EXPECT_FALSE(get(r, url, "127.0.0.1:8123", "null").allow_origin);
    EXPECT_EQ(get(r, url, "127.0.0.1:8123", "https://evil.example", "OPTIONS").status, 403);
    EXPECT_FALSE(get(r, url, "127.0.0.1:8123", "moz-extension://1234").allow_origin);
    r.allow_origin("moz-extension://1234");
    EXPECT_EQ(get(r, url, "127.0.0.1:8123", "moz-extension://1234", "OPTIONS").status, 204);
}

} // namespace
} // namespace sluice::stream
