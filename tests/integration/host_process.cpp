#include "host_process.hpp"

#include <boost/process/args.hpp>
#include <boost/process/env.hpp>
#include <boost/process/io.hpp>
#include <gtest/gtest.h>

#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

namespace sluice::testing {

namespace bp = boost::process;

namespace {

// Owners detach from the relay that started them; as a subreaper this test binary becomes their parent,
// so it can wait for them and tell "exited" from "still running" exactly.
bool const became_subreaper = ::prctl(PR_SET_CHILD_SUBREAPER, 1) == 0;

// Boost.Process makes its pipes inheritable; then every later host would hold the earlier hosts' stdin
// open and none of them would ever see end-of-input. Browsers create these pipes close-on-exec.
bp::pipe cloexec_pipe() {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) {
        throw std::runtime_error("pipe2 failed");
    }
    return bp::pipe(fds[0], fds[1]);
}

} // namespace

host_world::host_world(std::string const& extra_config) {
    std::filesystem::create_directories(data_dir());
    nlohmann::json config = nlohmann::json::parse(R"({"session":{"dht":false,"lsd":false,"upnp":false,
        "natpmp":false,"utp":false,"listenInterfaces":"127.0.0.1:0"},"idleExitSeconds":5,"log":{"level":"debug"}})");
    if (!extra_config.empty()) {
        config.merge_patch(nlohmann::json::parse(extra_config));
    }
    std::ofstream(data_dir() / "config.json") << config.dump(4);
}

host_world::~host_world() {
    // A failed test shows what the owner logged: the sandbox is about to disappear with it.
    if (::testing::Test::HasFailure()) {
        std::ifstream log(data_dir() / "logs" / "host.log");
        std::string text((std::istreambuf_iterator<char>(log)), {});
        std::fprintf(stderr, "---- host.log ----\n%s---- end of host.log ----\n",
                     text.substr(text.size() > 6000 ? text.size() - 6000 : 0).c_str());
    }
    for (long pid : owners) {
        if (!wait_for_exit(pid, 5s)) {
            ::kill(static_cast<pid_t>(pid), SIGKILL);
            wait_for_exit(pid, 5s);
        }
    }
}

bp::environment host_world::environment() const {
    auto env = boost::this_process::environment();
    bp::environment out = env;
    out["XDG_RUNTIME_DIR"] = (dir_ / "run").string();
    out["XDG_DATA_HOME"] = (dir_ / "data").string();
    return out;
}

bool host_world::wait_for_exit(long pid, std::chrono::milliseconds timeout) {
    (void)became_subreaper;
    auto const deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
        int status = 0;
        auto const r = ::waitpid(static_cast<pid_t>(pid), &status, WNOHANG);
        if (r == pid || (r < 0 && errno == ECHILD && ::kill(static_cast<pid_t>(pid), 0) != 0)) {
            return true;
        }
        if (std::chrono::steady_clock::now() > deadline) {
            return false;
        }
        std::this_thread::sleep_for(10ms);
    }
}

host_process::host_process(host_world& world, std::vector<std::string> args)
    : world_(world), in_(cloexec_pipe()), out_(cloexec_pipe()), err_(cloexec_pipe()),
      child_(SLUICE_HOST_PATH, bp::args(args), bp::std_in<in_, bp::std_out> out_, bp::std_err > err_,
             world.environment()) {}

host_process::~host_process() {
    in_.close();
    if (!wait_exit(5s)) {
        child_.terminate();
    }
}

void host_process::send_raw(std::string_view bytes) {
    std::size_t done = 0;
    while (done < bytes.size()) {
        auto const n = ::write(in_.native_sink(), bytes.data() + done, bytes.size() - done);
        if (n <= 0) {
            if (n < 0 && errno == EINTR) {
                continue;
            }
            return; // the host has gone; the test's reads will say so
        }
        done += static_cast<std::size_t>(n);
    }
}

void host_process::send_frame(std::string_view body) {
    auto const length = static_cast<std::uint32_t>(body.size());
    std::string frame(4, '\0');
    std::memcpy(frame.data(), &length, 4);
    frame.append(body);
    send_raw(frame);
}

void host_process::close_stdin() {
    in_.close();
}

