#include "support/loopback_http.hpp"

#include "support/bench_main.hpp"
#include "support/stats.hpp"
#include "support/timing.hpp"

#include <algorithm>
#include <arpa/inet.h>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <netinet/in.h>
#include <sstream>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>
#include <vector>

namespace sluice::bench {

using namespace std::chrono_literals;
using std::chrono::steady_clock;

namespace {

sockaddr_in loopback(std::uint16_t port) {
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return addr;
}

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

} // namespace

void unique_fd::reset(int fd) {
    if (fd_ >= 0) {
        ::close(fd_);
    }
    fd_ = fd;
}

std::uint16_t free_port() {
    unique_fd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    auto addr = loopback(0);
    socklen_t len = sizeof addr;
    if (!fd || ::bind(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
        ::getsockname(fd.get(), reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
        throw bench_error("cannot find a free port: " + std::string(std::strerror(errno)));
    }
    return ntohs(addr.sin_port);
}

bool wait_for_port(std::uint16_t port, std::chrono::milliseconds limit) {
    auto const deadline = steady_clock::now() + limit;
    while (steady_clock::now() < deadline) {
        unique_fd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
        auto const addr = loopback(port);
        if (::connect(fd.get(), reinterpret_cast<sockaddr const*>(&addr), sizeof addr) == 0) {
            return true;
        }
        std::this_thread::sleep_for(10ms);
    }
    return false;
}

double http_response::mb_per_s() const {
    return static_cast<double>(body_bytes) / mega / seconds_between(sent, done);
}

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
    auto const addr = loopback(req.port);
    if (::connect(fd.get(), reinterpret_cast<sockaddr const*>(&addr), sizeof addr) != 0) {
        if (errno == ECONNREFUSED) {
            r.refused = true;
            return r;
        }
        throw bench_error("connect to 127.0.0.1:" + std::to_string(req.port) + ": " + std::strerror(errno));
    }
    auto request = "GET " + req.target + " HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(req.port) +
                   "\r\nUser-Agent: " + program_name() + "\r\nAccept: */*\r\n";
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

std::pair<std::uint16_t, std::string> split_url(std::string const& url) {
    constexpr std::string_view prefix = "http://127.0.0.1:";
    std::string_view rest = url;
    if (!rest.starts_with(prefix)) {
        throw bench_error("not a loopback URL: " + url);
    }
    rest.remove_prefix(prefix.size());
    auto const slash = rest.find('/');
    auto const port = std::stoi(std::string(rest.substr(0, slash)));
    return {static_cast<std::uint16_t>(port),
            std::string(slash == std::string_view::npos ? "/" : rest.substr(slash))};
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

} // namespace sluice::bench
