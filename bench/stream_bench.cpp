// stream_bench: what streaming and downloading through sluice-host cost next to the programs a user could
// have used instead, each measured in the same run on the same data over loopback.
//
//   nginx       a complete file streamed by the host (it seeds it) against nginx serving the same file
//   first-byte  torrent.add of a magnet to the first byte of a stream, from offset 0 and from the middle,
//               against a bare libtorrent session fetching the same piece from the same seed
//   aria2       a whole download from an aria2c seed, against a bare libtorrent client
//   streamers   first byte, seek, stream throughput and peak memory against peerflix and webtorrent-cli
//
// The 1 GiB file and its .torrent are made once and kept in the cache folder, as is the npm install of the
// two streamers; everything else (sandboxes, downloads, servers) lives and dies with the run.

#include "bench_support.hpp"

#include <boost/process.hpp>
#include <boost/process/extend.hpp>
#include <libtorrent/create_torrent.hpp>
#include <libtorrent/file_storage.hpp>
#include <libtorrent/torrent_info.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <arpa/inet.h>
#include <array>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <exception>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <functional>
#include <limits>
#include <map>
#include <mutex>
#include <netinet/in.h>
#include <optional>
#include <poll.h>
#include <random>
#include <sstream>
#include <string>
#include <string_view>
#include <sys/socket.h>
#include <sys/types.h>
#include <thread>
#include <unistd.h>
#include <vector>

#ifndef SLUICE_BENCH_HOST_EXE
#define SLUICE_BENCH_HOST_EXE ""
#endif
#ifndef SLUICE_BENCH_LT_SEED_EXE
#define SLUICE_BENCH_LT_SEED_EXE ""
#endif
#ifndef SLUICE_BENCH_CACHE_DIR
#define SLUICE_BENCH_CACHE_DIR "build/bench-cache"
#endif

namespace {

namespace bench = sluice::bench;
namespace bp = boost::process;
namespace fs = std::filesystem;
namespace lt = libtorrent;
using namespace std::chrono_literals;
using bench::bench_error;
using std::chrono::milliseconds;
using std::chrono::steady_clock;

constexpr char const* program = "stream_bench";

// Off the network and TCP only, like every other peer in the run. lingerSeconds 0: the benchmark closes its
// streams before it detaches, but the owner may hear of the detach first, and must not then wait 30 s.
constexpr std::string_view host_config =
    R"({"session":{"dht":false,"lsd":false,"upnp":false,"natpmp":false,"utp":false,)"
    R"("listenInterfaces":"127.0.0.1:0"},"lingerSeconds":0})";
// The same with uTP on, as the host ships: what users meet.
constexpr std::string_view host_config_shipped_utp =
    R"({"session":{"dht":false,"lsd":false,"upnp":false,"natpmp":false,"utp":true,)"
    R"("listenInterfaces":"127.0.0.1:0"},"lingerSeconds":0})";

constexpr int piece_size = 1024 * 1024;
constexpr double mega = 1e6; // throughput is in MB/s of 10^6 bytes, as curl and the notes give it
constexpr std::size_t sample_bytes = 4096;

// Pinned to the versions whose behaviour the notes describe.
constexpr char const* peerflix_package = "peerflix@0.39.0";
constexpr char const* webtorrent_package = "webtorrent-cli@6.0.1";
constexpr char const* streamers_stamp = "peerflix-0.39.0+webtorrent-cli-6.0.1";

constexpr char const* usage =
    "usage: stream_bench [--size-mib N] [--runs N] [--only nginx|first-byte|aria2|streamers] [--json]\n"
    "                    [--host PATH] [--lt-seed PATH] [--cache DIR]\n"
    "  --size-mib N   size of the test file (default: 1024)\n"
    "  --runs N       measured runs per figure (default: 3 for throughput and the streamers, 5 for the\n"
    "                 first-byte latencies)\n"
    "  --only NAME    run one part only\n"
    "  --json         print the figures as one JSON object instead of the tables (progress goes to stderr)\n"
    "  --host PATH    the sluice-host binary (default: " SLUICE_BENCH_HOST_EXE ")\n"
    "  --lt-seed PATH the lt_seed helper (default: " SLUICE_BENCH_LT_SEED_EXE ")\n"
    "  --cache DIR    where the test file and the npm packages are kept (default: " SLUICE_BENCH_CACHE_DIR
    ")\n";

struct options {
    std::uint64_t size_mib = 1024;
    std::optional<int> runs;
    std::string only;
    bool json = false;
    bool help = false;
    fs::path host = SLUICE_BENCH_HOST_EXE;
    fs::path lt_seed = SLUICE_BENCH_LT_SEED_EXE;
    fs::path cache = SLUICE_BENCH_CACHE_DIR;

