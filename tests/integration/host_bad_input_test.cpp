#include "host_process.hpp"
#include "http_client.hpp"
#include "wait_until.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <arpa/inet.h>
#include <filesystem>
#include <fstream>
#include <netinet/in.h>
#include <optional>
#include <poll.h>
#include <sstream>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <thread>
#include <unistd.h>

namespace sluice::testing {
namespace {

using nlohmann::json;

std::string header(std::uint32_t n) {
    return std::string(reinterpret_cast<char const*>(&n), 4);
}

int error_code(std::optional<json> const& message) {
    if (!message || !message->contains("error")) {
        ADD_FAILURE() << "expected an error reply, got " << (message ? message->dump() : "nothing");
        return 0;
    }
    return (*message)["error"]["code"].get<int>();
}

// After any bad input, the same host must still answer a well-formed request.
void expect_still_serving(host_process& host) {
    auto const reply = host.call("host.hello");
    EXPECT_TRUE(reply.contains("result")) << reply.dump();
}

long vm_size_kib(long pid) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/status");
    std::string line;
    while (std::getline(in, line)) {
        if (line.rfind("VmSize:", 0) == 0) {
            return std::stol(line.substr(7));
        }
    }
    return -1;
}

// The owner's CPU time so far (user and system), from /proc/PID/stat.
std::chrono::milliseconds cpu_time(long pid) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
    std::string const stat{std::istreambuf_iterator<char>(in), {}};
    // Fields 14 and 15, counted from the state that follows the parenthesised command name.
    std::istringstream fields(stat.substr(stat.rfind(')') + 2));
    std::string field;
    long ticks = 0;
    for (int i = 3; i <= 15 && fields >> field; ++i) {
        if (i >= 14) {
            ticks += std::stol(field);
        }
    }
    return std::chrono::milliseconds(ticks * 1000 / ::sysconf(_SC_CLK_TCK));
}

// "Max open files" of a process: {soft, hard}.
std::pair<std::string, std::string> open_files_limit(long pid) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/limits");
    std::string line;
    while (std::getline(in, line)) {
        if (line.rfind("Max open files", 0) == 0) {
            std::istringstream words(line.substr(14));
            std::string soft, hard;
            words >> soft >> hard;
            return {soft, hard};
        }
    }
    return {};
}

std::size_t open_descriptors(long pid) {
    auto const fds = std::filesystem::directory_iterator("/proc/" + std::to_string(pid) + "/fd");
    return static_cast<std::size_t>(std::distance(begin(fds), end(fds)));
}

int connect_to(int port) {
    int const fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<std::uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd < 0 || ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
        if (fd >= 0) {
            ::close(fd);
        }
        return -1;
    }
    return fd;
}

// Out of descriptors, a sanitized owner's runtime fails too (it opens files of its own to report or to read
// its maps) and the owner dies: the tests that starve it of descriptors run in the plain builds only.
#if defined(__SANITIZE_ADDRESS__)
#define SKIP_UNDER_SANITIZERS()                                                                              \
    GTEST_SKIP() << "the sanitizer runtime needs descriptors of its own in the owner"
#else
#define SKIP_UNDER_SANITIZERS() (void)0
#endif

// Once the owner holds `limit` descriptors (its whole allowance, with connections still waiting), it must
// stay almost idle: a server that re-arms accept at once on EMFILE spins a core.
void expect_no_spin_out_of_descriptors(long owner, std::size_t limit) {
    ASSERT_TRUE(wait_until([&] { return open_descriptors(owner) >= limit; }, 5s))
        << "the owner did not run out of descriptors: " << open_descriptors(owner) << " open";
    auto const before = cpu_time(owner);
    std::this_thread::sleep_for(3s);
    auto const used = cpu_time(owner) - before;
    EXPECT_LT(used, 600ms) << "the owner used " << used.count() << " ms of CPU in 3 s";
}

