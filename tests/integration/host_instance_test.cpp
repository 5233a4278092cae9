#include "file_helpers.hpp"
#include "host_process.hpp"

#include <gtest/gtest.h>

#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <grp.h>
#include <memory>
#include <poll.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

namespace sluice::testing {
namespace {

using nlohmann::json;

sockaddr_un address_of(std::filesystem::path const& socket_file) {
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::strncpy(addr.sun_path, socket_file.c_str(), sizeof addr.sun_path - 1);
    return addr;
}

bool readable_within(int fd, std::chrono::milliseconds timeout) {
    pollfd p{fd, POLLIN, 0};
    return ::poll(&p, 1, static_cast<int>(timeout.count())) > 0;
}

// The test in an owner's place, on the world's lock and socket, playing the moments a relay can meet an
// owner in. It does with bare system calls what the owner does: flock the lock file, listen on the socket.
class stand_in_owner {
public:
    explicit stand_in_owner(host_world& world) : world_(world) {
        std::filesystem::create_directories(world.runtime_dir());
        std::filesystem::permissions(world.runtime_dir(), std::filesystem::perms::owner_all);
        lock_fd_ = ::open((world.runtime_dir() / "host.lock").c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
        EXPECT_EQ(::flock(lock_fd_, LOCK_EX | LOCK_NB), 0);
        listen_fd_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        auto const addr = address_of(world.socket_file());
        EXPECT_EQ(::bind(listen_fd_, reinterpret_cast<sockaddr const*>(&addr), sizeof addr), 0);
        EXPECT_EQ(::listen(listen_fd_, 16), 0);
    }
    ~stand_in_owner() {
        leave();
        release_lock();
    }

    // The next relay's connection, or -1 if none comes within the timeout.
    int accept_one(std::chrono::milliseconds timeout = 10s) {
        if (!readable_within(listen_fd_, timeout)) {
            return -1;
        }
        return ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    }

    // What a leaving owner does first: unlink the socket, stop listening.
    void leave() {
        if (listen_fd_ >= 0) {
            ::unlink(world_.socket_file().c_str());
            ::close(listen_fd_);
            listen_fd_ = -1;
        }
    }
    // And last, once its state is saved.
    void release_lock() {
        if (lock_fd_ >= 0) {
            ::close(lock_fd_);
            lock_fd_ = -1;
        }
    }

private:
    host_world& world_;
    int lock_fd_ = -1;
    int listen_fd_ = -1;
};

json instance_of(host_process& host) {
    auto const reply = host.call("host.hello");
    if (!reply.contains("result")) {
        ADD_FAILURE() << reply.dump();
        return json::object();
    }
    return reply["result"]["instance"];
}

TEST(HostInstance, TwoProcessesShareOneSession) {
    host_world world;
    host_process first(world);
    host_process second(world);
    auto const a = instance_of(first);
    auto const b = instance_of(second);
    EXPECT_EQ(a["sessionId"], b["sessionId"]);
    EXPECT_EQ(a["pid"], b["pid"]);
    EXPECT_EQ(b["clients"], 2);
    // The owner is a process of its own, neither of the two the browsers started.
    EXPECT_NE(a["pid"].get<long>(), first.pid());
    EXPECT_NE(a["pid"].get<long>(), second.pid());
}

TEST(HostInstance, TheSessionOutlivesTheProcessThatStartedIt) {
    host_world world;
    auto first = std::make_unique<host_process>(world);
    host_process second(world);
    auto const a = instance_of(*first);
    instance_of(second);
    first->close_stdin();
    EXPECT_EQ(first->wait_exit(), 0);
    first.reset();
    auto const b = instance_of(second);
    EXPECT_EQ(b["sessionId"], a["sessionId"]);
    EXPECT_EQ(b["clients"], 1);
}

TEST(HostInstance, OwnerExitsWhenTheLastClientLeavesAndSavesItsState) {
    host_world world;
    long owner = 0;
    {
        host_process first(world);
        host_process second(world);
        owner = instance_of(first)["pid"].get<long>();
        instance_of(second);
        first.close_stdin();
        EXPECT_EQ(first.wait_exit(), 0);
        EXPECT_FALSE(host_world::wait_for_exit(owner, 300ms)) << "owner left while a client was attached";
        second.close_stdin();
        EXPECT_EQ(second.wait_exit(), 0);
    }
    EXPECT_TRUE(host_world::wait_for_exit(owner, 5s));
    EXPECT_FALSE(std::filesystem::exists(world.socket_file()));
    EXPECT_TRUE(std::filesystem::exists(world.data_dir() / "session.state"));
}

TEST(HostInstance, RuntimeDirectoryIsPrivate) {
    host_world world;
    host_process host(world);
    instance_of(host);
    struct stat st {};
    ASSERT_EQ(::stat(world.runtime_dir().c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0700u);
    ASSERT_EQ(::stat(world.socket_file().c_str(), &st), 0);
    EXPECT_TRUE(S_ISSOCK(st.st_mode));
    EXPECT_EQ(st.st_mode & 0077, 0u);
}

TEST(HostInstance, StaleSocketFromAKilledOwnerIsReplaced) {
    host_world world;
    host_process first(world);
    auto const dead = instance_of(first);
    ::kill(static_cast<pid_t>(dead["pid"].get<long>()), SIGKILL);
    ASSERT_TRUE(host_world::wait_for_exit(dead["pid"].get<long>(), 5s));
    EXPECT_TRUE(std::filesystem::exists(world.socket_file())) << "a killed owner leaves its socket behind";
    // The relay of the dead owner notices and exits, so its browser can reconnect.
    EXPECT_EQ(first.wait_exit(), 1);

    host_process second(world);
    auto const fresh = instance_of(second);
    EXPECT_NE(fresh["sessionId"], dead["sessionId"]);
    EXPECT_NE(fresh["pid"], dead["pid"]);
}

TEST(HostInstance, StaleSocketFileWithNoOwnerIsReplaced) {
    host_world world;
    std::filesystem::create_directories(world.runtime_dir());
    std::filesystem::permissions(world.runtime_dir(), std::filesystem::perms::owner_all);
    // A socket bound and abandoned: connecting to it is refused, like one left by a crash.
    int const fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::strncpy(addr.sun_path, world.socket_file().c_str(), sizeof addr.sun_path - 1);
    ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    ::close(fd);
    ASSERT_TRUE(std::filesystem::exists(world.socket_file()));

    host_process host(world);
    EXPECT_TRUE(host.call("host.hello").contains("result"));
}

TEST(HostInstance, SimultaneousStartsStillMakeOneSession) {
    host_world world;
    std::vector<std::unique_ptr<host_process>> hosts;
    for (int i = 0; i < 4; ++i) {
        hosts.push_back(std::make_unique<host_process>(world));
    }
    for (auto& h : hosts) {
        h->send({{"jsonrpc", "2.0"}, {"id", 1}, {"method", "host.hello"}});
    }
    std::set<std::string> sessions;
    for (auto& h : hosts) {
        auto const reply = h->read_message(15s);
        ASSERT_TRUE(reply) << h->stderr_text();
        sessions.insert((*reply)["result"]["instance"]["sessionId"].get<std::string>());
    }
    EXPECT_EQ(sessions.size(), 1u);
}

// An owner that is leaving closes, unread and without its greeting, a connection it never took. The relay
// must not fail for it: it waits for that owner to go, starts the next one, and sends it the request the
// first one never read. One answer comes, not two.
TEST(HostInstance, ARelayThatMeetsALeavingOwnerGoesToTheNextOne) {
    host_world world;
    stand_in_owner leaving(world);
    host_process host(world);
    host.send({{"jsonrpc", "2.0"}, {"id", 7}, {"method", "host.hello"}});
    int const connection = leaving.accept_one();
    ASSERT_GE(connection, 0) << host.stderr_text();
    ASSERT_TRUE(readable_within(connection, 10s)) << "the relay sends its request at once";
    leaving.leave();
    ::close(connection);                // with the request unread: the relay sees the connection reset
    std::this_thread::sleep_for(300ms); // saving its state
    leaving.release_lock();

    auto const reply = host.read_message(20s);
    ASSERT_TRUE(reply) << host.stderr_text();
    EXPECT_EQ((*reply)["id"], 7);
    ASSERT_TRUE(reply->contains("result")) << reply->dump();
    EXPECT_EQ((*reply)["result"]["instance"]["clients"], 1);
    host.close_stdin();
    EXPECT_TRUE(host.stdout_ends()) << "one request, one answer";
    EXPECT_EQ(host.wait_exit(), 0);
    EXPECT_NE(read_file(world.data_dir() / "logs" / "relay.log").find("was leaving"), std::string::npos);
}

// Once an owner has greeted a relay it may have read and acted on what the relay sent; if it then goes,
// the relay cannot know, and must not send it again elsewhere: it ends, and the browser reconnects.
TEST(HostInstance, ARelayNeverSendsARequestTwiceOnceGreeted) {
    host_world world;
    stand_in_owner dying(world);
    host_process host(world);
    int const connection = dying.accept_one();
    ASSERT_GE(connection, 0) << host.stderr_text();
    ASSERT_EQ(::send(connection, "\0\0\0\0", 4, MSG_NOSIGNAL), 4); // the greeting: an empty frame
    host.send({{"jsonrpc", "2.0"}, {"id", 8}, {"method", "torrent.list"}});
    ASSERT_TRUE(readable_within(connection, 10s));
    char request[256];
    EXPECT_GT(::recv(connection, request, sizeof request, 0), 0);
    dying.leave();
    ::close(connection);
    dying.release_lock();

    EXPECT_EQ(host.wait_exit(), 1);
    EXPECT_TRUE(host.stdout_ends()) << "nothing on stdout: no answer was made up, none came from elsewhere";
    EXPECT_NE(host.stderr_text().find("the session owner went away"), std::string::npos)
        << host.stderr_text();
    EXPECT_FALSE(std::filesystem::exists(world.socket_file())) << "no second owner was started to ask again";
}

// The socket lives in a 0700 directory, but a permission slip (or a shared runtime directory) must not let
// another user into the session: the owner checks the peer's uid and closes such a connection unread and
// unanswered, logs it, and goes on serving its own user.
TEST(HostInstance, AnotherUsersProcessIsRefusedAtTheSocket) {
    if (::geteuid() != 0) {
        GTEST_SKIP() << "acting as another user (uid 65534) needs root; running as uid " << ::geteuid();
    }
    host_world world;
    host_process host(world);
    auto const owner = instance_of(host)["pid"];
    ASSERT_TRUE(owner.is_number());

    // Open the way to the socket, so that only the owner's own check stands between it and user 65534.
    auto const run = world.runtime_dir().parent_path();
    for (auto const& dir : {run.parent_path(), run, world.runtime_dir()}) {
        ASSERT_EQ(::chmod(dir.c_str(), 0711), 0) << dir;
    }
    ASSERT_EQ(::chmod(world.socket_file().c_str(), 0666), 0);

    // Everything the child needs is made before fork(): after it, only async-signal-safe calls.
    auto const addr = address_of(world.socket_file());
    std::string const hello = R"({"jsonrpc":"2.0","id":1,"method":"host.hello"})";
    std::string frame(4, '\0');
    auto const length = static_cast<std::uint32_t>(hello.size());
    std::memcpy(frame.data(), &length, 4);
    frame += hello;
    enum : int { closed_unanswered = 0, answered = 1, kept_open = 2, not_connected = 3, not_nobody = 4 };
    pid_t const child = ::fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
        if (::setgroups(0, nullptr) != 0 || ::setgid(65534) != 0 || ::setuid(65534) != 0) {
            ::_exit(not_nobody);
        }
        int const fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
        if (::connect(fd, reinterpret_cast<sockaddr const*>(&addr), sizeof addr) != 0) {
            ::_exit(not_connected);
        }
        [[maybe_unused]] auto sent = ::send(fd, frame.data(), frame.size(), MSG_NOSIGNAL);
        pollfd p{fd, POLLIN, 0};
        if (::poll(&p, 1, 5000) <= 0) {
            ::_exit(kept_open);
        }
        char byte;
        ::_exit(::recv(fd, &byte, 1, 0) > 0 ? answered : closed_unanswered);
    }
    int status = 0;
    ASSERT_EQ(::waitpid(child, &status, 0), child);
    ASSERT_TRUE(WIFEXITED(status));
    EXPECT_EQ(WEXITSTATUS(status), closed_unanswered)
        << "0 closed unanswered, 1 answered, 2 kept open, 3 could not connect, 4 could not become uid 65534";
    ::chmod(world.runtime_dir().c_str(), 0700);

    auto const deadline = std::chrono::steady_clock::now() + 5s;
    std::string log;
    while ((log = read_file(world.data_dir() / "logs" / "host.log"))
                   .find("refused a connection from another user") == std::string::npos &&
           std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(20ms);
    }
    EXPECT_NE(log.find("refused a connection from another user (uid 65534"), std::string::npos) << log;
    // The owner's own user is still served, by the same owner, with one client: the refused one never was.
    auto const after = instance_of(host);
    EXPECT_EQ(after["pid"], owner);
    EXPECT_EQ(after["clients"], 1);
}

} // namespace
} // namespace sluice::testing
