#pragma once

#include "bundle/bundle_library.hpp"

#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace sluice::stream {

// The head of a file's response; its body is sent from the file (or decrypted) after it.
using header_response = boost::beast::http::response<boost::beast::http::empty_body>;
// A whole short answer: a status with a line of text.
using text_response = boost::beast::http::response<boost::beast::http::string_body>;

// What the answer depends on in a request the router sent to a file.
struct file_request {
    bool head = false;                     // HEAD: the same head as GET, and no body
    std::optional<std::string_view> range; // the Range field (the first, if there are several)
    bool keep_alive = false;
    std::optional<std::string> allow_origin; // echoed as Access-Control-Allow-Origin
};

// What the session learnt of the file before answering.
struct file_facts {
    std::string_view path;  // within the torrent, folders included: its type and the name it is saved as
    std::uint64_t size = 0; // on disk
    bundle::file_access::kind access = bundle::file_access::kind::plain;
    std::uint64_t plaintext_size = 0; // an unlocked item is served as its plaintext: this size...
    std::string_view media_type;      // ...and the type its manifest gives
    bool changed_on_disk = false;     // written to after it was verified: it is being checked again
};

// The answer to a request for a file. Either `refusal` is set and is the whole answer, or `header` is the
// head of a 200 or 206 and the body that follows it is bytes [first, end) of the file as served (the
// plaintext, for an unlocked item); end == first for HEAD, while Content-Length gives what GET would send.
struct response_head {
    std::optional<text_response> refusal;
    header_response header;
    std::uint64_t first = 0;
    std::uint64_t end = 0;
};

// Pure request + file facts -> answer, the guards in the order they must run: a locked item (403, whatever
// else), a file changed on disk (503, Retry-After), a Range nothing of the file satisfies (416). Then the
// head: Content-Type from the name (an unlocked item's from its manifest), Content-Disposition inline for
// what a browser plays or shows passively and attachment for anything that could run on our origin, and
// the range as range_parser decides it.
response_head make_response_head(file_request const& request, file_facts const& file);

// A short text answer with the headers every response of the stream server carries; `extra_name`, when
// not empty, adds one field (Allow, Retry-After, Content-Range...). A 204 is a CORS preflight's answer.
text_response make_text_response(unsigned status, std::string text,
                                 std::optional<std::string> const& allow_origin, bool keep_alive,
                                 std::string_view extra_name = {}, std::string_view extra_value = {});

} // namespace sluice::stream
