// The head of a stream response, from the request and what is known of the file. Wire values are written
// out as literals: they are what players and browsers read.

#include "stream/response_head.hpp"

#include <boost/beast/http/write.hpp>
#include <gtest/gtest.h>

#include <sstream>
#include <string>

namespace sluice::stream {
namespace {

namespace bhttp = boost::beast::http;
using kind = bundle::file_access::kind;

file_request get(std::optional<std::string_view> range = std::nullopt) {
    file_request r;
    r.range = range;
    r.keep_alive = true;
    return r;
}

file_facts film(std::uint64_t size = 1000) {
    file_facts f;
    f.path = "Show/film.webm";
    f.size = size;
    return f;
}

template <typename Response>
std::string field(Response const& res, std::string_view name) {
    auto const it = res.find(boost::beast::string_view(name.data(), name.size()));
    return it == res.end() ? "<none>" : std::string(it->value());
}

template <typename Message>
std::string wire(Message const& m) {
    std::ostringstream out;
    out << m;
    return out.str();
}

TEST(ResponseHead, NoRangeIsTheWholeFile) {
    auto const a = make_response_head(get(), film());
    ASSERT_FALSE(a.refusal);
    EXPECT_EQ(a.header.result_int(), 200u);
    EXPECT_EQ(a.first, 0u);
    EXPECT_EQ(a.end, 1000u);
    EXPECT_EQ(field(a.header, "Content-Length"), "1000");
    EXPECT_EQ(field(a.header, "Content-Range"), "<none>");
    EXPECT_EQ(field(a.header, "Accept-Ranges"), "bytes");
}

TEST(ResponseHead, TheWholeHeadOfAPartialResponseOnTheWire) {
    auto const a = make_response_head(get("bytes=100-199"), film());
    ASSERT_FALSE(a.refusal);
    EXPECT_EQ(wire(a.header), "HTTP/1.1 206 Partial Content\r\n"
                              "Server: sluice-host\r\n"
                              "X-Content-Type-Options: nosniff\r\n"
                              "Cache-Control: no-store\r\n"
                              "Referrer-Policy: no-referrer\r\n"
                              "Content-Security-Policy: sandbox; default-src 'none'\r\n"
                              "Accept-Ranges: bytes\r\n"
                              "Content-Type: video/webm\r\n"
                              "Content-Disposition: inline; filename*=UTF-8''film.webm\r\n"
                              "Content-Range: bytes 100-199/1000\r\n"
                              "Content-Length: 100\r\n"
                              "\r\n");
    EXPECT_EQ(a.first, 100u);
    EXPECT_EQ(a.end, 200u);
}

TEST(ResponseHead, OpenAndSuffixRanges) {
    auto const open = make_response_head(get("bytes=900-"), film());
    EXPECT_EQ(open.header.result_int(), 206u);
    EXPECT_EQ(field(open.header, "Content-Range"), "bytes 900-999/1000");
    EXPECT_EQ(open.first, 900u);
    EXPECT_EQ(open.end, 1000u);

    auto const suffix = make_response_head(get("bytes=-10"), film());
    EXPECT_EQ(suffix.header.result_int(), 206u);
    EXPECT_EQ(field(suffix.header, "Content-Range"), "bytes 990-999/1000");
    EXPECT_EQ(field(suffix.header, "Content-Length"), "10");
    EXPECT_EQ(suffix.first, 990u);
    EXPECT_EQ(suffix.end, 1000u);

    // A last byte past the end is the end.
    auto const past = make_response_head(get("bytes=500-5000"), film());
    EXPECT_EQ(field(past.header, "Content-Range"), "bytes 500-999/1000");
    EXPECT_EQ(past.end, 1000u);
}

TEST(ResponseHead, AnIgnoredRangeIsTheWholeFile) {
    for (auto const* range : {"items=0-1", "bytes=5-1", "bytes=abc"}) {
        auto const a = make_response_head(get(std::string_view(range)), film());
        EXPECT_EQ(a.header.result_int(), 200u) << range;
        EXPECT_EQ(a.end, 1000u) << range;
    }
}

TEST(ResponseHead, ARangeBeyondTheEndIs416WithTheSize) {
    auto const a = make_response_head(get("bytes=1000-"), film());
    ASSERT_TRUE(a.refusal);
    EXPECT_EQ(a.refusal->result_int(), 416u);
    EXPECT_EQ(field(*a.refusal, "Content-Range"), "bytes */1000");
    EXPECT_EQ(a.refusal->body(), "Range Not Satisfiable\n");
    EXPECT_EQ(field(*a.refusal, "Content-Type"), "text/plain; charset=utf-8");
    EXPECT_EQ(field(*a.refusal, "Content-Length"), "22");
}

TEST(ResponseHead, HeadHasTheHeadOfGetAndNoBody) {
    auto request = get("bytes=100-199");
    request.head = true;
    auto const a = make_response_head(request, film());
    ASSERT_FALSE(a.refusal);
    EXPECT_EQ(a.header.result_int(), 206u);
    EXPECT_EQ(field(a.header, "Content-Length"), "100");
    EXPECT_EQ(a.first, 100u);
    EXPECT_EQ(a.end, 100u);

    request.range.reset();
    auto const whole = make_response_head(request, film());
    EXPECT_EQ(field(whole.header, "Content-Length"), "1000");
    EXPECT_EQ(whole.end, 0u);
}

TEST(ResponseHead, ConnectionFollowsKeepAlive) {
    auto request = get();
    request.keep_alive = false;
    EXPECT_EQ(field(make_response_head(request, film()).header, "Connection"), "close");
    request.keep_alive = true;
    EXPECT_EQ(field(make_response_head(request, film()).header, "Connection"), "<none>");
}

TEST(ResponseHead, CorsHeadersOnlyForAnAllowedOrigin) {
    auto request = get();
    EXPECT_EQ(field(make_response_head(request, film()).header, "Access-Control-Allow-Origin"), "<none>");
    request.allow_origin = "moz-extension://1234";
    auto const a = make_response_head(request, film());
    EXPECT_EQ(field(a.header, "Access-Control-Allow-Origin"), "moz-extension://1234");
    EXPECT_EQ(field(a.header, "Vary"), "Origin");
    EXPECT_EQ(field(a.header, "Access-Control-Expose-Headers"),
              "Content-Range, Content-Length, Accept-Ranges");
}

TEST(ResponseHead, TypeAndDispositionFromTheName) {
    auto file = film();
    file.path = "x/page.html";
    auto const page = make_response_head(get(), file);
    EXPECT_EQ(field(page.header, "Content-Type"), "text/html");
    EXPECT_EQ(field(page.header, "Content-Disposition"), "attachment; filename*=UTF-8''page.html");

    file.path = "readme";
    EXPECT_EQ(field(make_response_head(get(), file).header, "Content-Type"), "application/octet-stream");

    // Any byte of a name survives, percent-encoded.
    file.path = "d/été 1.mp4";
    EXPECT_EQ(field(make_response_head(get(), file).header, "Content-Disposition"),
              "inline; filename*=UTF-8''%C3%A9t%C3%A9%201.mp4");
}

TEST(ResponseHead, ALockedItemIs403WhateverTheRange) {
    auto file = film();
    file.access = kind::locked;
    file.changed_on_disk = true; // the lock is said first
    auto const a = make_response_head(get("bytes=5000-"), file);
    ASSERT_TRUE(a.refusal);
    EXPECT_EQ(a.refusal->result_int(), 403u);
    EXPECT_EQ(a.refusal->body(), "This item is locked: unlock it in Sluice first\n");
}

TEST(ResponseHead, AFileChangedOnDiskIs503AndComesBack) {
    auto file = film();
    file.changed_on_disk = true;
    auto const a = make_response_head(get("bytes=5000-"), file);
    ASSERT_TRUE(a.refusal);
    EXPECT_EQ(a.refusal->result_int(), 503u);
    EXPECT_EQ(field(*a.refusal, "Retry-After"), "2");
    EXPECT_EQ(a.refusal->body(),
              "This file was changed on disk after it was verified; it is being checked again\n");
}

TEST(ResponseHead, AnUnlockedItemIsServedAsItsPlaintext) {
    file_facts file;
    file.path = "items/film.mp4.locked";
    file.size = 5000; // sealed: header and tags
    file.access = kind::unlocked;
    file.plaintext_size = 4000;
    file.media_type = "video/mp4";
    auto const whole = make_response_head(get(), file);
    EXPECT_EQ(field(whole.header, "Content-Length"), "4000");
    EXPECT_EQ(whole.end, 4000u);
    EXPECT_EQ(field(whole.header, "Content-Type"), "video/mp4");
    EXPECT_EQ(field(whole.header, "Content-Disposition"), "inline; filename*=UTF-8''film.mp4");

    auto const tail = make_response_head(get("bytes=-100"), file);
    EXPECT_EQ(field(tail.header, "Content-Range"), "bytes 3900-3999/4000");
    // A range within the sealed size but past the plaintext's end is not satisfiable.
    auto const past = make_response_head(get("bytes=4500-"), file);
    ASSERT_TRUE(past.refusal);
    EXPECT_EQ(field(*past.refusal, "Content-Range"), "bytes */4000");
}

TEST(ResponseHead, AnUnlockedItemOfAnActiveTypeIsAnAttachment) {
    file_facts file;
    file.path = "items/page.locked";
    file.access = kind::unlocked;
    file.plaintext_size = 10;
    for (auto const* type : {"text/html", "image/svg+xml", "application/javascript"}) {
        file.media_type = type;
        EXPECT_EQ(field(make_response_head(get(), file).header, "Content-Disposition"),
                  "attachment; filename*=UTF-8''page")
            << type;
    }
    for (auto const* type : {"audio/ogg", "image/png", "text/vtt", "application/pdf"}) {
        file.media_type = type;
        EXPECT_EQ(field(make_response_head(get(), file).header, "Content-Disposition"),
                  "inline; filename*=UTF-8''page")
            << type;
    }
    // A name the publisher made active is an attachment whatever the type says.
    file.path = "items/page.html.locked";
    file.media_type = "video/mp4";
    EXPECT_EQ(field(make_response_head(get(), file).header, "Content-Disposition"),
              "attachment; filename*=UTF-8''page.html");
}

TEST(ResponseHead, AnEmptyFileIsAnEmpty200AndAnyRangeOfIt416) {
    auto const whole = make_response_head(get(), film(0));
    EXPECT_EQ(whole.header.result_int(), 200u);
    EXPECT_EQ(field(whole.header, "Content-Length"), "0");
    EXPECT_EQ(whole.end, 0u);
    auto const range = make_response_head(get("bytes=0-"), film(0));
    ASSERT_TRUE(range.refusal);
    EXPECT_EQ(field(*range.refusal, "Content-Range"), "bytes */0");
}

TEST(TextResponse, APreflightAnswerOnTheWire) {
    auto const res = make_text_response(204, {}, std::string("chrome-extension://abc"), true,
                                        "Access-Control-Allow-Methods", "GET, HEAD");
    EXPECT_EQ(wire(res), "HTTP/1.1 204 No Content\r\n"
                         "Server: sluice-host\r\n"
                         "X-Content-Type-Options: nosniff\r\n"
                         "Cache-Control: no-store\r\n"
                         "Referrer-Policy: no-referrer\r\n"
                         "Content-Security-Policy: sandbox; default-src 'none'\r\n"
                         "Access-Control-Allow-Origin: chrome-extension://abc\r\n"
                         "Vary: Origin\r\n"
                         "Access-Control-Expose-Headers: Content-Range, Content-Length, Accept-Ranges\r\n"
                         "Access-Control-Allow-Methods: GET, HEAD\r\n"
                         "Access-Control-Allow-Headers: Range\r\n"
                         "Access-Control-Max-Age: 600\r\n"
                         "Content-Type: text/plain; charset=utf-8\r\n"
                         "Content-Length: 0\r\n"
                         "\r\n");
}

TEST(TextResponse, ARefusalThatClosesTheConnection) {
    auto const res = make_text_response(400, "Bad Request\n", std::nullopt, false);
    EXPECT_EQ(wire(res), "HTTP/1.1 400 Bad Request\r\n"
                         "Server: sluice-host\r\n"
                         "X-Content-Type-Options: nosniff\r\n"
                         "Cache-Control: no-store\r\n"
                         "Referrer-Policy: no-referrer\r\n"
                         "Content-Security-Policy: sandbox; default-src 'none'\r\n"
                         "Content-Type: text/plain; charset=utf-8\r\n"
                         "Connection: close\r\n"
                         "Content-Length: 12\r\n"
                         "\r\n"
                         "Bad Request\n");
}

} // namespace
} // namespace sluice::stream
