// HTTP over loopback as a player or curl reads it: one GET per connection, timed at the socket.
#pragma once

#include <chrono>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace sluice::bench {

// A file descriptor closed on destruction.
class unique_fd {
public:
    explicit unique_fd(int fd = -1) : fd_(fd) {}
    unique_fd(unique_fd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
    unique_fd& operator=(unique_fd&& other) noexcept {
        reset(std::exchange(other.fd_, -1));
        return *this;
    }
    unique_fd(unique_fd const&) = delete;
    unique_fd& operator=(unique_fd const&) = delete;
    ~unique_fd() { reset(); }

    int get() const { return fd_; }
    explicit operator bool() const { return fd_ >= 0; }
    void reset(int fd = -1);

private:
    int fd_;
};

// A port on 127.0.0.1 that nobody listens on right now, for programs that must be told one.
std::uint16_t free_port();
// True once something accepts connections on 127.0.0.1:port; false after `limit`.
bool wait_for_port(std::uint16_t port, std::chrono::milliseconds limit);

struct http_request {
    std::uint16_t port = 0;
    std::string target = "/";
    std::optional<std::uint64_t> range_from{};
    // Read no more of the body than this, then hang up: a first-byte probe needs only a sample.
    std::uint64_t max_body = std::numeric_limits<std::uint64_t>::max();
    std::size_t keep = 4096; // leading and trailing body bytes kept for checking
    std::chrono::seconds timeout = std::chrono::seconds(60);
};

struct http_response {
    bool refused = false; // nobody listens yet
    int status = 0;
    std::optional<std::uint64_t> content_length;
    bool chunked = false;
    std::string content_range;
    std::uint64_t body_bytes = 0;
    std::chrono::steady_clock::time_point sent;
    std::chrono::steady_clock::time_point first_byte;
    std::chrono::steady_clock::time_point done;
    std::string head; // the body's first `keep` bytes
    std::string tail; // and its last

    // The body's bytes over the time from sending the request to the last byte, in MB/s of 10^6 bytes.
    double mb_per_s() const;
};

// The client side of every stream a benchmark measures: a plain blocking socket and recv into a 1 MiB
// buffer, the same for every server. A non-2xx answer ends the read at its head; a body sent chunked is a
// bench_error, as its byte counts would be wrong.
http_response http_get(http_request const& req);

// Splits http://127.0.0.1:PORT/PATH into the port and the path.
std::pair<std::uint16_t, std::string> split_url(std::string const& url);

// RFC 3986 percent-encoding of everything but the unreserved characters.
std::string percent_encode(std::string_view in);

} // namespace sluice::bench
