#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>

namespace sluice::stream {

// Where a stream URL points: a file of a torrent, by (info-hash, index), as it is on disk (/s/), converted
// by ffmpeg into what the browser plays (/m/, the plan in the last segment, `?t=` the time to start at), or
// one of its subtitle tracks as WebVTT (/v/, `<track>.vtt`), or a translation of a bundle's item its creator
// approved (/t/, `<info-hash>/<sha256 of the track>.vtt`). A file URL's last segment (the file name, there
// for players that look at extensions) is never used to find anything.
struct stream_target {
    enum class kind { file, converted, subtitles, translation };
    std::string info_hash;
    int file_index = 0;
    kind what = kind::file;
    std::string plan;         // converted: the plan's segment, checked against the file when served
    double start_seconds = 0; // converted
    int subtitle_track = 0;   // subtitles
    std::string track_sha256; // translation: 64 hex digits
};

// The request facts the guard and router look at, already extracted from the HTTP message.
struct request_facts {
    std::string_view method;
    std::string_view target;
    std::optional<std::string_view> host;
    std::optional<std::string_view> origin;
    // More than one Host field: which one names the server is anyone's guess, so none does (400).
    bool host_repeated = false;
};

struct route_decision {
    int status = 404; // 200 means "serve target"; 204 is an allowed CORS preflight; 400 a repeated Host
    std::optional<stream_target> target;
    std::optional<std::string> allow_origin; // echo as Access-Control-Allow-Origin when set
};

// Pure request -> decision, in the order the guards must run: the Host header (400 if there are two, as
// RFC 9112 section 3.2 says; 421 unless it names this server by loopback address or localhost and our port:
// DNS rebinding), the method (GET and HEAD; OPTIONS only as a preflight from an allowed origin), then the
// path `/s/<token>/<info-hash>/<index>[/<name>]` (or `/m/.../<plan>[?t=SECONDS]`, `/v/.../<track>.vtt`) with
// the token compared in constant time, or `/t/<token>/<info-hash>/<sha256>.vtt`. Anything else is a plain 404
// that says nothing.
class stream_router {
public:
    stream_router(std::string token, std::uint16_t port);

    route_decision route(request_facts const& request) const;

    // Origins that may read streams from scripts (CORS): our Chromium extension always; a Firefox
    // extension's origin (moz-extension://<uuid>, random per install) once the extension announced it.
    void allow_origin(std::string origin) { origins_.insert(std::move(origin)); }
    bool origin_allowed(std::string_view origin) const;

    bool host_allowed(std::string_view host) const;
    std::string const& token() const { return token_; }
    std::uint16_t port() const { return port_; }

private:
    route_decision route_translation(std::string_view path_after_prefix, route_decision d) const;
    std::string token_;
    std::uint16_t port_;
    std::set<std::string, std::less<>> origins_;
};

} // namespace sluice::stream