// A non-blocking connection to the owner's Unix socket (a relay's, as far as the owner can tell); -1 if
// the connection could not even be queued.
int connect_to_owner(std::filesystem::path const& socket_file) {
    int const fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::snprintf(addr.sun_path, sizeof addr.sun_path, "%s", socket_file.c_str());
    if (fd < 0 || ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
        if (fd >= 0) {
            ::close(fd);
        }
        return -1;
    }
    return fd;
}

// Sends a request to the stream server in `pieces`, each its own write a moment after the last, so the
// server reads them one by one; returns the answer's status, or 0 if none came within 10 s.
int raw_request_status(int port, std::vector<std::string> const& pieces) {
    int const fd = connect_to(port);
    if (fd < 0) {
        ADD_FAILURE() << "cannot connect to the stream server on port " << port;
        return 0;
    }
    for (auto const& piece : pieces) {
        if (::send(fd, piece.data(), piece.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(piece.size())) {
            break; // the server answered and closed early; its answer is still there to read
        }
        std::this_thread::sleep_for(20ms);
    }
    std::string answer;
    auto const deadline = std::chrono::steady_clock::now() + 10s;
    while (answer.find("\r\n") == std::string::npos && std::chrono::steady_clock::now() < deadline) {
        pollfd p{fd, POLLIN, 0};
        if (::poll(&p, 1, 100) <= 0) {
            continue;
        }
        char buf[512];
        auto const n = ::recv(fd, buf, sizeof buf, 0);
        if (n <= 0) {
            break;
        }
        answer.append(buf, static_cast<std::size_t>(n));
    }
    ::close(fd);
    // "HTTP/1.1 431 ..."
    return answer.size() > 12 && answer.starts_with("HTTP/1.1 ") ? std::stoi(answer.substr(9, 3)) : 0;
}

// The stream server of a fresh host: its port and the target of a file no torrent has (a 404 once the guards
// let it through).
struct stream_address {
    int port = 0;
    std::string target;
    std::string host_header() const { return "127.0.0.1:" + std::to_string(port); }
};

stream_address stream_server_of(host_process& host) {
    auto const [port, base] =
        split_url(host.call("host.hello")["result"]["streamBaseUrl"].get<std::string>());
    return {port, base + std::string(40, 'a') + "/0/film.webm"};
}

TEST(HostBadInput, OversizedFrameIsRefusedAndTheStreamResyncs) {
    host_world world;
    host_process host(world);
    auto const big = 9u * 1024 * 1024;
    host.send_raw(header(big) + std::string(big, ' '));
    auto const reply = host.read_message();
    EXPECT_EQ(error_code(reply), -32000);
    EXPECT_TRUE((*reply)["id"].is_null());
    EXPECT_EQ((*reply)["error"]["data"]["announced"], big);
    EXPECT_EQ((*reply)["error"]["data"]["limit"], 8u * 1024 * 1024);
    expect_still_serving(host);
}

TEST(HostBadInput, HugeAnnouncedLengthAllocatesNothing) {
    host_world world;
    host_process host(world);
    expect_still_serving(host);
    auto const before = vm_size_kib(host.pid());
    host.send_raw(header(0xFFFFFFF0u));
    EXPECT_EQ(error_code(host.read_message()), -32000);
    auto const after = vm_size_kib(host.pid());
    ASSERT_GT(before, 0);
    EXPECT_LT(after - before, 64 * 1024) << "the relay grew by " << (after - before) << " KiB";
    host.close_stdin(); // the announced body never comes: end of input inside it is a clean exit
    EXPECT_EQ(host.wait_exit(), 0);
}

TEST(HostBadInput, InboundLimitIsConfigurable) {
    host_world world(R"({"nativeMessaging":{"maxInboundFrameBytes":65536}})");
    host_process host(world);
    auto const reply = host.call("host.hello");
    EXPECT_EQ(reply["result"]["limits"]["maxInboundFrameBytes"], 65536);
    host.send_frame(R"({"jsonrpc":"2.0","id":1,"method":"host.hello","params":{"client":{"name":")" +
                    std::string(70000, 'n') + "\"}}}");
    EXPECT_EQ(error_code(host.read_message()), -32000);
    expect_still_serving(host);
}

