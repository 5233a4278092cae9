#include "native_messaging/relay.hpp"

#include "base/log.hpp"
#include "native_messaging/attach_greeting.hpp"
#include "native_messaging/frame_decoder.hpp"
#include "native_messaging/frame_encoder.hpp"
#include "native_messaging/frame_error_reply.hpp"
#include "native_messaging/outbound_frame.hpp"
#include "native_messaging/stdin_reader.hpp"

#include <sluice/fileio/file_io.hpp>
#include <sluice/protocol/version.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>

#include <chrono>
#include <csignal>
#include <deque>
#include <iterator>
#include <thread>
#include <unistd.h>

namespace sluice::native_messaging {

namespace asio = boost::asio;
using stream = asio::local::stream_protocol;

namespace {

constexpr auto connect_retry_delay = std::chrono::milliseconds(50);

using clock = std::chrono::steady_clock;

// Connects to the owner's socket, starting an owner whenever none listens, until `deadline`. Starting is
// asked again after every miss: the owner we found (or started) may be leaving, and the next one is then
// for us to start. The launcher waits for a leaving owner's lock itself, so these misses are few.
bool connect_to_owner(stream::socket& socket, relay_options const& options, clock::time_point deadline) {
    stream::endpoint const endpoint(options.socket_file.string());
    for (;;) {
        boost::system::error_code ec;
        socket.connect(endpoint, ec);
        if (!ec) {
            return true;
        }
        socket.close(ec);
        if (clock::now() >= deadline) {
            break;
        }
        auto const result = options.start_owner ? options.start_owner() : owner_start::already_running;
        if (result == owner_start::failed) {
            base::log::error("could not start the session owner");
            return false;
        }
        // Another owner holds the session: it listens, or is about to.
        if (result == owner_start::already_running) {
            std::this_thread::sleep_for(connect_retry_delay);
        }
    }
    base::log::error("no session owner answers on " + options.socket_file.string());
    return false;
}

// Blocking write of a whole frame to stdout. stdout is the browser's pipe and nothing else writes to it.
bool write_stdout(std::string const& frame) {
    std::error_code ec;
    fileio::write_all(STDOUT_FILENO, frame, ec);
    return !ec;
}

// The relay's state; everything but the stdin decoder lives on the io_context thread.
class relay_session {
public:
    explicit relay_session(relay_options const& options)
        : options_(options), socket_(io_), signals_(io_, SIGINT, SIGTERM), drain_timer_(io_),
          from_owner_(owner_decoder()),
          from_browser_(
              options.max_inbound_frame_bytes,
              [this](frame_event e, std::string body, std::uint64_t n) { on_browser_frame(e, body, n); }),
          reader_(
              STDIN_FILENO, [this](std::span<char const> bytes) { from_browser_.feed(bytes); },
              [this] {
                  if (!from_browser_.finish()) {
                      base::log::warning("the browser closed the port in the middle of a frame");
                  }
                  asio::post(io_, [this] { on_browser_closed(); });
              }) {}

    int run() {
        find_owner_deadline_ = clock::now() + std::chrono::milliseconds(options_.find_owner_timeout_ms);
        if (!connect_to_owner(socket_, options_, find_owner_deadline_)) {
            return 1;
        }
        signals_.async_wait([this](boost::system::error_code ec, int signo) {
            if (!ec) {
                base::log::info("signal " + std::to_string(signo) + ": detaching from the session");
                finish(0);
            }
        });
        read_owner();
        reader_.start();
        io_.run();
        reader_.stop();
        return exit_code_;
    }

private:
    frame_decoder owner_decoder() {
        return frame_decoder(
            protocol::max_outbound_frame_bytes,
            [this](frame_event e, std::string body, std::uint64_t n) { on_owner_frame(e, body, n); });
    }

    void on_browser_frame(frame_event event, std::string const& body, std::uint64_t announced) {
        // Runs on the stdin thread: only encode here, and hand the result to the io thread.
        if (event == frame_event::frame) {
            std::error_code ec;
            auto frame = encode_frame(body, options_.max_inbound_frame_bytes, ec);
            asio::post(io_, [this, frame = std::move(frame)]() mutable { send_owner(std::move(frame)); });
            return;
        }
        if (auto reply = frame_error_reply(event, announced, options_.max_inbound_frame_bytes)) {
            base::log::warning(reply->at("error").at("data").at("detail").get<std::string>());
            asio::post(io_, [frame = to_outbound_frame(*reply)] { write_stdout(frame); });
        }
    }

    void on_owner_frame(frame_event event, std::string const& body, std::uint64_t announced) {
        if (!greeted_) {
            // An owner from before the greeting answers without one; its first answer shows it took us.
            greeted_ = true;
            sent_before_greeting_.clear();
            if (event == frame_event::empty_frame) {
                return;
            }
        }
        if (event != frame_event::frame) {
            base::log::error("the session owner sent a bad frame (" + std::to_string(announced) +
                             " bytes); dropped");
            return;
        }
        std::error_code ec;
        if (!write_stdout(encode_frame(body, protocol::max_outbound_frame_bytes, ec))) {
            base::log::info("the browser stopped reading; detaching");
            finish(0);
        }
    }

