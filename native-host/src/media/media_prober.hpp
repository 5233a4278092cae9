#pragma once

#include <sluice/ffmpeg/media_info.hpp>
#include <sluice/ffmpeg/tools.hpp>
#include <sluice/protocol/error_code.hpp>

#include <boost/asio/io_context.hpp>

#include <chrono>
#include <cstddef>
#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace sluice::media {

struct probe_failure {
    protocol::error_code code = protocol::error_code::media_unreadable;
    std::string message;
};
using probe_outcome = std::variant<ffmpeg::media_info, probe_failure>;

struct prober_options {
    std::size_t max_running = 2; // probes at once; more wait their turn
    // A probe waits on the torrent for the pieces it reads (the first and last, most often); a file that
    // takes longer than this to yield them is asked about again next time.
    std::chrono::milliseconds timeout = std::chrono::seconds(90);
    std::size_t max_answer_bytes = 1 << 20;
};

// What each media file holds, learnt once by ffprobe run as a child (tool_child: the file's bytes are
// parsed there, never in this process) reading the file through its stream URL, so that a file still
// downloading is read as its pieces arrive and a locked item is read decrypted. Requests for one file while
// its probe runs wait for that probe; outcomes are kept (a file's bytes do not change), except a timeout.
class media_prober {
public:
    explicit media_prober(boost::asio::io_context& io, prober_options options = {});

    using key = std::pair<std::string, int>; // info-hash, file index
    void probe(key const& file, std::string const& url, std::function<void(probe_outcome const&)> done);
    // Where a conversion of the file started at `seconds` really starts (the keyframe a seek there lands on,
    // from the start of the file); `seconds` itself when ffprobe cannot tell.
    void keyframe(std::string const& url, ffmpeg::media_info const& info, double seconds,
                  std::function<void(double)> done);
    // What is known of a file already, without asking.
    ffmpeg::media_info const* known(key const& file) const;
    // A torrent removed: what was learnt of its files goes.
    void forget(std::string const& info_hash);

    // ffmpeg's path when it is installed (looked for again each time, so installing it needs no restart).
    std::optional<ffmpeg::tool_paths> tools() const { return ffmpeg::find_tools(); }

private:
    void start_next();
    void finish(key const& file, probe_outcome outcome, bool keep);

    boost::asio::io_context& io_;
    prober_options options_;
    std::map<key, probe_outcome> outcomes_;
    std::map<key, std::vector<std::function<void(probe_outcome const&)>>> waiting_;
    std::deque<std::pair<key, std::string>> queue_;
    std::size_t running_ = 0;
};

} // namespace sluice::media