TEST(HostBadInput, ZeroLengthFrame) {
    host_world world;
    host_process host(world);
    host.send_raw(header(0));
    EXPECT_EQ(error_code(host.read_message()), -32001);
    expect_still_serving(host);
}

TEST(HostBadInput, TruncatedHeaderThenEofExitsCleanly) {
    host_world world;
    host_process host(world);
    expect_still_serving(host);
    host.send_raw(std::string("\x10\x00", 2));
    host.close_stdin();
    EXPECT_TRUE(host.stdout_ends());
    EXPECT_EQ(host.wait_exit(), 0);
}

TEST(HostBadInput, TruncatedBodyThenEofExitsCleanly) {
    host_world world;
    host_process host(world);
    expect_still_serving(host);
    host.send_raw(header(100) + R"({"jsonrpc":"2.0")");
    host.close_stdin();
    EXPECT_TRUE(host.stdout_ends());
    EXPECT_EQ(host.wait_exit(), 0);
    EXPECT_NE(host.stderr_text().find("middle of a frame"), std::string::npos);
}

TEST(HostBadInput, ImmediateEofExitsCleanly) {
    host_world world;
    host_process host(world);
    host.close_stdin();
    EXPECT_TRUE(host.stdout_ends());
    EXPECT_EQ(host.wait_exit(), 0);
}

TEST(HostBadInput, InvalidUtf8) {
    host_world world;
    host_process host(world);
    host.send_frame("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"host.hello\",\"params\":{\"client\":{"
                    "\"name\":\"\xc3\x28\"}}}");
    auto const reply = host.read_message();
    EXPECT_EQ(error_code(reply), -32700);
    EXPECT_NE((*reply)["error"]["data"]["detail"].get<std::string>().find("UTF-8"), std::string::npos);
    expect_still_serving(host);
}

TEST(HostBadInput, InvalidJson) {
    host_world world;
    host_process host(world);
    for (auto const* bad : {"{", "{\"jsonrpc\":\"2.0\",}", "nul", "\"unterminated", "{}}", "\x01"}) {
        host.send_frame(bad);
        EXPECT_EQ(error_code(host.read_message()), -32700) << bad;
    }
    expect_still_serving(host);
}

TEST(HostBadInput, JsonNestedAMillionDeep) {
    host_world world;
    host_process host(world);
    host.send_frame(std::string(1'000'000, '[') + std::string(1'000'000, ']'));
    host.send_frame(R"({"jsonrpc":"2.0","id":1,"method":"host.hello","params":{"client":)" +
                    std::string(1'000'000, '{'));
    EXPECT_EQ(error_code(host.read_message()), -32700);
    EXPECT_EQ(error_code(host.read_message()), -32700);
    expect_still_serving(host);
}

TEST(HostBadInput, HugeNumbers) {
    host_world world;
    host_process host(world);
    host.send_frame(R"({"jsonrpc":"2.0","id":1e999,"method":"host.hello"})");
    EXPECT_EQ(error_code(host.read_message()), -32700);
    host.send_frame(R"({"jsonrpc":"2.0","id":123456789012345678901234567890,"method":"host.hello"})");
    auto const reply = host.read_message();
    EXPECT_EQ(error_code(reply), -32600);
    EXPECT_TRUE((*reply)["id"].is_null());
    host.send_frame(R"({"jsonrpc":"2.0","id":2,"method":"host.hello","params":{"protocolVersion":1e308}})");
    EXPECT_EQ(error_code(host.read_message()), -32602);
    host.send_frame("[" + std::string(200000, '9') + "]");
    EXPECT_EQ(error_code(host.read_message()), -32700);
    expect_still_serving(host);
}