    int runs_or(int fallback) const { return runs.value_or(fallback); }
};

// Progress and per-run figures: on stdout with the tables, on stderr when stdout carries the JSON.
std::FILE* out = stdout;

template <typename... Args>
void say(char const* format, Args... args) {
    if constexpr (sizeof...(Args) == 0) {
        std::fputs(format, out);
    } else {
        std::fprintf(out, format, args...);
    }
    std::fflush(out);
}

double ms_between(steady_clock::time_point from, steady_clock::time_point to) {
    return std::chrono::duration<double, std::milli>(to - from).count();
}

double median(std::vector<double> values) {
    if (values.empty()) {
        return std::nan("");
    }
    std::sort(values.begin(), values.end());
    auto const n = values.size();
    return n % 2 == 1 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
}

double round_to(double value, int decimals) {
    auto const scale = std::pow(10.0, decimals);
    return std::round(value * scale) / scale;
}

nlohmann::json rounded(std::vector<double> const& values, int decimals) {
    auto list = nlohmann::json::array();
    for (double const v : values) {
        list.push_back(round_to(v, decimals));
    }
    return list;
}

std::string base64(std::string_view in) {
    static char const table[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string encoded;
    std::size_t i = 0;
    for (; i + 2 < in.size(); i += 3) {
        auto const n = (static_cast<unsigned char>(in[i]) << 16) |
                       (static_cast<unsigned char>(in[i + 1]) << 8) | static_cast<unsigned char>(in[i + 2]);
        encoded += {table[(n >> 18) & 63], table[(n >> 12) & 63], table[(n >> 6) & 63], table[n & 63]};
    }
    if (i < in.size()) {
        auto n = static_cast<unsigned char>(in[i]) << 16;
        if (i + 1 < in.size()) {
            n |= static_cast<unsigned char>(in[i + 1]) << 8;
        }
        encoded += {table[(n >> 18) & 63], table[(n >> 12) & 63],
                    i + 1 < in.size() ? table[(n >> 6) & 63] : '=', '='};
    }
    return encoded;
}

std::string percent_encode(std::string_view in) {
    std::string encoded;
    for (unsigned char const c : in) {
        if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
            encoded += static_cast<char>(c);
        } else {
            char buf[4];
            std::snprintf(buf, sizeof buf, "%%%02X", c);
            encoded += buf;
        }
    }
    return encoded;
}

void write_text(fs::path const& file, std::string_view text) {
    fs::create_directories(file.parent_path());
    std::ofstream f(file, std::ios::binary | std::ios::trunc);
    f << text;
    if (!f.flush()) {
        throw bench_error("cannot write " + file.string());
    }
}

std::string read_text(fs::path const& file) {
    std::ifstream in(file, std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

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
    void reset(int fd = -1) {
        if (fd_ >= 0) {
            ::close(fd_);
        }
        fd_ = fd;
    }

private:
    int fd_;
};

// A port nobody listens on right now, for programs that must be told one (nginx, aria2c, the streamers).
std::uint16_t free_port() {
    unique_fd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    if (!fd || ::bind(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
        ::getsockname(fd.get(), reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
        throw bench_error("cannot find a free port: " + std::string(std::strerror(errno)));
    }
    return ntohs(addr.sin_port);
}

// ---- HTTP: one GET per connection, timed at the socket ----

struct http_request {
    std::uint16_t port = 0;
    std::string target = "/";
    std::optional<std::uint64_t> range_from{};
    // Read no more of the body than this, then hang up: a first-byte probe needs only a sample.
    std::uint64_t max_body = std::numeric_limits<std::uint64_t>::max();
    std::size_t keep = sample_bytes; // leading and trailing body bytes kept for checking
    std::chrono::seconds timeout = 60s;
};

struct http_response {
    bool refused = false; // nobody listens yet
    int status = 0;
    std::optional<std::uint64_t> content_length;
    bool chunked = false;
    std::string content_range;
    std::uint64_t body_bytes = 0;
    steady_clock::time_point sent;
    steady_clock::time_point first_byte;
    steady_clock::time_point done;
    std::string head;
    std::string tail;

    double mb_per_s() const {
        return static_cast<double>(body_bytes) / mega / (ms_between(sent, done) / 1000);
    }
};

std::string lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
    return s;
}

void parse_head(std::string const& head, http_response& r) {
    std::istringstream lines(head);
    std::string line;
    std::getline(lines, line);
    if (!line.starts_with("HTTP/1.") || line.size() < 12) {
        throw bench_error("not an HTTP response: " + line.substr(0, 80));
    }
    r.status = std::stoi(line.substr(9, 3));
    while (std::getline(lines, line)) {
        if (!line.empty() && line.back() == '\r') {
            line.pop_back();
        }
        auto const colon = line.find(':');
        if (colon == std::string::npos) {
            continue;
        }
        auto const name = lower(line.substr(0, colon));
        auto value = line.substr(colon + 1);
        value.erase(0, value.find_first_not_of(' '));
        if (name == "content-length") {
            r.content_length = std::stoull(value);
        } else if (name == "content-range") {
            r.content_range = value;
        } else if (name == "transfer-encoding" && lower(value) != "identity") {
            r.chunked = true;
        }
    }
}

// The client side of every stream: a plain blocking socket and recv into a 1 MiB buffer, as a player or
// curl would read, the same for every server measured.
http_response http_get(http_request const& req) {
    http_response r;
    unique_fd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    if (!fd) {
        throw bench_error("socket: " + std::string(std::strerror(errno)));
    }
    timeval tv{};
    tv.tv_sec = static_cast<time_t>(req.timeout.count());
    ::setsockopt(fd.get(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    ::setsockopt(fd.get(), SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(req.port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
        if (errno == ECONNREFUSED) {
            r.refused = true;
            return r;
        }
        throw bench_error("connect to 127.0.0.1:" + std::to_string(req.port) + ": " + std::strerror(errno));
    }
    auto request = "GET " + req.target + " HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(req.port) +
                   "\r\nUser-Agent: stream_bench\r\nAccept: */*\r\n";
    if (req.range_from) {
        request += "Range: bytes=" + std::to_string(*req.range_from) + "-\r\n";
    }
    request += "Connection: close\r\n\r\n";
    r.sent = steady_clock::now();
    for (std::size_t done = 0; done < request.size();) {
        auto const n = ::send(fd.get(), request.data() + done, request.size() - done, MSG_NOSIGNAL);
        if (n < 0 && errno != EINTR) {
            throw bench_error("sending the request: " + std::string(std::strerror(errno)));
        }
        done += n > 0 ? static_cast<std::size_t>(n) : 0;
    }

    thread_local std::vector<char> buffer(1 << 20);
    std::string head;
    bool in_body = false;
    auto const take = [&](char const* data, std::size_t len, steady_clock::time_point now) {
        if (len == 0) {
            return;
        }
        if (r.body_bytes == 0) {
            r.first_byte = now;
        }
        if (r.head.size() < req.keep) {
            r.head.append(data, std::min(req.keep - r.head.size(), len));
        }
        if (len >= req.keep) {
            r.tail.assign(data + len - req.keep, req.keep);
        } else {
            r.tail.append(data, len);
            if (r.tail.size() > req.keep) {
                r.tail.erase(0, r.tail.size() - req.keep);
            }
        }
        r.body_bytes += len;
    };
    for (;;) {
        auto const want =
            std::min<std::uint64_t>(buffer.size(), req.max_body - std::min(req.max_body, r.body_bytes));
        auto const n =
            ::recv(fd.get(), buffer.data(), in_body ? static_cast<std::size_t>(want) : buffer.size(), 0);
        auto const now = steady_clock::now();
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            if (errno == EAGAIN || errno == EWOULDBLOCK) {
                throw bench_error("no data from 127.0.0.1:" + std::to_string(req.port) + " for " +
                                  std::to_string(req.timeout.count()) + " s");
            }
            if (errno == ECONNRESET && in_body) {
                break;
            }
            throw bench_error("reading the response: " + std::string(std::strerror(errno)));
        }
        if (n == 0) {
            if (!in_body) {
                throw bench_error("the server closed the connection before the response head");
            }
            break;
        }
        if (!in_body) {
            head.append(buffer.data(), static_cast<std::size_t>(n));
            auto const end = head.find("\r\n\r\n");
            if (end == std::string::npos) {
                if (head.size() > 64 * 1024) {
                    throw bench_error("a response head larger than 64 KiB");
                }
                continue;
            }
            parse_head(head.substr(0, end), r);
            if (r.status < 200 || r.status > 299) {
                break; // a "not yet" or an error: its page is of no interest
            }
            if (r.chunked) {
                // No server here should chunk a file; if one did, the byte counts would be wrong.
                throw bench_error("a file sent with Transfer-Encoding: chunked");
            }
            in_body = true;
            auto const rest = head.substr(end + 4);
            take(rest.data(), std::min<std::uint64_t>(rest.size(), req.max_body), now);
        } else {
            take(buffer.data(), static_cast<std::size_t>(n), now);
        }
        if ((r.content_length && r.body_bytes >= *r.content_length) || r.body_bytes >= req.max_body) {
            break;
        }
    }
    r.done = steady_clock::now();
    return r;
}

// Splits http://127.0.0.1:PORT/PATH into the port and the path.
std::pair<std::uint16_t, std::string> split_url(std::string const& url) {
    std::string_view rest = url;
    if (!rest.starts_with("http://127.0.0.1:")) {
        throw bench_error("not a loopback URL: " + url);
    }
    rest.remove_prefix(std::strlen("http://127.0.0.1:"));
    auto const slash = rest.find('/');
    auto const port = std::stoi(std::string(rest.substr(0, slash)));
    return {static_cast<std::uint16_t>(port),
            std::string(slash == std::string_view::npos ? "/" : rest.substr(slash))};
}

bool wait_for_port(std::uint16_t port, milliseconds limit) {
    auto const deadline = steady_clock::now() + limit;
    while (steady_clock::now() < deadline) {
        unique_fd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_port = htons(port);
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        if (::connect(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0) {
            return true;
        }
        std::this_thread::sleep_for(10ms);
    }
    return false;
}

// ---- processes ----

// The process groups of the helpers running now. On Ctrl-C they get SIGTERM at once: the driver's waits then
// end in errors, and the unwinding stops what is left and removes the temporary folders. A second signal
// kills them and ends the driver on the spot.
std::array<std::atomic<pid_t>, 64> live_groups{};
std::atomic<bool> interrupted{false};

// Called in every loop that waits or starts something, so that an interrupted run unwinds promptly.
void check_interrupted() {
    if (interrupted.load()) {
        throw bench_error("interrupted");
    }
}

void remember_group(pid_t pgid) {
    for (auto& slot : live_groups) {
        pid_t expected = 0;
        if (slot.compare_exchange_strong(expected, pgid)) {
            return;
        }
    }
}

void forget_group(pid_t pgid) {
    for (auto& slot : live_groups) {
        pid_t expected = pgid;
        slot.compare_exchange_strong(expected, 0);
    }
}

extern "C" void on_interrupt(int signo) {
    bool const again = interrupted.exchange(true);
    for (auto& slot : live_groups) {
        if (pid_t const pgid = slot.load(); pgid > 0) {
            ::kill(-pgid, again ? SIGKILL : SIGTERM);
        }
    }
    if (again) {
        ::_exit(128 + signo);
    }
}

// Pipes from Boost.Process 1.74 are inheritable; a second child started while the first runs would hold the
// first's stdin open, and the first would never see it close. Both ends close on exec: the child's copies
// are dup2'ed onto 0 and 1 before exec and survive.
void close_on_exec(bp::pipe& p) {
    ::fcntl(p.native_source(), F_SETFD, FD_CLOEXEC);
    ::fcntl(p.native_sink(), F_SETFD, FD_CLOEXEC);
}

// A helper program in a process group of its own, stopped with the whole group when it goes out of scope:
// SIGTERM, a grace period, then SIGKILL. Its stdin is a pipe it may watch to notice that the driver left.
class child_process {
public:
    struct spec {
        std::string name;
        fs::path exe;
        std::vector<std::string> args;
        fs::path log; // stderr, and stdout unless read_stdout
        bool read_stdout = false;
        fs::path cwd{};
        std::vector<std::pair<std::string, std::string>> env{};
    };

    explicit child_process(spec s) : spec_(std::move(s)) {
        check_interrupted();
        close_on_exec(in_);
        close_on_exec(out_);
        auto env = boost::this_process::environment();
        for (auto const& [key, value] : spec_.env) {
            env[key] = value;
        }
        auto const cwd = spec_.cwd.empty() ? fs::current_path() : spec_.cwd;
        auto const own_group = [](auto&) { ::setpgid(0, 0); };
        started_ = steady_clock::now();
        try {
            if (spec_.read_stdout) {
                child_ = bp::child(bp::exe = spec_.exe.string(), bp::args = spec_.args,
                                   bp::std_in<in_, bp::std_out> out_, bp::std_err > spec_.log.string(), env,
                                   bp::start_dir = cwd.string(), bp::extend::on_exec_setup = own_group);
            } else {
                child_ = bp::child(bp::exe = spec_.exe.string(), bp::args = spec_.args,
                                   bp::std_in<in_, (bp::std_out & bp::std_err)> spec_.log.string(), env,
                                   bp::start_dir = cwd.string(), bp::extend::on_exec_setup = own_group);
            }
        } catch (std::exception const& e) {
            throw bench_error("cannot start " + spec_.name + " (" + spec_.exe.string() + "): " + e.what());
        }
        pid_ = child_.id();
        remember_group(pid_);
    }
    child_process(child_process const&) = delete;
    child_process& operator=(child_process const&) = delete;
    ~child_process() { stop(); }

    pid_t pid() const { return pid_; }
    std::string const& name() const { return spec_.name; }
    steady_clock::time_point started() const { return started_; }
    fs::path const& log() const { return spec_.log; }

    bool running() {
        try {
            return child_.running();
        } catch (std::exception const&) {
            return false;
        }
    }

    // The next line the child wrote on stdout; nullopt once it closed stdout.
    std::optional<std::string> read_line(milliseconds limit) {
        auto const deadline = steady_clock::now() + limit;
        for (;;) {
            if (auto const nl = pending_.find('\n'); nl != std::string::npos) {
                auto line = pending_.substr(0, nl);
                pending_.erase(0, nl + 1);
                return line;
            }
            auto const left =
                std::chrono::duration_cast<milliseconds>(deadline - steady_clock::now()).count();
            if (left <= 0) {
                throw bench_error(spec_.name + " said nothing for " + std::to_string(limit.count() / 1000) +
                                  " s");
            }
            pollfd pfd{out_.native_source(), POLLIN, 0};
            if (::poll(&pfd, 1, static_cast<int>(std::min<long long>(left, 1000))) <= 0) {
                continue;
            }
            char buffer[4096];
            auto const n = ::read(out_.native_source(), buffer, sizeof buffer);
            if (n < 0 && errno == EINTR) {
                continue;
            }
            if (n <= 0) {
                return std::nullopt;
            }
            pending_.append(buffer, static_cast<std::size_t>(n));
        }
    }

    std::optional<int> wait_for_exit(milliseconds limit) {
        auto const deadline = steady_clock::now() + limit;
        while (running()) {
            if (steady_clock::now() > deadline) {
                return std::nullopt;
            }
            std::this_thread::sleep_for(5ms);
        }
        try {
            return child_.exit_code();
        } catch (std::exception const&) {
            return -1;
        }
    }

    void stop(milliseconds grace = 3s) {
        if (stopped_) {
            return;
        }
        stopped_ = true;
        try {
            in_.close();
            if (running()) {
                ::kill(-pid_, SIGTERM);
                if (!wait_for_exit(grace)) {
                    ::kill(-pid_, SIGKILL);
                    child_.wait();
                }
            }
        } catch (std::exception const&) {
        }
        forget_group(pid_);
    }

private:
    spec spec_;
    bp::pipe in_;
    bp::pipe out_;
    bp::child child_;
    pid_t pid_ = -1;
    steady_clock::time_point started_;
    std::string pending_;
    bool stopped_ = false;
};

// Peak resident memory, from the kernel's own high-water mark, summed over a process and its descendants.
std::map<pid_t, pid_t> parents() {
    std::map<pid_t, pid_t> parent_of;
    for (auto const& p : bench::list_processes()) {
        parent_of[p.pid] = p.ppid;
    }
    return parent_of;
}

// A "Field:   N kB" line of /proc/PID/status, in MiB.
double status_mib(pid_t pid, std::string_view field) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/status");
    std::string line;
    while (std::getline(in, line)) {
        if (line.starts_with(field)) {
            return std::stod(line.substr(field.size())) / 1024.0;
        }
    }
    return 0;
}

// VmHWM is the figure asked for, but it counts every resident page the process maps, file pages included;
// RssAnon, the memory the process itself allocated, tells a large heap from a large mapped file.
struct memory_figures {
    double peak_rss_mib = 0;
    double anon_mib = 0;
};

memory_figures memory_of(pid_t pid) {
    return {.peak_rss_mib = status_mib(pid, "VmHWM:"), .anon_mib = status_mib(pid, "RssAnon:")};
}

memory_figures tree_memory(pid_t root) {
    auto const parent_of = parents();
    std::vector<pid_t> tree{root};
    for (std::size_t i = 0; i < tree.size(); ++i) {
        for (auto const& [pid, ppid] : parent_of) {
            if (ppid == tree[i]) {
                tree.push_back(pid);
            }
        }
    }
    memory_figures total;
    for (pid_t const pid : tree) {
        auto const m = memory_of(pid);
        total.peak_rss_mib += m.peak_rss_mib;
        total.anon_mib += m.anon_mib;
    }
    return total;
}

// ---- sluice-host over its pipes ----

// One relay, started as a browser starts it, with a fresh sandbox; requests go out as frames and a reader
// thread files the replies by id (notifications, which the owner broadcasts, are dropped). Destruction
// detaches the way a browser does, by closing stdin, and waits for the relay and its owner to leave.
class host_client {
public:
    explicit host_client(options const& o, std::string_view config = host_config) : box_(config, program) {
        check_interrupted();
        fs::create_directories(downloads());
        close_on_exec(to_);
        close_on_exec(from_);
        auto const own_group = [](auto&) { ::setpgid(0, 0); };
        started_ = steady_clock::now();
        child_ = bp::child(bp::exe = o.host.string(), bp::std_in<to_, bp::std_out> from_,
                           bp::std_err > box_.stderr_file().string(),
                           bp::env["XDG_RUNTIME_DIR"] = box_.runtime_dir().string(),
                           bp::env["XDG_DATA_HOME"] = box_.data_home().string(),
                           // Where the owner saves when a call names no folder: never the user's own.
                           bp::env["XDG_DOWNLOAD_DIR"] = downloads().string(),
                           bp::extend::on_exec_setup = own_group);
        remember_group(child_.id());
        reader_ = std::thread([this] { read_replies(); });
    }
    host_client(host_client const&) = delete;
    host_client& operator=(host_client const&) = delete;
    ~host_client() {
        auto const failing = std::uncaught_exceptions() > uncaught_at_start_;
        shut_down();
        if (failing) {
            box_.dump_logs();
        }
    }

    steady_clock::time_point started() const { return started_; }
    fs::path downloads() const { return box_.root() / "downloads"; }

    std::uint64_t send(std::string const& method, nlohmann::json params = nlohmann::json::object()) {
        auto const id = next_id_++;
        auto const body =
            nlohmann::json{{"jsonrpc", "2.0"}, {"id", id}, {"method", method}, {"params", std::move(params)}}
                .dump();
        bench::write_all(to_, bench::make_frame(body));
        return id;
    }

    nlohmann::json wait_result(std::uint64_t id, std::string const& method, milliseconds limit = 30s) {
        std::unique_lock lock(mutex_);
        if (!replied_.wait_for(lock, limit, [&] { return replies_.count(id) > 0 || closed_; })) {
            throw bench_error(method + ": no reply from sluice-host within " + std::to_string(limit.count()) +
                              " ms");
        }
        auto const it = replies_.find(id);
        if (it == replies_.end()) {
            throw bench_error(method + ": sluice-host closed its stdout");
        }
        auto reply = std::move(it->second);
        replies_.erase(it);
        if (!reply.contains("result")) {
            throw bench_error(method + " failed: " + reply.dump().substr(0, 400));
        }
        return reply["result"];
    }

    nlohmann::json call(std::string const& method, nlohmann::json params = nlohmann::json::object(),
                        milliseconds limit = 30s) {
        return wait_result(send(method, std::move(params)), method, limit);
    }

    // The stream URL of file 0 once the metadata is there, asking every `every` (the host has no event for
    // the metadata's arrival that comes sooner than its one-second torrent.updated).
    std::string stream_url(std::string const& info_hash, milliseconds every, milliseconds limit = 60s) {
        auto const deadline = steady_clock::now() + limit;
        for (;;) {
            check_interrupted();
            auto const files = call("torrent.files", {{"infoHash", info_hash}});
            if (!files["files"].empty()) {
                return files["files"][0]["streamUrl"].get<std::string>();
            }
            if (steady_clock::now() > deadline) {
                throw bench_error("no metadata for " + info_hash + " after " + std::to_string(limit.count()) +
                                  " ms");
            }
            std::this_thread::sleep_for(every);
        }
    }

    nlohmann::json status_of(std::string const& info_hash) {
        auto const all = call("torrent.list");
        for (auto const& t : all["torrents"]) {
            if (t["infoHash"] == info_hash) {
                return t;
            }
        }
        throw bench_error("torrent.list does not list " + info_hash + ": " + all.dump().substr(0, 400));
    }

    // The session owner: the process that does the work, and whose memory is the host's.
    pid_t owner_pid() const {
        auto const owners = box_.owners();
        if (owners.size() != 1) {
            throw bench_error("expected one session owner, found " + std::to_string(owners.size()));
        }
        return owners.front();
    }

    void shut_down() {
        if (shut_down_) {
            return;
        }
        shut_down_ = true;
        try {
            to_.close();
            auto const deadline = steady_clock::now() + 10s;
            while (child_.running() && steady_clock::now() < deadline) {
                std::this_thread::sleep_for(5ms);
            }
            if (child_.running()) {
                std::fprintf(stderr, "%s: sluice-host did not exit after its stdin closed; killing it\n",
                             program);
                ::kill(-child_.id(), SIGKILL);
                child_.wait();
            }
        } catch (std::exception const& e) {
            std::fprintf(stderr, "%s: stopping sluice-host: %s\n", program, e.what());
        }
        forget_group(child_.id());
        if (reader_.joinable()) {
            reader_.join();
        }
        // The owner flushes its resume data and tears the session down; a busy one may need a while.
        box_.wait_for_owners(10s);
    }

private:
    void read_replies() {
        std::string body;
        try {
            for (;;) {
                bench::read_frame(from_, body, 64 * 1024 * 1024);
                auto reply = nlohmann::json::parse(body, nullptr, false);
                if (!reply.is_object() || !reply.contains("id") || !reply["id"].is_number_unsigned()) {
                    continue;
                }
                auto const id = reply["id"].get<std::uint64_t>();
                std::lock_guard lock(mutex_);
                replies_[id] = std::move(reply);
                replied_.notify_all();
            }
        } catch (std::exception const&) {
            // The end of the relay's stdout, at shutdown or because it died: either way no more replies.
        }
        std::lock_guard lock(mutex_);
        closed_ = true;
        replied_.notify_all();
    }

    int const uncaught_at_start_ = std::uncaught_exceptions();
    bench::host_sandbox box_;
    bp::pipe to_;
    bp::pipe from_;
    bp::child child_;
    std::thread reader_;
    steady_clock::time_point started_;
    std::atomic<std::uint64_t> next_id_{1};
    std::mutex mutex_;
    std::condition_variable replied_;
    std::map<std::uint64_t, nlohmann::json> replies_;
    bool closed_ = false;
    bool shut_down_ = false;
};

// ---- the test data ----

struct data_set {
    fs::path dir; // the file's folder: nginx's root, and the savePath of every seed
    std::string name;
    fs::path file;
    fs::path torrent_file;
    std::string torrent_bytes;
    std::string info_hash; // v1, hex
    std::uint64_t size = 0;
    unique_fd fd;

    std::string read_at(std::uint64_t offset, std::size_t length) const {
        std::string bytes(length, '\0');
        std::size_t done = 0;
        while (done < length) {
            auto const n =
                ::pread(fd.get(), bytes.data() + done, length - done, static_cast<off_t>(offset + done));
            if (n <= 0) {
                throw bench_error("cannot read " + file.string());
            }
            done += static_cast<std::size_t>(n);
        }
        return bytes;
    }

    std::string magnet(std::string const& peer) const {
        return "magnet:?xt=urn:btih:" + info_hash + "&dn=" + percent_encode(name) + "&x.pe=" + peer;
    }
};

// Incompressible, reproducible bytes, fast enough that 1 GiB costs about a second: splitmix64.
void generate_file(fs::path const& file, std::uint64_t size) {
    auto const partial = fs::path(file.string() + ".partial");
    {
        std::ofstream f(partial, std::ios::binary | std::ios::trunc);
        std::vector<std::uint64_t> chunk(512 * 1024);
        std::uint64_t state = 0x5107'CE00'0000'0001ULL;
        for (std::uint64_t written = 0; written < size;) {
            for (auto& word : chunk) {
                std::uint64_t z = (state += 0x9E3779B97F4A7C15ULL);
                z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
                z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
                word = z ^ (z >> 31);
            }
            auto const n = std::min<std::uint64_t>(size - written, chunk.size() * sizeof(std::uint64_t));
            f.write(reinterpret_cast<char const*>(chunk.data()), static_cast<std::streamsize>(n));
            written += n;
        }
        if (!f.flush()) {
            throw bench_error("cannot write " + partial.string());
        }
    }
    fs::rename(partial, file);
}

std::string make_torrent(data_set const& d) {
    lt::file_storage storage;
    lt::add_files(storage, d.file.string());
    // v1 only: aria2c and the JavaScript streamers speak v1, and a hybrid would change nothing for the host.
    lt::create_torrent ct(storage, piece_size, lt::create_torrent::v1_only);
    ct.set_creator("stream_bench");
    lt::set_piece_hashes(ct, d.dir.string());
    auto const buf = ct.generate_buf();
    return {buf.begin(), buf.end()};
}

data_set prepare_data(options const& o) {
    data_set d;
    auto const tag = std::to_string(o.size_mib) + "MiB";
    d.dir = o.cache / ("data-" + tag);
    // A video's extension, so the host treats the file as the media it streams in real use.
    d.name = "sluice-bench-" + tag + ".mkv";
    d.file = d.dir / d.name;
    d.torrent_file = o.cache / ("sluice-bench-" + tag + ".torrent");
    d.size = o.size_mib * 1024 * 1024;
    fs::create_directories(d.dir);

    std::error_code ec;
    bool const have_file = fs::file_size(d.file, ec) == d.size && !ec;
    if (!have_file) {
        say("data: writing %s (%llu MiB) ...\n", d.file.c_str(), static_cast<unsigned long long>(o.size_mib));
        auto const t0 = steady_clock::now();
        fs::remove(d.torrent_file, ec);
        generate_file(d.file, d.size);
        say("data: written in %.1f s\n", ms_between(t0, steady_clock::now()) / 1000);
    }
    d.torrent_bytes = read_text(d.torrent_file);
    if (have_file && !d.torrent_bytes.empty()) {
        say("data: reusing %s and its .torrent\n", d.file.c_str());
    } else {
        say("data: hashing %s into %s ...\n", d.name.c_str(), d.torrent_file.c_str());
        auto const t0 = steady_clock::now();
        d.torrent_bytes = make_torrent(d);
        write_text(d.torrent_file, d.torrent_bytes);
        say("data: hashed in %.1f s\n", ms_between(t0, steady_clock::now()) / 1000);
    }
    lt::torrent_info const ti(
        lt::span<char const>(d.torrent_bytes.data(), static_cast<long>(d.torrent_bytes.size())),
        lt::from_span);
    if (static_cast<std::uint64_t>(ti.total_size()) != d.size || ti.name() != d.name) {
        throw bench_error(d.torrent_file.string() + " does not describe " + d.file.string() + "; delete it");
    }
    std::ostringstream hex;
    hex << ti.info_hashes().v1;
    d.info_hash = hex.str();
    d.fd.reset(::open(d.file.c_str(), O_RDONLY | O_CLOEXEC));
    if (!d.fd) {
        throw bench_error("cannot open " + d.file.string());
    }
    return d;
}

// A stream is only a figure if it carried the right bytes: the length, and samples at both ends.
void check_body(http_response const& r, data_set const& d, std::uint64_t from, bool whole,
                std::string const& who) {
    auto const expected_status = from == 0 ? 200 : 206;
    if (r.status != expected_status) {
        throw bench_error(who + " answered " + std::to_string(r.status) + ", not " +
                          std::to_string(expected_status));
    }
    if (r.head.empty() || r.head != d.read_at(from, r.head.size())) {
        throw bench_error(who + " sent bytes that are not the file's at offset " + std::to_string(from));
    }
    if (whole) {
        if (r.body_bytes != d.size - from) {
            throw bench_error(who + " sent " + std::to_string(r.body_bytes) + " bytes of " +
                              std::to_string(d.size - from));
        }
        if (r.tail != d.read_at(d.size - r.tail.size(), r.tail.size())) {
            throw bench_error(who + " sent a wrong end of the file");
        }
    }
}

// ---- the seeds ----

fs::path log_dir;

// lt_seed in seed mode: announces its port only once the torrent is in its session.
class lt_seed_process {
public:
    lt_seed_process(options const& o, data_set const& d)
        : proc_({.name = "lt_seed",
                 .exe = o.lt_seed,
                 .args = {"seed", d.torrent_file.string(), d.dir.string()},
                 .log = log_dir / "lt_seed.log",
                 .read_stdout = true}) {
        auto const line = proc_.read_line(60s);
        auto const ready = nlohmann::json::parse(line.value_or(""), nullptr, false);
        if (!ready.is_object() || ready.value("event", "") != "ready") {
            throw bench_error("lt_seed did not start: " + line.value_or("(nothing)") + " " +
                              bench::tail_of_file(proc_.log(), 2000));
        }
        port_ = ready["port"].get<int>();
    }
    std::string endpoint() const { return "127.0.0.1:" + std::to_string(port_); }
    int port() const { return port_; }

private:
    child_process proc_;
    int port_ = 0;
};

// A one-shot lt_seed (fetch or first-piece) into a folder of its own, and its one JSON report.
nlohmann::json run_lt_client(options const& o, std::string const& mode, std::string const& uri,
                             std::vector<std::string> const& more, milliseconds limit) {
    bench::temp_dir dir("stream-bench-lt");
    std::vector<std::string> args{mode, uri, dir.path().string()};
    args.insert(args.end(), more.begin(), more.end());
    child_process proc({.name = "lt_seed " + mode,
                        .exe = o.lt_seed,
                        .args = std::move(args),
                        .log = log_dir / ("lt_seed-" + mode + ".log"),
                        .read_stdout = true});
    auto const line = proc.read_line(limit);
    auto const report = nlohmann::json::parse(line.value_or(""), nullptr, false);
    if (!report.is_object() || !report.contains("ms")) {
        throw bench_error("lt_seed " + mode + " failed: " + line.value_or("(nothing)"));
    }
    proc.wait_for_exit(10s);
    return report;
}

// ---- results ----

struct row {
    std::string what;
    std::string unit;
    bool higher_is_better = false;
    std::optional<double> host;
    std::optional<double> reference;
    std::string reference_name;
    std::string goal; // printed
    std::function<bool(double host, double ratio)> goal_met{};
    std::string note{};

    std::optional<double> ratio() const {
        if (!host || !reference || *reference == 0) {
            return std::nullopt;
        }
        return *host / *reference;
    }
    std::optional<bool> met() const {
        if (!goal_met || !host || !ratio()) {
            return std::nullopt;
        }
        return goal_met(*host, *ratio());
    }
};

struct report {
    std::vector<row> rows;
    nlohmann::json details = nlohmann::json::object();
    std::vector<std::string> failures;
};

// ---- 1: a complete file, host against nginx ----

std::string nginx_conf(fs::path const& prefix, fs::path const& root, std::uint16_t port) {
    std::ostringstream c;
    if (::geteuid() == 0) {
        c << "user root;\n"; // the workers must read the cache under /work or /root
    }
    c << "worker_processes 1;\n"
      << "pid " << (prefix / "nginx.pid").string() << ";\n"
      << "error_log " << (prefix / "error.log").string() << " warn;\n"
      << "events { worker_connections 64; }\n"
      << "http {\n"
      << "    access_log off;\n"
      << "    sendfile on;\n"
      << "    tcp_nopush on;\n"
      << "    default_type application/octet-stream;\n";
    for (auto const* kind : {"client_body", "proxy", "fastcgi", "uwsgi", "scgi"}) {
        c << "    " << kind << "_temp_path " << (prefix / "tmp" / kind).string() << ";\n";
    }
    c << "    server {\n"
      << "        listen 127.0.0.1:" << port << ";\n"
      << "        root " << root.string() << ";\n"
      << "    }\n"
      << "}\n";
    return c.str();
}

void section_nginx(options const& o, data_set const& d, report& rep) {
    int const runs = o.runs_or(3);
    say("\n== 1. complete-file stream: sluice-host (seeding) against nginx, %d runs ==\n", runs);
    auto const nginx_exe = bp::search_path("nginx");
    if (nginx_exe.empty()) {
        throw bench_error("nginx is not installed (apt-get install nginx-light)");
    }
    bench::temp_dir prefix("stream-bench-nginx");
    fs::create_directories(prefix / "tmp");
    auto const nginx_port = free_port();
    write_text(prefix / "nginx.conf", nginx_conf(prefix.path(), d.dir, nginx_port));
    child_process nginx({.name = "nginx",
                         .exe = nginx_exe.string(),
                         .args = {"-p", prefix.path().string(), "-c", (prefix / "nginx.conf").string(), "-e",
                                  (prefix / "error.log").string(), "-g", "daemon off;"},
                         .log = log_dir / "nginx.log"});
    if (!wait_for_port(nginx_port, 10s)) {
        throw bench_error("nginx did not listen: " + bench::tail_of_file(prefix / "error.log", 2000));
    }
    http_request const nginx_req{.port = nginx_port, .target = "/" + percent_encode(d.name)};

    host_client host(o);
    host.call("host.hello");
    auto const t0 = steady_clock::now();
    auto const hash =
        host.call("torrent.add", {{"torrent", base64(d.torrent_bytes)}, {"savePath", d.dir.string()}},
                  60s)["infoHash"]
            .get<std::string>();
    // No resume data: the host checks every piece of the file on disk before it seeds.
    for (;;) {
        check_interrupted();
        auto const st = host.status_of(hash);
        if (st["progress"].get<double>() >= 1.0 && st["state"] == "seeding") {
            break;
        }
        if (st["state"] == "error" || steady_clock::now() - t0 > 300s) {
            throw bench_error("the host did not seed the file: " + st.dump());
        }
        std::this_thread::sleep_for(50ms);
    }
    say("host checked the file and seeds it after %.1f s\n", ms_between(t0, steady_clock::now()) / 1000);
    auto const [host_port, host_target] = split_url(host.stream_url(hash, 10ms));
    http_request const host_req{.port = host_port, .target = host_target};

    // One unmeasured read each: the file's pages are in the cache for both, and both servers are warm.
    check_body(http_get(nginx_req), d, 0, true, "nginx");
    check_body(http_get(host_req), d, 0, true, "sluice-host");

    std::vector<double> host_mbps;
    std::vector<double> nginx_mbps;
    for (int run = 1; run <= runs; ++run) {
        check_interrupted();
        auto const n = http_get(nginx_req);
        check_body(n, d, 0, true, "nginx");
        auto const h = http_get(host_req);
        check_body(h, d, 0, true, "sluice-host");
        nginx_mbps.push_back(n.mb_per_s());
        host_mbps.push_back(h.mb_per_s());
        say("run %d: nginx %7.0f MB/s   sluice-host %7.0f MB/s\n", run, nginx_mbps.back(), host_mbps.back());
    }
    rep.details["nginx"] = {{"hostMBps", rounded(host_mbps, 0)}, {"nginxMBps", rounded(nginx_mbps, 0)}};
    rep.rows.push_back({.what = "complete file, full GET",
                        .unit = "MB/s",
                        .higher_is_better = true,
                        .host = median(host_mbps),
                        .reference = median(nginx_mbps),
                        .reference_name = "nginx",
                        .goal = "ratio >= 0.90",
                        .goal_met = [](double, double ratio) { return ratio >= 0.9; }});
}

// ---- 2: first byte and seek after torrent.add ----

struct first_byte_run {
    double add_ms = 0;      // torrent.add answered
    double metadata_ms = 0; // torrent.files had the stream URL
    double first_byte_ms = 0;
};

// From the torrent.add of a magnet on a running host to the first body byte of the stream from `from`.
first_byte_run host_first_byte(options const& o, data_set const& d, lt_seed_process const& seed,
                               std::uint64_t from, std::string_view config = host_config) {
    host_client host(o, config);
    host.call("host.hello"); // the owner is up: only the add is timed
    first_byte_run r;
    auto const t0 = steady_clock::now();
    auto const hash = host.call("torrent.add", {{"uri", d.magnet(seed.endpoint())},
                                                {"savePath", host.downloads().string()}})["infoHash"]
                          .get<std::string>();
    r.add_ms = ms_between(t0, steady_clock::now());
    auto const url = host.stream_url(hash, 5ms);
    r.metadata_ms = ms_between(t0, steady_clock::now());
    auto const [port, target] = split_url(url);
    auto const resp = http_get({.port = port,
                                .target = target,
                                .range_from = from ? std::optional(from) : std::nullopt,
                                .max_body = sample_bytes});
    check_body(resp, d, from, false, "sluice-host");
    r.first_byte_ms = ms_between(t0, resp.first_byte);
    return r;
}

void section_first_byte(options const& o, data_set const& d, lt_seed_process const& seed, report& rep) {
    int const runs = o.runs_or(5);
    auto const middle = d.size / 2;
    auto const middle_piece = static_cast<int>(middle / piece_size);
    say("\n== 2. first byte after torrent.add of a magnet (seed: lt_seed on %s), %d runs ==\n",
        seed.endpoint().c_str(), runs);
    say("reference: a bare libtorrent session (tick_interval 100 ms, as the host) adding the same magnet "
        "and\n"
        "setting a deadline on the piece as soon as the metadata is in, until that piece verifies\n");
    std::vector<double> host_first;
    std::vector<double> host_seek;
    std::vector<double> bare_first;
    std::vector<double> bare_seek;
    auto const magnet = d.magnet(seed.endpoint());
    for (int run = 1; run <= runs; ++run) {
        check_interrupted();
        auto const h0 = host_first_byte(o, d, seed, 0);
        auto const b0 = run_lt_client(o, "first-piece", magnet, {"0"}, 60s);
        auto const hm = host_first_byte(o, d, seed, middle);
        auto const bm = run_lt_client(o, "first-piece", magnet, {std::to_string(middle_piece)}, 60s);
        host_first.push_back(h0.first_byte_ms);
        host_seek.push_back(hm.first_byte_ms);
        bare_first.push_back(b0["ms"].get<double>());
        bare_seek.push_back(bm["ms"].get<double>());
        say("run %d: offset 0: host %4.0f ms (add %.1f, metadata %.0f)  bare %4.0f ms (metadata %.0f) | "
            "middle: host %4.0f ms (metadata %.0f)  bare %4.0f ms\n",
            run, h0.first_byte_ms, h0.add_ms, h0.metadata_ms, bare_first.back(),
            b0["metadataMs"].get<double>(), hm.first_byte_ms, hm.metadata_ms, bare_seek.back());
    }
    rep.details["firstByte"] = {{"hostMs", rounded(host_first, 1)},
                                {"bareMs", rounded(bare_first, 1)},
                                {"hostSeekMs", rounded(host_seek, 1)},
                                {"bareSeekMs", rounded(bare_seek, 1)},
                                {"seekOffset", middle}};
    rep.rows.push_back({.what = "first byte after torrent.add",
                        .unit = "ms",
                        .host = median(host_first),
                        .reference = median(bare_first),
                        .reference_name = "bare libtorrent",
                        .goal = "<= 150 ms",
                        .goal_met = [](double host, double) { return host <= 150; }});
    rep.rows.push_back({.what = "seek: first byte at the middle",
                        .unit = "ms",
                        .host = median(host_seek),
                        .reference = median(bare_seek),
                        .reference_name = "bare libtorrent",
                        .goal = "<= 250 ms",
                        .goal_met = [](double host, double) { return host <= 250; }});
}

// With uTP on, as users have it, against a seed that speaks TCP only (aria2c, many seedboxes, a client with
// uTP off): libtorrent as it ships dials uTP first and tries TCP only when uTP's connect times out.
void section_first_byte_utp(options const& o, data_set const& d, lt_seed_process const& seed, report& rep) {
    int const runs = o.runs_or(3);
    say("\n== 2b. first byte with uTP on, from a TCP-only seed (lt_seed on %s), %d runs ==\n",
        seed.endpoint().c_str(), runs);
    say("reference: a bare libtorrent session with uTP on as libtorrent ships it, as in 2\n");
    std::vector<double> host_first;
    std::vector<double> bare_first;
    for (int run = 1; run <= runs; ++run) {
        check_interrupted();
        auto const h = host_first_byte(o, d, seed, 0, host_config_shipped_utp);
        auto const b = run_lt_client(o, "first-piece", d.magnet(seed.endpoint()), {"0", "--utp"}, 60s);
        host_first.push_back(h.first_byte_ms);
        bare_first.push_back(b["ms"].get<double>());
        say("run %d: host %5.0f ms (metadata %.0f)  bare %5.0f ms (metadata %.0f)\n", run, h.first_byte_ms,
            h.metadata_ms, bare_first.back(), b["metadataMs"].get<double>());
    }
    rep.details["firstByteUtpOn"] = {{"hostMs", rounded(host_first, 1)}, {"bareMs", rounded(bare_first, 1)}};
    rep.rows.push_back({.what = "first byte, uTP on, TCP-only seed",
                        .unit = "ms",
                        .host = median(host_first),
                        .reference = median(bare_first),
                        .reference_name = "bare libtorrent, uTP on",
                        .goal = "<= 150 ms",
                        .goal_met = [](double host, double) { return host <= 150; }});
}

// ---- 3: whole downloads from aria2c ----

// aria2c seeding the file, asked over its RPC interface until it really seeds: a peer that connects before
// is turned away for good, with no tracker or DHT to bring it back.
class aria2_seed {
public:
    aria2_seed(data_set const& d)
        : dir_("stream-bench-aria2"), port_(free_port()), rpc_port_(free_port()),
          secret_(std::to_string(std::random_device{}())),
          proc_({.name = "aria2c",
                 .exe = find("aria2c"),
                 .args = {"--no-conf=true", "--seed-ratio=0.0", "--bt-seed-unverified=true",
                          "--check-integrity=false", "--enable-dht=false", "--enable-dht6=false",
                          "--bt-enable-lpd=false", "--enable-peer-exchange=false", "--interface=127.0.0.1",
                          "--listen-port=" + std::to_string(port_), "--dir=" + d.dir.string(),
                          "--enable-rpc=true", "--rpc-listen-all=false",
                          "--rpc-listen-port=" + std::to_string(rpc_port_), "--rpc-secret=" + secret_,
                          "--auto-save-interval=0", "--file-allocation=none", "--summary-interval=0",
                          "--console-log-level=warn", "--log=" + (dir_ / "aria2.log").string(),
                          "--log-level=notice",
                          // Should the driver die without unwinding, aria2c leaves by itself.
                          "--stop-with-process=" + std::to_string(::getpid()), d.torrent_file.string()},
                 .log = log_dir / "aria2c.log",
                 .cwd = dir_.path()}) {
        auto const params = base64(R"(["token:)" + secret_ + R"(",["gid","status","seeder","numSeeders"]])");
        auto const target = "/jsonrpc?method=aria2.tellActive&id=bench&params=" + percent_encode(params);
        auto const deadline = steady_clock::now() + 30s;
        for (;;) {
            auto const r = http_get({.port = rpc_port_, .target = target, .keep = 64 * 1024, .timeout = 5s});
            if (!r.refused && r.status == 200) {
                auto const j = nlohmann::json::parse(r.head, nullptr, false);
                if (j.is_object() && j.contains("result") && !j["result"].empty() &&
                    j["result"][0].value("seeder", "") == "true" &&
                    j["result"][0].value("status", "") == "active") {
                    break;
                }
            }
            if (steady_clock::now() > deadline || !proc_.running()) {
                throw bench_error("aria2c did not start seeding: " + bench::tail_of_file(proc_.log(), 2000));
            }
            std::this_thread::sleep_for(50ms);
        }
    }
    std::string endpoint() const { return "127.0.0.1:" + std::to_string(port_); }

private:
    static fs::path find(std::string const& name) {
        auto const exe = bp::search_path(name);
        if (exe.empty()) {
            throw bench_error(name + " is not installed (apt-get install aria2)");
        }
        return exe.string();
    }

    bench::temp_dir dir_;
    std::uint16_t port_;
    std::uint16_t rpc_port_;
    std::string secret_;
    child_process proc_;
};

struct download_times {
    double ms = 0;          // from the add to complete
    double metadata_ms = 0; // from the add to the metadata, on the same 50 ms grid
};

// From the torrent.add of a magnet to a torrent.list that says the download is complete, polled every 50 ms.
download_times host_download(options const& o, data_set const& d, std::string const& peer) {
    host_client host(o);
    host.call("host.hello");
    auto const t0 = steady_clock::now();
    auto const hash = host.call("torrent.add", {{"uri", d.magnet(peer)},
                                                {"savePath", host.downloads().string()}})["infoHash"]
                          .get<std::string>();
    std::optional<double> metadata_ms;
    for (;;) {
        check_interrupted();
        std::this_thread::sleep_for(50ms);
        auto const st = host.status_of(hash);
        if (!metadata_ms && st.value("hasMetadata", false)) {
            metadata_ms = ms_between(t0, steady_clock::now());
        }
        if (st["progress"].get<double>() >= 1.0) {
            auto const ms = ms_between(t0, steady_clock::now());
            auto const file = host.downloads() / d.name;
            std::error_code ec;
            if (fs::file_size(file, ec) != d.size) {
                throw bench_error("the host says it is done, but " + file.string() + " is not complete");
            }
            return {.ms = ms, .metadata_ms = metadata_ms.value_or(ms)};
        }
        if (st["state"] == "error" || steady_clock::now() - t0 > 300s) {
            throw bench_error("the host's download did not finish: " + st.dump());
        }
    }
}

void section_aria2(options const& o, data_set const& d, report& rep) {
    int const runs = o.runs_or(5);
    aria2_seed seed(d);
    say("\n== 3. whole download from an aria2c seed on %s: sluice-host against a bare libtorrent client, "
        "%d runs ==\n",
        seed.endpoint().c_str(), runs);
    // aria2c waits a varying 0.3-0.9 s before it sends to a new peer; the rate after the metadata leaves that
    // wait out and is the steadier figure of the two.
    say("MB/s counts from torrent.add to complete; \"after metadata\" from the metadata to complete\n");
    auto const mb = static_cast<double>(d.size) / mega;
    std::vector<double> host_mbps;
    std::vector<double> bare_mbps;
    std::vector<double> host_transfer_mbps;
    std::vector<double> bare_transfer_mbps;
    for (int run = 1; run <= runs; ++run) {
        check_interrupted();
        // Alternating who goes first keeps a drift of the machine from favouring either.
        download_times host;
        download_times bare;
        auto const fetch_bare = [&] {
            auto const r = run_lt_client(o, "fetch", d.magnet(seed.endpoint()), {"--poll-ms", "50"}, 330s);
            bare = {.ms = r["ms"].get<double>(), .metadata_ms = r["metadataMs"].get<double>()};
        };
        if (run % 2 == 1) {
            host = host_download(o, d, seed.endpoint());
            fetch_bare();
        } else {
            fetch_bare();
            host = host_download(o, d, seed.endpoint());
        }
        host_mbps.push_back(mb / (host.ms / 1000));
        bare_mbps.push_back(mb / (bare.ms / 1000));
        host_transfer_mbps.push_back(mb / ((host.ms - host.metadata_ms) / 1000));
        bare_transfer_mbps.push_back(mb / ((bare.ms - bare.metadata_ms) / 1000));
        say("run %d: sluice-host %.2f s (%4.0f MB/s; metadata %.2f s, after it %4.0f MB/s)   "
            "bare libtorrent %.2f s (%4.0f MB/s; metadata %.2f s, after it %4.0f MB/s)\n",
            run, host.ms / 1000, host_mbps.back(), host.metadata_ms / 1000, host_transfer_mbps.back(),
            bare.ms / 1000, bare_mbps.back(), bare.metadata_ms / 1000, bare_transfer_mbps.back());
    }
    rep.details["aria2"] = {{"hostMBps", rounded(host_mbps, 0)},
                            {"bareMBps", rounded(bare_mbps, 0)},
                            {"hostAfterMetadataMBps", rounded(host_transfer_mbps, 0)},
                            {"bareAfterMetadataMBps", rounded(bare_transfer_mbps, 0)}};
    rep.rows.push_back({.what = "download from aria2c",
                        .unit = "MB/s",
                        .higher_is_better = true,
                        .host = median(host_mbps),
                        .reference = median(bare_mbps),
                        .reference_name = "bare libtorrent",
                        .goal = "ratio >= 0.95",
                        .goal_met = [](double, double ratio) { return ratio >= 0.95; }});
    rep.rows.push_back({.what = "  the same, after the metadata",
                        .unit = "MB/s",
                        .higher_is_better = true,
                        .host = median(host_transfer_mbps),
                        .reference = median(bare_transfer_mbps),
                        .reference_name = "bare libtorrent",
                        .goal = "-"});
}

// ---- 4: against peerflix and webtorrent-cli ----

constexpr std::string_view streamers_package_json = R"({
  "name": "sluice-bench-streamers",
  "private": true,
  "description": "peerflix and webtorrent-cli, for stream_bench only",
  "overrides": {"node-datachannel": "file:./stub/node-datachannel"}
}
)";

// WebRTC is of no use on loopback, and node-datachannel's install would download a binary.
constexpr std::string_view datachannel_stub_package = R"({"name": "node-datachannel", "version": "0.0.0-stub",
 "type": "module", "exports": {".": "./index.js", "./polyfill": "./index.js"}}
)";
constexpr std::string_view datachannel_stub_index = R"(// WebRTC is not available in stream_bench.
class Unavailable {
  constructor () { throw new Error('WebRTC is not available here') }
}
export const PeerConnection = Unavailable
export const RtcpReceivingSession = Unavailable
export const Video = Unavailable
export const Audio = Unavailable
export function cleanup () {}
export default { PeerConnection, RtcpReceivingSession, Video, Audio, cleanup }
)";

