// frame_echo: the "bare pipe" reference for nm_roundtrip.
//
// Reads native-messaging frames (32-bit native-endian length, then the body) from stdin and writes each one
// back unchanged to stdout. It does nothing a host could skip, so whatever sluice-host costs beyond this is
// the price of its decoding, dispatch and relay.

#include <cerrno>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <exception>
#include <unistd.h>
#include <vector>

namespace {

// Far above any benchmark frame; only there so a corrupt length cannot make us allocate gigabytes.
constexpr std::uint32_t max_body_bytes = 64 * 1024 * 1024;

enum class read_status { ok, eof, error };

// Fills `size` bytes exactly. A clean EOF is only one that comes before the first byte.
read_status read_exact(char* data, std::size_t size) {
    std::size_t done = 0;
    while (done < size) {
        auto const n = ::read(STDIN_FILENO, data + done, size - done);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            return read_status::error;
        }
        if (n == 0) {
            return done == 0 ? read_status::eof : read_status::error;
        }
        done += static_cast<std::size_t>(n);
    }
    return read_status::ok;
}

bool write_all(char const* data, std::size_t size) {
    std::size_t done = 0;
    while (done < size) {
        auto const n = ::write(STDOUT_FILENO, data + done, size - done);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            return false;
        }
        done += static_cast<std::size_t>(n);
    }
    return true;
}

int run() {
    // Header and body go out in one write: two writes would wake the reader twice per frame and make the
    // reference slower than a host that answers with one.
    std::vector<char> frame(sizeof(std::uint32_t));
    for (;;) {
        auto const header = read_exact(frame.data(), sizeof(std::uint32_t));
        if (header == read_status::eof) {
            return 0;
        }
        if (header == read_status::error) {
            std::fputs("frame_echo: could not read a frame header\n", stderr);
            return 1;
        }
        std::uint32_t length = 0;
        std::memcpy(&length, frame.data(), sizeof length);
        if (length > max_body_bytes) {
            std::fprintf(stderr, "frame_echo: refusing a %u-byte frame\n", static_cast<unsigned>(length));
            return 1;
        }
        frame.resize(sizeof(std::uint32_t) + length);
        if (read_exact(frame.data() + sizeof(std::uint32_t), length) != read_status::ok) {
            std::fputs("frame_echo: stdin ended in the middle of a frame\n", stderr);
            return 1;
        }
        if (!write_all(frame.data(), frame.size())) {
            std::fprintf(stderr, "frame_echo: could not write a reply: %s\n", std::strerror(errno));
            return 1;
        }
    }
}

} // namespace

int main() {
    // A reader that went away must show up as a failed write with a message, not as a silent SIGPIPE death.
    std::signal(SIGPIPE, SIG_IGN);
    try {
        return run();
    } catch (std::exception const& e) {
        std::fprintf(stderr, "frame_echo: %s\n", e.what());
        return 1;
    }
}