TEST(HostBadInput, WrongJsonrpcValues) {
    host_world world;
    host_process host(world);
    for (auto const* bad :
         {R"({"jsonrpc":"1.0","id":5,"method":"host.hello"})",
          R"({"jsonrpc":2,"id":5,"method":"host.hello"})", R"({"id":5,"method":"host.hello"})",
          R"({"jsonrpc":"2.0 ","id":5,"method":"host.hello"})"}) {
        host.send_frame(bad);
        auto const reply = host.read_message();
        EXPECT_EQ(error_code(reply), -32600) << bad;
        EXPECT_EQ((*reply)["id"], 5) << bad;
    }
    expect_still_serving(host);
}

TEST(HostBadInput, NonObjectMessagesAndBatches) {
    host_world world;
    host_process host(world);
    for (auto const* bad :
         {"42", "\"text\"", "null", "[]", R"([{"jsonrpc":"2.0","id":1,"method":"host.hello"}])"}) {
        host.send_frame(bad);
        EXPECT_EQ(error_code(host.read_message()), -32600) << bad;
    }
    expect_still_serving(host);
}

TEST(HostBadInput, RandomBytesNeverCrashTheHost) {
    host_world world;
    host_process host(world);
    std::uint32_t x = 12345;
    for (int i = 0; i < 200; ++i) {
        std::string junk;
        auto const len = 1 + (i * 37) % 300;
        for (int j = 0; j < len; ++j) {
            x = x * 1664525u + 1013904223u;
            junk += static_cast<char>(x >> 24);
        }
        host.send_frame(junk);
        auto const reply = host.read_message();
        ASSERT_TRUE(reply) << "no answer to junk frame " << i;
        EXPECT_TRUE(reply->contains("error"));
    }
    expect_still_serving(host);
}

// A frame that names "method" twice must not run whichever one the parser happens to keep.
TEST(HostBadInput, MembersNamedTwiceAreAParseError) {
    host_world world;
    host_process host(world);
    for (auto const* bad : {R"({"jsonrpc":"2.0","id":1,"method":"host.hello","method":"torrent.list"})",
                            R"({"jsonrpc":"2.0","id":2,"id":3,"method":"host.hello"})",
                            R"({"jsonrpc":"2.0","id":4,"method":"torrent.remove","params":)"
                            R"({"infoHash":"x","deleteFiles":false,"deleteFiles":true}})",
                            R"({"jsonrpc":"2.0","id":5,"method":"host.hello","params":{"client":)"
                            R"({"name":"a","version":"1","name":"b"}}})"}) {
        host.send_frame(bad);
        auto const reply = host.read_message();
        EXPECT_EQ(error_code(reply), -32700) << bad;
        ASSERT_TRUE(reply && reply->contains("error")) << bad;
        EXPECT_TRUE((*reply)["id"].is_null()) << bad;
        EXPECT_NE((*reply)["error"]["data"]["detail"].get<std::string>().find("twice"), std::string::npos)
            << reply->dump();
    }
    expect_still_serving(host);
}

// A NUL would cut the folder short in every system call while the whole string is stored and shown; other
// control characters forge lines in logs and config.json.
TEST(HostBadInput, ControlCharactersInFoldersAreInvalidParams) {
    host_world world;
    host_process host(world);
    auto const dl = (world.data_dir() / "dl").string();
    auto const magnet = "magnet:?xt=urn:btih:" + std::string(40, 'c');
    for (auto const& folder : {dl + std::string("\0/x", 3), dl + "\n", dl + "\x1f", dl + "\x7f", dl + "\t"}) {
        EXPECT_EQ(error_code(host.call("torrent.add", {{"uri", magnet}, {"savePath", folder}})), -32602);
        EXPECT_EQ(error_code(host.call("settings.set", {{"downloadFolder", folder}})), -32602);
    }
    EXPECT_EQ(host.call("torrent.list")["result"]["torrents"].size(), 0u);
    auto const settings = host.call("settings.get")["result"];
    EXPECT_EQ(settings["downloadFolder"].get<std::string>().find_first_of(std::string("\0\n\x1f\x7f\t", 5)),
              std::string::npos)
        << settings.dump();
    // Letters beyond ASCII are fine.
    EXPECT_TRUE(host.call("settings.set", {{"downloadFolder", dl + "/Vid\u00e9os"}}).contains("result"));
}