// webtorrent-cli has no switches for DHT, trackers, LSD, NAT traversal or uTP: a resolve hook hands it a
// WebTorrent subclass that turns them off, so it meets the TCP-only seed as the others do.
constexpr std::string_view webtorrent_hook = R"(import { register } from 'node:module'
register('./webtorrent-loader.mjs', import.meta.url)
)";
constexpr std::string_view webtorrent_loader =
    R"(const client = new URL('./webtorrent-client.mjs', import.meta.url).href
export async function resolve (specifier, context, next) {
  if (specifier === 'webtorrent' && context.parentURL && context.parentURL.includes('/webtorrent-cli/')) {
    return { url: client, shortCircuit: true }
  }
  return next(specifier, context)
}
)";
constexpr std::string_view webtorrent_client = R"(import WebTorrent from 'webtorrent'
export default class LoopbackWebTorrent extends WebTorrent {
  constructor (opts = {}) {
    super({
      ...opts, dht: false, tracker: false, lsd: false, utPex: false, utp: false, natUpnp: false, natPmp: false
    })
  }
}
)";

// Installs the two streamers once into the cache; the stamp says which versions are there.
std::optional<std::string> install_streamers(fs::path const& dir) {
    auto const npm = bp::search_path("npm");
    auto const node = bp::search_path("node");
    if (npm.empty() || node.empty()) {
        return "node and npm are not installed";
    }
    write_text(dir / "webtorrent-hook.mjs", webtorrent_hook);
    write_text(dir / "webtorrent-loader.mjs", webtorrent_loader);
    write_text(dir / "webtorrent-client.mjs", webtorrent_client);
    if (read_text(dir / ".installed") == streamers_stamp) {
        return std::nullopt;
    }
    say("streamers: npm install %s %s into %s ...\n", peerflix_package, webtorrent_package, dir.c_str());
    write_text(dir / "package.json", streamers_package_json);
    write_text(dir / "stub" / "node-datachannel" / "package.json", datachannel_stub_package);
    write_text(dir / "stub" / "node-datachannel" / "index.js", datachannel_stub_index);
    auto const npm_log = dir / "npm.log";
    auto const run_npm = [&](std::vector<std::string> args) -> bool {
        child_process proc(
            {.name = "npm", .exe = npm.string(), .args = std::move(args), .log = npm_log, .cwd = dir});
        auto const code = proc.wait_for_exit(600s);
        return code && *code == 0;
    };
    // A plain install fails here: a dependency's preinstall insists on pnpm. The native modules that
    // matter are rebuilt afterwards instead.
    if (!run_npm({"install", "--no-audit", "--no-fund", "--ignore-scripts", "--loglevel=error",
                  peerflix_package, webtorrent_package}) ||
        !run_npm({"rebuild", "--loglevel=error", "bufferutil", "utf-8-validate", "utp-native"})) {
        return "npm install failed; see " + npm_log.string() + ": " + bench::tail_of_file(npm_log, 600);
    }
    write_text(dir / ".installed", streamers_stamp);
    return std::nullopt;
}

