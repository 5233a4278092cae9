#include "host_process.hpp"

#include <gtest/gtest.h>

#include <memory>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

namespace sluice::testing {
namespace {

using nlohmann::json;

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

} // namespace
} // namespace sluice::testing