TEST(HostBadInput, SettingsGetRefusesUnknownParams) {
    host_world world;
    host_process host(world);
    auto const reply = host.call("settings.get", {{"downloadFolder", "/tmp"}});
    EXPECT_EQ(error_code(reply), -32602);
    ASSERT_TRUE(reply.contains("error"));
    EXPECT_NE(reply["error"]["data"]["detail"].get<std::string>().find("unknown parameter"),
              std::string::npos)
        << reply.dump();
    EXPECT_TRUE(host.call("settings.get").contains("result"));
}

// Special files are refused by what they are, before anything reads them (reading /proc/self/mem fails, a
// fifo would block the owner).
TEST(HostBadInput, SpecialFilesAreInvalidTorrents) {
    host_world world;
    host_process host(world);
    auto const fifo = world.data_dir() / "fifo.torrent";
    ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
    for (auto const& path :
         std::vector<std::string>{"/proc/self/mem", "/proc/self/environ", "/dev/zero", fifo.string()}) {
        auto const reply = host.call("torrent.add", {{"uri", path}});
        EXPECT_EQ(error_code(reply), 1002) << path;
        EXPECT_NE(reply.dump().find("not a regular file"), std::string::npos) << reply.dump();
    }
    expect_still_serving(host);
}

// RFC 9112 section 3.2: a request with two Host fields gets a 400, whichever of them comes first.
TEST(HostBadInput, StreamRequestWithTwoHostsIsABadRequest) {
    host_world world;
    host_process host(world);
    auto const stream = stream_server_of(host);
    auto const request = [&](std::string const& hosts) {
        return raw_request_status(stream.port, {"GET " + stream.target + " HTTP/1.1\r\n" + hosts + "\r\n"});
    };
    EXPECT_EQ(request("Host: " + stream.host_header() + "\r\n"), 404);
    EXPECT_EQ(request("Host: " + stream.host_header() + "\r\nHost: evil.example\r\n"), 400);
    EXPECT_EQ(request("Host: evil.example\r\nHost: " + stream.host_header() + "\r\n"), 400);
    EXPECT_EQ(request("Host: " + stream.host_header() + "\r\nhost: " + stream.host_header() + "\r\n"), 400);
}

// One limit, 8 KiB (the header_limit the server sets), for the whole request however many reads it takes.
TEST(HostBadInput, StreamRequestHeadersHaveOneTotalLimit) {
    host_world world;
    host_process host(world);
    auto const stream = stream_server_of(host);
    // A request of exactly `total` bytes, request line to blank line: fields of at most 1,000 bytes, each
    // sent on its own.
    auto const request = [&](std::size_t total) {
        std::vector<std::string> pieces{"GET " + stream.target +
                                        " HTTP/1.1\r\nHost: " + stream.host_header() + "\r\n"};
        std::size_t size = pieces[0].size() + 2;
        for (int i = 0; size < total; ++i) {
            auto const name = "X-Pad-" + std::to_string(i) + ": ";
            auto const room = total - size;
            auto field = std::min<std::size_t>(room, 1000);
            if (room != field && room - field < 20) {
                field = room - 20; // leave enough for one more field
            }
            pieces.push_back(name + std::string(field - name.size() - 2, 'p') + "\r\n");
            size += field;
        }
        pieces.push_back("\r\n");
        return raw_request_status(stream.port, pieces);
    };
    EXPECT_EQ(request(1000), 404);
    EXPECT_EQ(request(8192), 404);
    EXPECT_EQ(request(8193), 431);
    EXPECT_EQ(request(9000), 431);
    EXPECT_EQ(request(24 * 1024), 431);
    EXPECT_EQ(request(240 * 1024), 431);
    // One field over the limit, in one piece.
    EXPECT_EQ(raw_request_status(stream.port,
                                 {"GET " + stream.target + " HTTP/1.1\r\nHost: " + stream.host_header() +
                                  "\r\nX-Pad: " + std::string(9000, 'p') + "\r\n\r\n"}),
              431);
}