struct streamer_figures {
    std::vector<double> first_byte_ms;
    std::vector<double> seek_ms;
    std::vector<double> stream_mbps;
    std::vector<double> rss_mib;
    std::vector<double> anon_mib;
    std::string error;
};

// One of the three programs, started from scratch for each measurement; the clock starts with the process.
class streamer {
public:
    virtual ~streamer() = default;
    virtual std::string name() const = 0;

    struct result {
        double first_byte_ms = 0;
        double stream_mbps = 0;
        memory_figures memory;
    };
    // Start, GET from `from` (the whole rest when `whole`), and the figures.
    virtual result measure(std::uint64_t from, bool whole) = 0;
};

// GETs `req` until the server answers with a file (it may not listen yet, or say 404 before the metadata).
http_response poll_get(http_request req, child_process& proc, milliseconds limit) {
    auto const deadline = steady_clock::now() + limit;
    for (;;) {
        auto r = http_get(req);
        if (!r.refused && r.status != 404 && r.status != 503) {
            return r;
        }
        if (!proc.running()) {
            throw bench_error(proc.name() + " exited: " + bench::tail_of_file(proc.log(), 1500));
        }
        check_interrupted();
        if (steady_clock::now() > deadline) {
            throw bench_error(proc.name() + " served nothing within " + std::to_string(limit.count() / 1000) +
                              " s");
        }
        std::this_thread::sleep_for(10ms);
    }
}