    void send_owner(std::string frame) {
        if (done_) {
            return;
        }
        queue_.push_back(std::move(frame));
        write_owner();
    }

    void write_owner() {
        if (writing_ || queue_.empty()) {
            if (!writing_ && queue_.empty() && browser_closed_) {
                boost::system::error_code ignored;
                socket_.shutdown(stream::socket::shutdown_send, ignored);
            }
            return;
        }
        writing_ = true;
        asio::async_write(socket_, asio::buffer(queue_.front()),
                          [this, connection = connection_](boost::system::error_code ec, std::size_t) {
                              if (connection != connection_) {
                                  return; // written to an owner that was leaving; on_owner_left re-queued it
                              }
                              writing_ = false;
                              if (ec) {
                                  // Ungreeted, the owner is leaving: the read side sees it close and
                                  // moves on to the next owner with this frame still queued.
                                  if (!done_ && greeted_) {
                                      base::log::error("lost the session owner: " + ec.message());
                                      finish(1);
                                  }
                                  return;
                              }
                              if (!greeted_) {
                                  sent_before_greeting_.push_back(std::move(queue_.front()));
                              }
                              queue_.pop_front();
                              write_owner();
                          });
    }

    void read_owner() {
        socket_.async_read_some(asio::buffer(buffer_), [this, connection = connection_](
                                                           boost::system::error_code ec, std::size_t n) {
            if (done_ || connection != connection_) {
                return;
            }
            if (ec) {
                if (!greeted_) {
                    on_owner_left();
                } else if (browser_closed_) {
                    finish(0);
                } else {
                    base::log::error("the session owner went away: " + ec.message());
                    finish(1);
                }
                return;
            }
            from_owner_.feed(std::span<char const>(buffer_.data(), n));
            read_owner();
        });
    }

    // The owner closed our connection before greeting it, so it read none of it: it was leaving. Whatever
    // went to it goes, in the same order and ahead of what is still queued, to the next owner.
    void on_owner_left() {
        if (browser_closed_ && queue_.empty() && sent_before_greeting_.empty()) {
            finish(0); // nothing asked, nothing to wait for
            return;
        }
        base::log::info("the session owner was leaving when we connected; finding the next one");
        ++connection_;
        boost::system::error_code ignored;
        socket_.close(ignored);
        writing_ = false;
        queue_.insert(queue_.begin(), std::make_move_iterator(sent_before_greeting_.begin()),
                      std::make_move_iterator(sent_before_greeting_.end()));
        sent_before_greeting_.clear();
        from_owner_ = owner_decoder();
        // Blocks this thread, as the first connect does; the stdin thread keeps queuing meanwhile.
        if (!connect_to_owner(socket_, options_, find_owner_deadline_)) {
            finish(1);
            return;
        }
        read_owner();
        write_owner();
        if (browser_closed_) {
            arm_drain_timer(); // the new owner has all of the drain time to answer
        }
    }

    void on_browser_closed() {
        browser_closed_ = true;
        write_owner(); // half-closes once queued frames are out; the owner answers and then closes
        arm_drain_timer();
    }

    void arm_drain_timer() {
        drain_timer_.expires_after(std::chrono::milliseconds(options_.drain_timeout_ms));
        drain_timer_.async_wait([this](boost::system::error_code ec) {
            if (!ec) {
                finish(0);
            }
        });
    }

    void finish(int code) {
        if (done_) {
            return;
        }
        done_ = true;
        exit_code_ = code;
        boost::system::error_code ignored;
        socket_.close(ignored);
        signals_.cancel(ignored);
        drain_timer_.cancel();
        io_.stop();
    }

    relay_options const& options_;
    asio::io_context io_;
    stream::socket socket_;
    asio::signal_set signals_;
    asio::steady_timer drain_timer_;
    frame_decoder from_owner_;
    frame_decoder from_browser_;
    stdin_reader reader_;
    std::array<char, 64 * 1024> buffer_{};
    std::deque<std::string> queue_;
    // Frames written to the owner before its greeting; sent again if it turns out to be leaving.
    std::deque<std::string> sent_before_greeting_;
    clock::time_point find_owner_deadline_;
    // Tells handlers of a connection given up on from those of the current one.
    std::uint64_t connection_ = 0;
    bool greeted_ = false;
    bool writing_ = false;
    bool browser_closed_ = false;
    bool done_ = false;
    int exit_code_ = 0;
};

} // namespace

int run_relay(relay_options const& options) {
    std::signal(SIGPIPE, SIG_IGN);
    relay_session session(options);
    return session.run();
}

} // namespace sluice::native_messaging