bool host_process::wait_readable(std::chrono::steady_clock::time_point deadline) {
    for (;;) {
        auto const left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) {
            return false;
        }
        pollfd p{out_.native_source(), POLLIN, 0};
        if (::poll(&p, 1, static_cast<int>(left.count())) > 0) {
            return true;
        }
    }
}

bool host_process::read_exact(char* out, std::size_t n, std::chrono::steady_clock::time_point deadline) {
    std::size_t got = 0;
    while (got < n) {
        if (!wait_readable(deadline)) {
            return false;
        }
        auto const r = ::read(out_.native_source(), out + got, n - got);
        if (r <= 0) {
            if (r < 0 && errno == EINTR) {
                continue;
            }
            return false;
        }
        got += static_cast<std::size_t>(r);
    }
    return true;
}

std::optional<std::string> host_process::read_frame(std::chrono::milliseconds timeout) {
    auto const deadline = std::chrono::steady_clock::now() + timeout;
    std::uint32_t length = 0;
    if (!read_exact(reinterpret_cast<char*>(&length), 4, deadline)) {
        return std::nullopt;
    }
    if (length > 1024 * 1024) {
        throw std::runtime_error("host sent a frame of " + std::to_string(length) + " bytes, over 1 MiB");
    }
    std::string body(length, '\0');
    if (!read_exact(body.data(), length, deadline)) {
        return std::nullopt;
    }
    return body;
}

std::optional<nlohmann::json> host_process::read_message(std::chrono::milliseconds timeout) {
    auto body = read_frame(timeout);
    if (!body) {
        return std::nullopt;
    }
    auto message = nlohmann::json::parse(*body); // throws if the host wrote anything but JSON
    if (message.contains("result") && message["result"].is_object() &&
        message["result"].contains("instance")) {
        world_.owners.push_back(message["result"]["instance"]["pid"].get<long>());
    }
    return message;
}

bool host_process::stdout_ends(std::chrono::milliseconds timeout) {
    auto const deadline = std::chrono::steady_clock::now() + timeout;
    char c;
    for (;;) {
        if (!wait_readable(deadline)) {
            return false;
        }
        auto const r = ::read(out_.native_source(), &c, 1);
        if (r < 0 && errno == EINTR) {
            continue;
        }
        return r == 0;
    }
}

nlohmann::json host_process::call(std::string const& method, nlohmann::json params,
                                  std::chrono::milliseconds timeout) {
    auto const id = next_id_++;
    send({{"jsonrpc", "2.0"}, {"id", id}, {"method", method}, {"params", std::move(params)}});
    auto const deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
        auto const left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        auto message = read_message(std::max(left, std::chrono::milliseconds(1)));
        if (!message) {
            throw std::runtime_error("no reply to " + method +
                                     " within the timeout; stderr: " + stderr_text());
        }
        if (message->value("id", nlohmann::json()) == id) {
            return *message;
        }
        if (!message->contains("id")) {
            events.push_back(std::move(*message));
        }
    }
}

bool host_process::saw_event(std::string const& method, std::string const& info_hash) const {
    return std::any_of(events.begin(), events.end(), [&](nlohmann::json const& e) {
        return e.value("method", "") == method && e["params"].value("infoHash", "") == info_hash;
    });
}

std::optional<int> host_process::wait_exit(std::chrono::milliseconds timeout) {
    auto const deadline = std::chrono::steady_clock::now() + timeout;
    while (child_.running()) {
        if (std::chrono::steady_clock::now() > deadline) {
            return std::nullopt;
        }
        std::this_thread::sleep_for(5ms);
    }
    return child_.exit_code();
}

void host_process::signal(int signo) {
    ::kill(child_.id(), signo);
}

bool host_process::kill_owner() {
    auto const owner = call("host.hello")["result"]["instance"]["pid"].get<long>();
    ::kill(static_cast<pid_t>(owner), SIGKILL);
    return host_world::wait_for_exit(owner, 5s);
}

std::string host_process::stderr_text() {
    int const fd = err_.native_source();
    int const flags = ::fcntl(fd, F_GETFL);
    ::fcntl(fd, F_SETFL, flags | O_NONBLOCK);
    char buf[4096];
    for (;;) {
        auto const n = ::read(fd, buf, sizeof buf);
        if (n <= 0) {
            break;
        }
        stderr_.append(buf, static_cast<std::size_t>(n));
    }
    ::fcntl(fd, F_SETFL, flags);
    return stderr_;
}

} // namespace sluice::testing
