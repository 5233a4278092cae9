#include "host_process.hpp"

#include <boost/process/child.hpp>
#include <boost/process/env.hpp>
#include <boost/process/io.hpp>
#include <gtest/gtest.h>

#include <fstream>
#include <signal.h>

namespace sluice::testing {
namespace {

using nlohmann::json;

std::string read_file(std::filesystem::path const& p) {
    std::ifstream in(p);
    return {std::istreambuf_iterator<char>(in), {}};
}

long owner_of(host_process& host) {
    return host.call("host.hello")["result"]["instance"]["pid"].get<long>();
}

TEST(HostLifecycle, SigtermStopsARelayCleanly) {
    host_world world;
    host_process host(world);
    auto const owner = owner_of(host);
    host.signal(SIGTERM);
    EXPECT_EQ(host.wait_exit(), 0);
    EXPECT_TRUE(host.stdout_ends());
    EXPECT_TRUE(host_world::wait_for_exit(owner, 5s)) << "the owner outlived its only client";
}

TEST(HostLifecycle, SigintStopsARelayCleanly) {
    host_world world;
    host_process host(world);
    owner_of(host);
    host.signal(SIGINT);
    EXPECT_EQ(host.wait_exit(), 0);
}

TEST(HostLifecycle, SigtermStopsTheOwnerWhichSavesAndTellsItsClients) {
    host_world world;
    host_process first(world);
    host_process second(world);
    auto const owner = owner_of(first);
    owner_of(second);
    std::filesystem::remove(world.data_dir() / "session.state");
    ::kill(static_cast<pid_t>(owner), SIGTERM);
    EXPECT_TRUE(host_world::wait_for_exit(owner, 5s));
    EXPECT_TRUE(std::filesystem::exists(world.data_dir() / "session.state"));
    EXPECT_FALSE(std::filesystem::exists(world.socket_file()));
    EXPECT_TRUE(first.wait_exit().has_value());
    EXPECT_TRUE(second.wait_exit().has_value());
}

TEST(HostLifecycle, EofEndsTheRelayAndThenTheOwner) {
    host_world world;
    host_process host(world);
    auto const owner = owner_of(host);
    host.close_stdin();
    EXPECT_EQ(host.wait_exit(), 0);
    EXPECT_TRUE(host_world::wait_for_exit(owner, 5s));
    auto const log = read_file(world.data_dir() / "logs" / "host.log");
    EXPECT_NE(log.find("the last client detached"), std::string::npos) << log;
    EXPECT_NE(log.find("stopped"), std::string::npos);
}

TEST(HostLifecycle, OwnerWithoutClientsGivesUp) {
    host_world world(R"({"idleExitSeconds":1})");
    namespace bp = boost::process;
    bp::child launcher(SLUICE_HOST_PATH, "--serve", bp::std_in<bp::null, bp::std_out> bp::null,
                       bp::std_err > bp::null, world.environment());
    launcher.wait();
    EXPECT_EQ(launcher.exit_code(), 0);
    ASSERT_TRUE(std::filesystem::exists(world.socket_file()));
    auto const deadline = std::chrono::steady_clock::now() + 5s;
    while (std::filesystem::exists(world.socket_file()) && std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(20ms);
    }
    EXPECT_FALSE(std::filesystem::exists(world.socket_file()));
    EXPECT_NE(read_file(world.data_dir() / "logs" / "host.log").find("no client attached"),
              std::string::npos);
}

TEST(HostLifecycle, RefusesACallerThatIsNotOurExtension) {
    host_world world;
    host_process host(world, {"chrome-extension://abcdefghijklmnopabcdefghijklmnop/"});
    EXPECT_EQ(host.wait_exit(), 2);
    EXPECT_TRUE(host.stdout_ends()) << "a refused caller must get nothing on stdout";
    EXPECT_NE(host.stderr_text().find("refusing caller"), std::string::npos);
    EXPECT_NE(read_file(world.data_dir() / "logs" / "relay.log").find("refusing caller"), std::string::npos);
    EXPECT_FALSE(std::filesystem::exists(world.socket_file())) << "no session for a refused caller";
}

TEST(HostLifecycle, RefusesAnotherFirefoxAddon) {
    host_world world;
    host_process host(world, {"/tmp/org.sluice.host.json", "someone-else@example.com"});
    EXPECT_EQ(host.wait_exit(), 2);
}

TEST(HostLifecycle, AcceptsOurExtensionFromEitherBrowser) {
    host_world world;
    host_process chrome(world, {"chrome-extension://ljkaphncpbkfgfeoncgogkmhcmcompjk/"});
    host_process firefox(world, {"/tmp/org.sluice.host.json", "sluice@sluice-project.org"});
    EXPECT_TRUE(chrome.call("host.hello").contains("result"));
    EXPECT_TRUE(firefox.call("host.hello").contains("result"));
}

TEST(HostLifecycle, VersionFlagWritesNothingToStdout) {
    host_world world;
    host_process host(world, {"--version"});
    EXPECT_EQ(host.wait_exit(), 0);
    EXPECT_TRUE(host.stdout_ends());
    EXPECT_NE(host.stderr_text().find("sluice-host 0."), std::string::npos);
}

} // namespace
} // namespace sluice::testing