class sluice_streamer final : public streamer {
public:
    sluice_streamer(options const& o, data_set const& d, lt_seed_process const& seed)
        : o_(o), d_(d), seed_(seed) {}
    std::string name() const override { return "sluice-host"; }

    result measure(std::uint64_t from, bool whole) override {
        host_client host(o_); // the clock starts here, with the relay's process
        auto const hash = host.call("torrent.add", {{"uri", d_.magnet(seed_.endpoint())},
                                                    {"savePath", host.downloads().string()}})["infoHash"]
                              .get<std::string>();
        auto const [port, target] = split_url(host.stream_url(hash, 5ms));
        auto const r =
            http_get({.port = port,
                      .target = target,
                      .range_from = from ? std::optional(from) : std::nullopt,
                      .max_body = whole ? std::numeric_limits<std::uint64_t>::max() : sample_bytes});
        check_body(r, d_, from, whole, name());
        return {.first_byte_ms = ms_between(host.started(), r.first_byte),
                .stream_mbps =
                    static_cast<double>(r.body_bytes) / mega / (ms_between(r.first_byte, r.done) / 1000),
                .memory = memory_of(host.owner_pid())};
    }

private:
    options const& o_;
    data_set const& d_;
    lt_seed_process const& seed_;
};

class node_streamer final : public streamer {
public:
    enum class kind { peerflix, webtorrent };
    node_streamer(kind k, fs::path install, data_set const& d, lt_seed_process const& seed)
        : kind_(k), install_(std::move(install)), d_(d), seed_(seed) {}
    std::string name() const override { return kind_ == kind::peerflix ? "peerflix" : "webtorrent"; }

