#include "support/paced_reader.hpp"

#include "support/bench_main.hpp"
#include "support/loopback_http.hpp"

#include <algorithm>
#include <arpa/inet.h>
#include <cerrno>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>
#include <vector>

namespace sluice::bench {

using namespace std::chrono_literals;
using std::chrono::steady_clock;

namespace {

unique_fd connect_loopback(std::uint16_t port) {
    unique_fd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (!fd || ::connect(fd.get(), reinterpret_cast<sockaddr const*>(&addr), sizeof addr) != 0) {
        throw bench_error("cannot connect to 127.0.0.1:" + std::to_string(port));
    }
    return fd;
}

void send_all(int fd, std::string const& bytes) {
    std::size_t sent = 0;
    while (sent < bytes.size()) {
        auto const n = ::send(fd, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
        if (n <= 0) {
            throw bench_error("cannot send the request");
        }
        sent += static_cast<std::size_t>(n);
    }
}

// Waits up to `limit` for bytes and reads at most `want` of them: 0 when none came in time, nullopt at EOF.
std::optional<std::size_t> read_some(int fd, char* into, std::size_t want, std::chrono::milliseconds limit) {
    pollfd p{.fd = fd, .events = POLLIN, .revents = 0};
    auto const ready = ::poll(&p, 1, static_cast<int>(limit.count()));
    if (ready <= 0) {
        return 0;
    }
    auto const n = ::recv(fd, into, want, 0);
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
        return 0;
    }
    if (n <= 0) {
        return std::nullopt;
    }
    return static_cast<std::size_t>(n);
}

// What a viewer sees: the playhead moves at the bitrate while there are bytes under it.
class playhead {
public:
    playhead(double bytes_per_second, double resume_bytes) : rate_(bytes_per_second), resume_(resume_bytes) {}

    void start(steady_clock::time_point now) { last_ = now; }

    // Advances to `now` with `received` bytes in; counts a stall when the playhead reaches them.
    void advance(steady_clock::time_point now, std::uint64_t received, paced_result& r) {
        auto const dt = std::chrono::duration<double>(now - last_).count();
        last_ = now;
        auto const have = static_cast<double>(received);
        if (stalled_) {
            r.stalled_seconds += dt;
            if (have - played_ >= resume_) {
                stalled_ = false;
            }
            return;
        }
        auto const next = played_ + rate_ * dt;
        if (next < have) {
            played_ = next;
            r.played_seconds += dt;
            return;
        }
        // Caught up within this step: it played what there was, then stopped.
        auto const playing = (have - played_) / rate_;
        r.played_seconds += playing;
        r.stalled_seconds += dt - playing;
        played_ = have;
        stalled_ = true;
        ++r.stalls;
    }

    double buffered(std::uint64_t received) const { return static_cast<double>(received) - played_; }

private:
    double rate_;
    double resume_;
    double played_ = 0;
    bool stalled_ = false;
    steady_clock::time_point last_;
};

std::string request_text(paced_request const& req) {
    std::string text =
        "GET " + req.target + " HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(req.port) + "\r\n";
    if (req.range_from) {
        text += "Range: bytes=" + std::to_string(*req.range_from) + "-\r\n";
    }
    return text + "Connection: close\r\n\r\n";
}

} // namespace

paced_result paced_get(paced_request const& req) {
    paced_result r;
    auto fd = connect_loopback(req.port);
    r.sent = steady_clock::now();
    send_all(fd.get(), request_text(req));

    std::vector<char> buf(256 * 1024);
    std::string head;
    std::string early; // body bytes that came with the head
    for (;;) {
        auto const n = read_some(fd.get(), buf.data(), buf.size(), 100ms);
        if (!n) {
            throw bench_error("the server closed the connection before its answer's head");
        }
        head.append(buf.data(), *n);
        if (auto const end = head.find("\r\n\r\n"); end != std::string::npos) {
            early = head.substr(end + 4);
            head.resize(end);
            break;
        }
        if (steady_clock::now() - r.sent > req.give_up) {
            throw bench_error("no answer within " + std::to_string(req.give_up.count()) + " s");
        }
    }
    if (head.size() < 12 || !head.starts_with("HTTP/1.")) {
        throw bench_error("not an HTTP answer: " + head.substr(0, 80));
    }
    r.status = std::stoi(head.substr(9, 3));
    if (r.status != 200 && r.status != 206) {
        return r;
    }

    playhead play(req.bytes_per_second,
                  req.bytes_per_second * std::chrono::duration<double>(req.resume_after).count());
    auto const ahead = req.bytes_per_second * std::chrono::duration<double>(req.buffer_ahead).count();
    auto const note_bytes = [&](std::size_t n, char const* from) {
        if (r.body_bytes == 0) {
            r.first_byte = steady_clock::now();
            play.start(r.first_byte);
        }
        if (r.head.size() < 4096) {
            r.head.append(from, std::min<std::size_t>(n, 4096 - r.head.size()));
        }
        r.body_bytes += n;
    };
    if (!early.empty()) {
        note_bytes(early.size(), early.data());
    }
    for (;;) {
        auto const now = steady_clock::now();
        if (r.body_bytes == 0) {
            if (now - r.sent > req.give_up) {
                throw bench_error("no body byte within " + std::to_string(req.give_up.count()) + " s");
            }
        } else {
            play.advance(now, r.body_bytes, r);
            if (now - r.first_byte >= req.play_for) {
                break;
            }
        }
        if (r.body_bytes > 0 && play.buffered(r.body_bytes) >= ahead) {
            std::this_thread::sleep_for(20ms); // the player's buffer is full: it reads nothing
            continue;
        }
        auto const n = read_some(fd.get(), buf.data(), buf.size(), 20ms);
        if (!n) {
            break; // the whole body is in
        }
        if (*n > 0) {
            note_bytes(*n, buf.data());
        }
    }
    return r;
}

} // namespace sluice::bench
