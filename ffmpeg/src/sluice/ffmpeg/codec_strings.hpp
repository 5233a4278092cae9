#pragma once

#include <sluice/ffmpeg/media_info.hpp>

#include <string>
#include <vector>

namespace sluice::ffmpeg {

// The codec strings of RFC 6381 that a page's canPlayType and MediaSource.isTypeSupported take
// ("avc1.64001F", "mp4a.40.2", "ac-3"); "" for a codec browsers have no name for.
std::string codec_string(video_stream const& video);
// MP3 is named differently inside MP4 ("mp4a.6B") and elsewhere ("mp3").
std::string codec_string(audio_stream const& audio, bool in_mp4);

// What a browser is asked about a file, so the choice between playing it as it is, copying its streams
// into MP4 and converting them is made by the browser that plays it, not guessed from its name.
struct browser_questions {
    std::string as_is;                     // the file as it is (type and codecs); "" when it has no such type
    std::string video_in_mp4;              // its video in MP4; "" without video or a codec string
    std::vector<std::string> audio_in_mp4; // each audio track in MP4 ("" where it has no codec string)

    // Every non-empty question, in that order.
    std::vector<std::string> all() const;
};

browser_questions questions_for(media_info const& info);

// Whether every browser Sluice runs in answers yes to a question (MP4, WebM, Ogg, MP3, FLAC and WAV with
// H.264, VP8, VP9, AV1, AAC, MP3, Opus, Vorbis or FLAC): what a publisher can count on without asking one.
bool plays_in_every_browser(std::string const& question);

} // namespace sluice::ffmpeg
