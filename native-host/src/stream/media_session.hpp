#pragma once

#include "stream/stream_router.hpp"

#include <sluice/ffmpeg/media_info.hpp>
#include <sluice/ffmpeg/tool_child.hpp>

#include <boost/beast/core/tcp_stream.hpp>

#include <array>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace sluice::stream {

class stream_server;

// One request for a file converted by ffmpeg (/m/) or for one of its subtitle tracks as WebVTT (/v/):
// ffmpeg runs as a child reading the file through its own stream URL (so it waits on pieces with deadlines
// like any player), and what it writes is the response body, as it comes, until it ends or the client goes
// (then it is killed). The head goes out with the first bytes, so a file ffmpeg cannot read gets an error
// status that says why instead of an empty video. The connection closes after the response.
class media_session : public std::enable_shared_from_this<media_session> {
public:
    media_session(boost::beast::tcp_stream stream, stream_server& server, stream_target target, bool head,
                  std::optional<std::string> allow_origin);
    ~media_session();

    void start();

private:
    void convert(ffmpeg::media_info const& info, std::string const& input);
    void run(std::vector<std::string> const& arguments, ffmpeg::child_limits limits);
    void watch_client();
    void read_output();
    void write_output(std::size_t n);
    void output_ended();
    void child_ended(int status);
    void fail(unsigned status, std::string const& text, std::string const& retry_after = {});
    std::string head_text(unsigned status, std::string const& type, std::string const& extra) const;
    void end();

    boost::beast::tcp_stream stream_;
    stream_server& server_;
    std::weak_ptr<void> server_alive_;
    stream_target target_;
    bool head_only_;
    std::optional<std::string> allow_origin_;
    std::string type_;
    std::shared_ptr<ffmpeg::tool_child> child_;
    bool counted_ = false; // holds one of the server's places for a child
    bool head_sent_ = false;
    bool ended_ = false;
    std::string pending_; // the head, then each chunk of output while it is written
    std::array<char, 64 * 1024> chunk_{};
    std::array<char, 256> client_bytes_{};
};

} // namespace sluice::stream
