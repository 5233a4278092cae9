#include "stream/media_session.hpp"

#include "base/log.hpp"
#include "media/media_prober.hpp"
#include "stream/stream_server.hpp"

#include <sluice/ffmpeg/playback_plan.hpp>

#include <boost/asio/write.hpp>

namespace sluice::stream {

namespace asio = boost::asio;

namespace {

// A paused player stops reading; ffmpeg then waits on a full pipe. Past this the pause is taken as the end.
constexpr auto idle_write_timeout = std::chrono::minutes(10);

char const* reason_of(unsigned status) {
    switch (status) {
    case 200:
        return "OK";
    case 404:
        return "Not Found";
    case 416:
        return "Range Not Satisfiable";
    case 422:
        return "Unprocessable Content";
    case 503:
        return "Service Unavailable";
    default:
        return "Error";
    }
}

} // namespace

media_session::media_session(boost::beast::tcp_stream stream, stream_server& server, stream_target target,
                             bool head, std::optional<std::string> allow_origin)
    : stream_(std::move(stream)), server_(server), server_alive_(server.alive_token()),
      target_(std::move(target)), head_only_(head), allow_origin_(std::move(allow_origin)) {
    server_.connection_opened();
}

media_session::~media_session() {
    if (child_) {
        child_->kill();
    }
    if (server_alive_.lock()) {
        if (counted_) {
            server_.conversion_ended();
        }
        server_.connection_closed();
    }
}

std::string media_session::head_text(unsigned status, std::string const& type,
                                     std::string const& extra) const {
    std::string head =
        "HTTP/1.1 " + std::to_string(status) + " " + reason_of(status) + "\r\nContent-Type: " + type +
        "\r\nCache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\nConnection: close\r\n";
    if (allow_origin_) {
        head += "Access-Control-Allow-Origin: " + *allow_origin_ + "\r\nVary: Origin\r\n";
    }
    return head + extra + "\r\n";
}

void media_session::start() {
    auto const input = server_.file_url(target_.info_hash, target_.file_index);
    auto* prober = server_.prober();
    if (!input || !prober) {
        fail(404, "Not Found\n");
        return;
    }
    if (target_.what == stream_target::kind::subtitles) {
        type_ = "text/vtt; charset=utf-8";
        // Subtitles are read from the whole file (they are spread through it): time is what it takes.
        ffmpeg::child_limits limits;
        limits.memory_bytes = std::uint64_t{1} << 30;
        run(ffmpeg::subtitle_arguments(*input, target_.subtitle_track), limits);
        return;
    }
    prober->probe({target_.info_hash, target_.file_index}, *input,
                  [self = shared_from_this(), input = *input](media::probe_outcome const& outcome) {
                      if (self->ended_) {
                          return;
                      }
                      if (auto const* failure = std::get_if<media::probe_failure>(&outcome)) {
                          self->fail(422, failure->message + "\n");
                          return;
                      }
                      self->convert(std::get<ffmpeg::media_info>(outcome), input);
                  });
}

void media_session::convert(ffmpeg::media_info const& info, std::string const& input) {
    auto const plan = ffmpeg::read_plan_segment(target_.plan, info);
    if (!plan) {
        fail(404, "Not Found\n");
        return;
    }
    if (info.duration && target_.start_seconds >= *info.duration) {
        fail(416, "The file ends before that time\n");
        return;
    }
    type_ = ffmpeg::converted_type(*plan);
    run(ffmpeg::conversion_arguments(info, *plan, input, target_.start_seconds), {std::uint64_t{4} << 30, 0});
}

void media_session::run(std::vector<std::string> const& arguments, ffmpeg::child_limits limits) {
    if (head_only_) {
        pending_ = head_text(200, type_, {});
        asio::async_write(
            stream_, asio::buffer(pending_),
            [self = shared_from_this()](boost::system::error_code, std::size_t) { self->end(); });
        return;
    }
    auto const tools = server_.prober()->tools();
    if (!tools) {
        fail(503, "ffmpeg is not installed\n");
        return;
    }
    if (!server_.conversion_started()) {
        fail(503, "Too many conversions at once\n", "2");
        return;
    }
    counted_ = true;
    std::error_code ec;
    child_ = ffmpeg::tool_child::start(server_.io(), tools->ffmpeg, arguments, limits, ec);
    if (!child_) {
        fail(503, "cannot start ffmpeg: " + ec.message() + "\n");
        return;
    }
    base::log::debug("ffmpeg for " + target_.info_hash + " file " + std::to_string(target_.file_index) +
                     (target_.what == stream_target::kind::subtitles
                          ? " subtitles " + std::to_string(target_.subtitle_track)
                          : " as " + target_.plan + " from " + std::to_string(target_.start_seconds) + " s"));
    watch_client();
    read_output();
}

// The response is the last thing on this connection, so anything the client sends, or its leaving, ends it.
void media_session::watch_client() {
    stream_.socket().async_read_some(
        asio::buffer(client_bytes_),
        [self = shared_from_this()](boost::system::error_code, std::size_t) { self->end(); });
}

void media_session::read_output() {
    child_->output().async_read_some(
        asio::buffer(chunk_), [self = shared_from_this()](boost::system::error_code ec, std::size_t n) {
            if (self->ended_) {
                return;
            }
            if (n > 0) {
                self->write_output(n);
                return;
            }
            if (ec) {
                self->output_ended();
            }
        });
}

void media_session::write_output(std::size_t n) {
    pending_.clear();
    if (!head_sent_) {
        head_sent_ = true;
        pending_ = head_text(200, type_, {});
    }
    pending_.append(chunk_.data(), n);
    stream_.expires_after(idle_write_timeout);
    asio::async_write(stream_, asio::buffer(pending_),
                      [self = shared_from_this()](boost::system::error_code ec, std::size_t) {
                          if (ec || self->ended_) {
                              self->end();
                              return;
                          }
                          self->read_output();
                      });
}

void media_session::output_ended() {
    child_->finish([self = shared_from_this()](int status) { self->child_ended(status); });
}

void media_session::child_ended(int status) {
    if (ended_) {
        return;
    }
    if (status != 0) {
        auto const line = child_->error_line();
        base::log::info("ffmpeg for " + target_.info_hash + " file " + std::to_string(target_.file_index) +
                        " ended with status " + std::to_string(status) + (line.empty() ? "" : ": " + line));
        if (!head_sent_) {
            fail(422,
                 "ffmpeg could not read this file" + (line.empty() ? std::string() : ": " + line) + "\n");
            return;
        }
    } else if (!head_sent_) {
        // Nothing to send, and no error: an empty track, for instance.
        pending_ = head_text(200, type_, "Content-Length: 0\r\n");
        asio::async_write(
            stream_, asio::buffer(pending_),
            [self = shared_from_this()](boost::system::error_code, std::size_t) { self->end(); });
        return;
    }
    end();
}

void media_session::fail(unsigned status, std::string const& text, std::string const& retry_after) {
    if (child_) {
        child_->kill();
    }
    auto const extra = "Content-Length: " + std::to_string(text.size()) + "\r\n" +
                       (retry_after.empty() ? std::string() : "Retry-After: " + retry_after + "\r\n");
    pending_ = head_text(status, "text/plain; charset=utf-8", extra) + (head_only_ ? std::string() : text);
    head_sent_ = true;
    stream_.expires_after(std::chrono::seconds(30));
    asio::async_write(stream_, asio::buffer(pending_),
                      [self = shared_from_this()](boost::system::error_code, std::size_t) { self->end(); });
}

void media_session::end() {
    if (ended_) {
        return;
    }
    ended_ = true;
    if (child_) {
        child_->kill();
    }
    boost::system::error_code ignored;
    stream_.socket().shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
    stream_.socket().close(ignored);
}

} // namespace sluice::stream