    result measure(std::uint64_t from, bool whole) override {
        bench::temp_dir dir("stream-bench-" + name());
        auto const port = free_port();
        std::vector<std::string> args;
        std::string target;
        if (kind_ == kind::peerflix) {
            // peerflix takes its peer on the command line and the .torrent, as its documentation shows.
            args = {(install_ / "node_modules/peerflix/app.js").string(),
                    d_.torrent_file.string(),
                    "--no-dht",
                    "--no-tracker",
                    "-e",
                    seed_.endpoint(),
                    "-p",
                    std::to_string(port),
                    "-h",
                    "127.0.0.1",
                    "-f",
                    dir.path().string(),
                    "-q"};
            target = "/";
        } else {
            args = {"--import",
                    "file://" + (install_ / "webtorrent-hook.mjs").string(),
                    (install_ / "node_modules/webtorrent-cli/bin/cmd.js").string(),
                    "download",
                    d_.magnet(seed_.endpoint()),
                    "--out",
                    dir.path().string(),
                    "--port",
                    std::to_string(port),
                    "--quiet"};
            target = "/webtorrent/" + d_.info_hash + "/" + percent_encode(d_.name);
        }
        child_process proc({.name = name(),
                            .exe = bp::search_path("node").string(),
                            .args = std::move(args),
                            .log = log_dir / (name() + ".log"),
                            .cwd = dir.path()});
        auto const r =
            poll_get({.port = port,
                      .target = target,
                      .range_from = from ? std::optional(from) : std::nullopt,
                      .max_body = whole ? std::numeric_limits<std::uint64_t>::max() : sample_bytes},
                     proc, 120s);
        check_body(r, d_, from, whole, name());
        return {.first_byte_ms = ms_between(proc.started(), r.first_byte),
                .stream_mbps =
                    static_cast<double>(r.body_bytes) / mega / (ms_between(r.first_byte, r.done) / 1000),
                .memory = tree_memory(proc.pid())};
    }

private:
    kind kind_;
    fs::path install_;
    data_set const& d_;
    lt_seed_process const& seed_;
};

