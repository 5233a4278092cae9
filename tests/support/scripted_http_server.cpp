#include "scripted_http_server.hpp"

#include <algorithm>
#include <arpa/inet.h>
#include <cstring>
#include <netinet/in.h>
#include <poll.h>
#include <stdexcept>
#include <sys/socket.h>
#include <unistd.h>

namespace sluice::testing {

namespace {

std::string reason(int status) {
    switch (status) {
    case 200:
        return "OK";
    case 201:
        return "Created";
    case 202:
        return "Accepted";
    case 302:
        return "Found";
    case 400:
        return "Bad Request";
    case 500:
        return "Internal Server Error";
    case 503:
        return "Service Unavailable";
    default:
        return "Whatever";
    }
}

std::string head(int status, std::string const& extra) {
    return "HTTP/1.1 " + std::to_string(status) + " " + reason(status) +
           "\r\nContent-Type: application/json\r\nConnection: close\r\n" + extra + "\r\n";
}

std::size_t content_length(std::string const& headers) {
    std::string lower(headers);
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](unsigned char c) { return std::tolower(c); });
    auto const at = lower.find("\r\ncontent-length:");
    return at == std::string::npos ? 0 : std::strtoul(lower.c_str() + at + 17, nullptr, 10);
}

} // namespace

scripted_http_server::scripted_http_server(http_script script) : script_(std::move(script)) {
    listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    if (listen_fd_ < 0 || ::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
        ::listen(listen_fd_, 64) != 0 ||
        ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
        throw std::runtime_error("scripted_http_server: cannot listen on 127.0.0.1");
    }
    port_ = ntohs(addr.sin_port);
    acceptor_ = std::thread([this] { accept_loop(); });
}

scripted_http_server::~scripted_http_server() {
    stopping_ = true;
    {
        // Wakes every connection thread blocked in a read or a write.
        std::lock_guard lock(mutex_);
        for (int fd : open_fds_) {
            ::shutdown(fd, SHUT_RDWR);
        }
    }
    acceptor_.join();
    for (auto& t : connections_) {
        t.join();
    }
    ::close(listen_fd_);
}

void scripted_http_server::set_script(http_script script) {
    std::lock_guard lock(mutex_);
    script_ = std::move(script);
}

int scripted_http_server::requests(std::string const& prefix) const {
    std::lock_guard lock(mutex_);
    return static_cast<int>(std::count_if(seen_.begin(), seen_.end(), [&](scripted_request const& r) {
        return r.target.rfind(prefix, 0) == 0;
    }));
}

std::vector<scripted_request> scripted_http_server::seen() const {
    std::lock_guard lock(mutex_);
    return seen_;
}

void scripted_http_server::accept_loop() {
    while (!stopping_) {
        pollfd p{listen_fd_, POLLIN, 0};
        if (::poll(&p, 1, 50) <= 0) {
            continue;
        }
        int const fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
        if (fd < 0) {
            continue;
        }
        std::lock_guard lock(mutex_);
        if (stopping_) {
            ::close(fd);
            break;
        }
        open_fds_.push_back(fd);
        connections_.emplace_back([this, fd] {
            serve(fd);
            std::lock_guard inner(mutex_);
            open_fds_.erase(std::find(open_fds_.begin(), open_fds_.end(), fd));
            ::close(fd);
        });
    }
}

bool scripted_http_server::send_all(int fd, std::string_view bytes) {
    while (!bytes.empty()) {
        if (stopping_) {
            return false;
        }
        auto const n = ::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
        if (n <= 0) {
            return false;
        }
        bytes.remove_prefix(static_cast<std::size_t>(n));
    }
    return true;
}

void scripted_http_server::pause(std::chrono::milliseconds how_long) {
    auto const until = std::chrono::steady_clock::now() + how_long;
    while (!stopping_ && std::chrono::steady_clock::now() < until) {
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
}

void scripted_http_server::serve(int fd) {
    std::string in;
    char buf[8192];
    auto read_more = [&] {
        pollfd p{fd, POLLIN, 0};
        if (stopping_ || ::poll(&p, 1, 5000) <= 0) {
            return false;
        }
        auto const n = ::recv(fd, buf, sizeof buf, 0);
        if (n <= 0) {
            return false;
        }
        in.append(buf, static_cast<std::size_t>(n));
        return true;
    };
    std::size_t end;
    while ((end = in.find("\r\n\r\n")) == std::string::npos) {
        if (in.size() > 64 * 1024 || !read_more()) {
            return;
        }
    }
    auto const headers = in.substr(0, end + 2);
    auto const length = content_length(headers);
    while (in.size() < end + 4 + length) {
        if (!read_more()) {
            return;
        }
    }
    scripted_request request;
    auto const first = headers.substr(0, headers.find("\r\n"));
    auto const space = first.find(' ');
    request.method = first.substr(0, space);
    request.target = first.substr(space + 1, first.find(' ', space + 1) - space - 1);
    request.body = in.substr(end + 4, length);
    http_script script;
    {
        std::lock_guard lock(mutex_);
        seen_.push_back(request);
        script = script_;
    }
    auto const answer = script(request);
    using delivery = scripted_answer::delivery;
    switch (answer.how) {
    case delivery::whole:
        send_all(fd, head(answer.status, "Content-Length: " + std::to_string(answer.body.size()) + "\r\n") +
                         answer.body);
        break;
    case delivery::trickle: {
        auto const all =
            head(answer.status, "Content-Length: " + std::to_string(answer.body.size()) + "\r\n") +
            answer.body;
        for (char c : all) {
            if (!send_all(fd, std::string_view(&c, 1))) {
                return;
            }
            pause(answer.interval);
        }
        break;
    }
    case delivery::endless_chunked: {
        if (!send_all(fd, head(answer.status, "Transfer-Encoding: chunked\r\n"))) {
            return;
        }
        std::string const chunk = "4000\r\n" + std::string(0x4000, ' ') + "\r\n";
        while (send_all(fd, chunk)) {
        }
        break;
    }
    case delivery::endless_length: {
        if (!send_all(fd, head(answer.status,
                               "Content-Length: " + std::to_string(answer.declared_length) + "\r\n"))) {
            return;
        }
        std::string const block(64 * 1024, ' ');
        for (std::uint64_t sent = 0; sent < answer.declared_length && send_all(fd, block);
             sent += block.size()) {
        }
        break;
    }
    case delivery::close_mid_body:
        send_all(fd, head(answer.status, "Content-Length: " + std::to_string(answer.body.size()) + "\r\n") +
                         answer.body.substr(0, answer.body.size() / 2));
        break;
    case delivery::redirect_loop:
        send_all(fd, head(302, "Location: " + request.target + "\r\nContent-Length: 0\r\n"));
        break;
    }
    ::shutdown(fd, SHUT_WR);
}

} // namespace sluice::testing