// Out of descriptors, accept fails at once for as long as a connection waits; the server must pause
// between tries rather than spin a core, and serve again once connections close.
TEST(HostBadInput, StreamServerOutOfDescriptorsDoesNotSpin) {
    SKIP_UNDER_SANITIZERS();
    host_world world;
    // The owner inherits a low soft limit from the relay, which inherits it from here...
    rlimit mine{};
    ASSERT_EQ(::getrlimit(RLIMIT_NOFILE, &mine), 0);
    auto lowered = mine;
    lowered.rlim_cur = std::min<rlim_t>(mine.rlim_max, 1024);
    ASSERT_EQ(::setrlimit(RLIMIT_NOFILE, &lowered), 0);
    std::optional<host_process> host;
    host.emplace(world);
    ASSERT_EQ(::setrlimit(RLIMIT_NOFILE, &mine), 0);
    auto const stream = stream_server_of(*host);
    auto const owner = host->call("host.hello")["result"]["instance"]["pid"].get<long>();
    // ...and raises it to the hard limit at start.
    auto const [soft, hard] = open_files_limit(owner);
    EXPECT_EQ(soft, hard);

    // Then a limit a few dozen descriptors above what it uses, and many more connections than that.
    auto const in_use = open_descriptors(owner);
    rlimit const tight{in_use + 40, in_use + 40};
    ASSERT_EQ(::prlimit(static_cast<pid_t>(owner), RLIMIT_NOFILE, &tight, nullptr), 0);
    std::vector<int> connections;
    for (int i = 0; i < 200; ++i) {
        if (int const fd = connect_to(stream.port); fd >= 0) {
            connections.push_back(fd);
        }
    }
    EXPECT_EQ(connections.size(), 200u);
    expect_no_spin_out_of_descriptors(owner, in_use + 40);

    for (int fd : connections) {
        ::close(fd);
    }
    EXPECT_TRUE(wait_until(
        [&] {
            return raw_request_status(stream.port, {"GET " + stream.target + " HTTP/1.1\r\nHost: " +
                                                    stream.host_header() + "\r\n\r\n"}) == 404;
        },
        10s, 100ms));
    expect_still_serving(*host);
}

// The same for the owner's socket: relays that cannot be accepted wait, and the owner must not spin (nor log
// each failed try) while they do.
TEST(HostBadInput, OwnerSocketOutOfDescriptorsDoesNotSpin) {
    SKIP_UNDER_SANITIZERS();
    host_world world;
    host_process host(world);
    auto const owner = host.call("host.hello")["result"]["instance"]["pid"].get<long>();
    auto const in_use = open_descriptors(owner);
    rlimit const tight{in_use + 20, in_use + 20};
    ASSERT_EQ(::prlimit(static_cast<pid_t>(owner), RLIMIT_NOFILE, &tight, nullptr), 0);
    std::vector<int> connections;
    for (int i = 0; i < 100; ++i) {
        if (int const fd = connect_to_owner(world.socket_file()); fd >= 0) {
            connections.push_back(fd);
        }
    }
    ASSERT_GT(connections.size(), 30u);
    expect_no_spin_out_of_descriptors(owner, in_use + 20);

    for (int fd : connections) {
        ::close(fd);
    }
    // Its own relay, attached before, is served throughout and after.
    EXPECT_TRUE(host.call("host.hello").contains("result"));
    std::ifstream log_file(world.data_dir() / "logs" / "host.log");
    std::string const log((std::istreambuf_iterator<char>(log_file)), {});
    std::size_t failures = 0;
    for (auto at = log.find("cannot accept relays"); at != std::string::npos;
         at = log.find("cannot accept relays", at + 1)) {
        ++failures;
    }
    EXPECT_LE(failures, 1u) << "each failed accept was logged";
    expect_still_serving(host);
}

} // namespace
} // namespace sluice::testing