void section_streamers(options const& o, data_set const& d, lt_seed_process const& seed, report& rep) {
    int const runs = o.runs_or(3);
    say("\n== 4. against peerflix and webtorrent-cli (seed: lt_seed on %s), %d runs ==\n",
        seed.endpoint().c_str(), runs);
    // The seed verifies each piece the first time it sends it (seed_mode); one full fetch first, so that no
    // streamer pays for the seed's hashing. Its speed is the bare libtorrent-to-libtorrent figure.
    auto const warm = run_lt_client(o, "fetch", d.magnet(seed.endpoint()), {"--poll-ms", "50"}, 330s);
    auto const bare_mbps = static_cast<double>(d.size) / mega / (warm["ms"].get<double>() / 1000);
    say("warm-up: a bare libtorrent client fetched the whole file from lt_seed at %.0f MB/s\n", bare_mbps);
    rep.details["bareFromLtSeedMBps"] = round_to(bare_mbps, 0);

    auto const install = o.cache / "streamers";
    auto const problem = install_streamers(install);
    std::vector<std::unique_ptr<streamer>> programs;
    programs.push_back(std::make_unique<sluice_streamer>(o, d, seed));
    if (problem) {
        say("peerflix and webtorrent-cli are not measured: %s\n", problem->c_str());
    } else {
        programs.push_back(std::make_unique<node_streamer>(node_streamer::kind::peerflix, install, d, seed));
        programs.push_back(
            std::make_unique<node_streamer>(node_streamer::kind::webtorrent, install, d, seed));
    }
    std::map<std::string, streamer_figures> figures;
    say("first byte and seek count from starting the program; sluice-host and webtorrent get the magnet "
        "link,\n"
        "peerflix the .torrent and the seed's address; stream MB/s counts from the first byte to the last\n");
    for (int run = 1; run <= runs; ++run) {
        // Rotating the order spreads any drift of the machine over all three.
        for (std::size_t k = 0; k < programs.size(); ++k) {
            auto& p = *programs[(k + static_cast<std::size_t>(run) - 1) % programs.size()];
            auto& f = figures[p.name()];
            if (!f.error.empty()) {
                continue;
            }
            try {
                auto const full = p.measure(0, true);
                auto const seek = p.measure(d.size / 2, false);
                f.first_byte_ms.push_back(full.first_byte_ms);
                f.stream_mbps.push_back(full.stream_mbps);
                f.rss_mib.push_back(full.memory.peak_rss_mib);
                f.anon_mib.push_back(full.memory.anon_mib);
                f.seek_ms.push_back(seek.first_byte_ms);
                say("run %d: %-11s first byte %5.0f ms   seek %5.0f ms   stream %5.0f MB/s   peak RSS %5.0f "
                    "MiB "
                    "(anon %.0f)\n",
                    run, p.name().c_str(), full.first_byte_ms, seek.first_byte_ms, full.stream_mbps,
                    full.memory.peak_rss_mib, full.memory.anon_mib);
            } catch (std::exception const& e) {
                check_interrupted();
                f.error = e.what();
                say("run %d: %-11s failed: %s\n", run, p.name().c_str(), e.what());
            }
        }
    }

    auto const cell = [&](std::string const& name, auto member) -> std::optional<double> {
        auto const it = figures.find(name);
        if (it == figures.end() || (it->second.*member).empty()) {
            return std::nullopt;
        }
        return median(it->second.*member);
    };
    auto const show = [](std::optional<double> v) {
        char buf[32];
        if (!v) {
            return std::string("-");
        }
        std::snprintf(buf, sizeof buf, "%.0f", *v);
        return std::string(buf);
    };
    say("\n%-36s %12s %12s %12s\n", "medians", "sluice-host", "peerflix", "webtorrent");
    struct metric {
        char const* label;
        char const* unit;
        std::vector<double> streamer_figures::*member;
        bool higher_is_better;
    };
    std::vector<metric> const metrics{
        {"launch to first byte", "ms", &streamer_figures::first_byte_ms, false},
        {"launch to first byte at middle", "ms", &streamer_figures::seek_ms, false},
        {"full stream", "MB/s", &streamer_figures::stream_mbps, true},
        {"peak RSS (VmHWM)", "MiB", &streamer_figures::rss_mib, false},
        {"anon RSS after the stream", "MiB", &streamer_figures::anon_mib, false}};
    for (auto const& m : metrics) {
        say("%-36s %12s %12s %12s\n", (std::string(m.label) + " (" + m.unit + ")").c_str(),
            show(cell("sluice-host", m.member)).c_str(), show(cell("peerflix", m.member)).c_str(),
            show(cell("webtorrent", m.member)).c_str());
    }
    auto details = nlohmann::json::object();
    for (auto const& [name, f] : figures) {
        details[name] = {{"firstByteMs", rounded(f.first_byte_ms, 1)},
                         {"seekMs", rounded(f.seek_ms, 1)},
                         {"streamMBps", rounded(f.stream_mbps, 0)},
                         {"peakRssMiB", rounded(f.rss_mib, 0)},
                         {"anonRssMiB", rounded(f.anon_mib, 0)}};
        if (!f.error.empty()) {
            details[name]["error"] = f.error;
        }
    }
    rep.details["streamers"] = details;
    for (auto const* other : {"peerflix", "webtorrent"}) {
        std::string note;
        if (problem) {
            note = "not measured: " + problem->substr(0, 60);
        } else if (!figures[other].error.empty()) {
            note = std::string(other) + " failed";
        }
        for (auto const& m : metrics) {
            rep.rows.push_back({.what = m.label,
                                .unit = m.unit,
                                .higher_is_better = m.higher_is_better,
                                .host = cell("sluice-host", m.member),
                                .reference = cell(other, m.member),
                                .reference_name = other,
                                .goal = "-",
                                .note = note});
        }
    }
    if (!figures["sluice-host"].error.empty()) {
        throw bench_error("sluice-host failed against the streamers: " + figures["sluice-host"].error);
    }
}

// ---- output ----

std::string figure_text(std::optional<double> v, std::string const& unit) {
    if (!v || std::isnan(*v)) {
        return "-";
    }
    char buf[48];
    std::snprintf(buf, sizeof buf, "%.0f %s", *v, unit.c_str());
    return buf;
}

void print_table(report const& rep) {
    std::printf("\n== summary (medians; ratio = sluice-host / reference) ==\n");
    std::printf("%-32s %12s %12s %-16s %6s %-14s %s\n", "what", "sluice-host", "reference", "reference is",
                "ratio", "goal", "met");
    for (auto const& r : rep.rows) {
        char ratio[16] = "-";
        if (auto const q = r.ratio()) {
            std::snprintf(ratio, sizeof ratio, "%.3f", *q);
        }
        auto const met = r.met();
        std::string const verdict = !r.note.empty() ? r.note : !met ? "-" : *met ? "met" : "NOT MET";
        std::printf("%-32s %12s %12s %-16s %6s %-14s %s\n", r.what.c_str(),
                    figure_text(r.host, r.unit).c_str(), figure_text(r.reference, r.unit).c_str(),
                    r.reference_name.c_str(), ratio, r.goal.c_str(), verdict.c_str());
    }
    for (auto const& f : rep.failures) {
        std::printf("FAILED: %s\n", f.c_str());
    }
}

nlohmann::json to_json(report const& rep, options const& o) {
    auto rows = nlohmann::json::array();
    for (auto const& r : rep.rows) {
        nlohmann::json j{
            {"what", r.what}, {"unit", r.unit}, {"reference", r.reference_name}, {"goal", r.goal}};
        j["sluiceHost"] = r.host ? nlohmann::json(round_to(*r.host, 1)) : nlohmann::json();
        j["referenceValue"] = r.reference ? nlohmann::json(round_to(*r.reference, 1)) : nlohmann::json();
        j["ratio"] = r.ratio() ? nlohmann::json(round_to(*r.ratio(), 3)) : nlohmann::json();
        j["met"] = r.met() ? nlohmann::json(*r.met()) : nlohmann::json();
        if (!r.note.empty()) {
            j["note"] = r.note;
        }
        rows.push_back(std::move(j));
    }
    return {{"sizeMiB", o.size_mib}, {"summary", rows}, {"details", rep.details}, {"failures", rep.failures}};
}

// ---- driver ----

std::uint64_t parse_number(std::string const& flag, std::string const& text, std::uint64_t minimum,
                           std::uint64_t maximum) {
    std::size_t used = 0;
    unsigned long long value = 0;
    try {
        value = std::stoull(text, &used);
    } catch (std::exception const&) {
        used = 0;
    }
    if (used != text.size() || text.starts_with('-') || value < minimum || value > maximum) {
        throw bench_error(flag + " wants a whole number from " + std::to_string(minimum) + " to " +
                          std::to_string(maximum) + ", not \"" + text + "\"");
    }
    return value;
}

options parse_args(int argc, char** argv) {
    options o;
    for (int i = 1; i < argc; ++i) {
        std::string const arg = argv[i];
        auto value = [&]() -> std::string {
            if (i + 1 >= argc) {
                throw bench_error(arg + " needs a value");
            }
            return argv[++i];
        };
        if (arg == "--size-mib") {
            o.size_mib = parse_number(arg, value(), 8, 64 * 1024);
        } else if (arg == "--runs") {
            o.runs = static_cast<int>(parse_number(arg, value(), 1, 1000));
        } else if (arg == "--only") {
            o.only = value();
            if (o.only != "nginx" && o.only != "first-byte" && o.only != "aria2" && o.only != "streamers") {
                throw bench_error("--only takes nginx, first-byte, aria2 or streamers, not \"" + o.only +
                                  "\"");
            }
        } else if (arg == "--json") {
            o.json = true;
        } else if (arg == "--host") {
            o.host = value();
        } else if (arg == "--lt-seed") {
            o.lt_seed = value();
        } else if (arg == "--cache") {
            o.cache = value();
        } else if (arg == "--help" || arg == "-h") {
            o.help = true;
        } else {
            throw bench_error("unknown argument \"" + arg + "\"\n" + usage);
        }
    }
    if (o.help) {
        return o;
    }
    for (auto const* p : {&o.host, &o.lt_seed}) {
        if (p->empty() || !fs::is_regular_file(*p)) {
            throw bench_error("no program at \"" + p->string() + "\"; pass --host and --lt-seed");
        }
    }
    o.cache = fs::absolute(o.cache);
    return o;
}

int run(options const& o) {
    if (o.json) {
        out = stderr;
    }
    auto const t0 = steady_clock::now();
    say("stream_bench: sluice-host %s, a %llu MiB file, loopback only\n", o.host.c_str(),
        static_cast<unsigned long long>(o.size_mib));
    fs::create_directories(o.cache);
    auto const data = prepare_data(o);
    bench::temp_dir logs("stream-bench-logs");
    log_dir = logs.path();

    report rep;
    auto const wanted = [&](char const* name) { return o.only.empty() || o.only == name; };
    auto const attempt = [&](char const* name, auto&& body) {
        if (!wanted(name) || interrupted.load()) {
            return;
        }
        try {
            body();
        } catch (std::exception const& e) {
            rep.failures.push_back(std::string(name) + ": " + e.what());
            say("%s failed: %s\n", name, e.what());
        }
    };
    attempt("nginx", [&] { section_nginx(o, data, rep); });
    // One loopback seed serves parts 2 and 4; it idles through part 3.
    std::optional<lt_seed_process> seed;
    if (wanted("first-byte") || wanted("streamers")) {
        try {
            seed.emplace(o, data);
        } catch (std::exception const& e) {
            rep.failures.push_back(std::string("lt_seed: ") + e.what());
            say("lt_seed failed: %s\n", e.what());
        }
    }
    if (seed) {
        attempt("first-byte", [&] { section_first_byte(o, data, *seed, rep); });
        attempt("first-byte", [&] { section_first_byte_utp(o, data, *seed, rep); });
    }
    attempt("aria2", [&] { section_aria2(o, data, rep); });
    if (seed) {
        attempt("streamers", [&] { section_streamers(o, data, *seed, rep); });
    }
    say("\nstream_bench: %.0f s in all\n", ms_between(t0, steady_clock::now()) / 1000);
    if (o.json) {
        std::printf("%s\n", to_json(rep, o).dump().c_str());
    } else {
        print_table(rep);
    }
    if (interrupted.load()) {
        return 130;
    }
    return rep.failures.empty() ? 0 : 1;
}

} // namespace

int main(int argc, char** argv) {
    // A server that dies must surface as a failed write with a message, not kill the driver silently.
    std::signal(SIGPIPE, SIG_IGN);
    std::signal(SIGINT, on_interrupt);
    std::signal(SIGTERM, on_interrupt);
    bench::become_subreaper();
    try {
        auto const o = parse_args(argc, argv);
        if (o.help) {
            std::printf("%s", usage);
            return 0;
        }
        return run(o);
    } catch (std::exception const& e) {
        std::fprintf(stderr, "%s: error: %s\n", program, e.what());
        return 1;
    }
}
