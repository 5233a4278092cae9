#include "file_helpers.hpp"
#include "host_process.hpp"

#include <boost/process/child.hpp>
#include <boost/process/env.hpp>
#include <boost/process/io.hpp>
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <memory>
#include <set>
#include <signal.h>

namespace sluice::testing {
namespace {

using nlohmann::json;

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

// What a browser does when the extension asks the host something again and again (each question a new
// host process, as runtime.sendNativeMessage does): start a relay, send host.hello, read the answer, close
// stdin, and start the next one without waiting for the last to exit. The next relay then often arrives
// just as the owner, whose last client has gone, is leaving. Not one start may fail.
TEST(HostLifecycle, ThousandBackToBackStartsAllAnswer) {
    host_world world;
    constexpr int starts = 1000;
    int failures = 0;
    std::string first_failure;
    auto fail = [&](int i, std::string const& what) {
        if (failures++ == 0) {
            first_failure = "start " + std::to_string(i) + ": " + what;
        }
    };
    std::set<long> owner_pids;
    long last_owner = 0;
    std::unique_ptr<host_process> previous;
    int previous_index = -1;
    auto const began = std::chrono::steady_clock::now();
    for (int i = 0; i < starts; ++i) {
        auto host = std::make_unique<host_process>(world);
        // The last relay lets go 0 to 30 ms after this one starts, about the time a relay takes to reach the
        // socket: so this one connects before the owner decides to leave, after it has gone, and, now and
        // then, in the very moment it leaves.
        if (previous) {
            std::this_thread::sleep_for(std::chrono::milliseconds(i % 16 * 2));
            previous->close_stdin();
        }
        host->send({{"jsonrpc", "2.0"}, {"id", i}, {"method", "host.hello"}});
        auto const reply = host->read_message(30s);
        if (reply && reply->value("id", -1) == i && reply->contains("result")) {
            last_owner = (*reply)["result"]["instance"]["pid"].get<long>();
            owner_pids.insert(last_owner);
        } else {
            fail(i, (reply ? reply->dump() : "no reply") + "; stderr: " + host->stderr_text());
        }
        if (previous) {
            auto const code = previous->wait_exit(30s);
            if (code != 0) {
                fail(previous_index, "exit " + (code ? std::to_string(*code) : "none") +
                                         "; stderr: " + previous->stderr_text());
            }
        }
        previous = std::move(host);
        previous_index = i;
    }
    previous->close_stdin();
    EXPECT_EQ(previous->wait_exit(30s), 0) << previous->stderr_text();
    previous.reset();
    auto const took =
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - began);
    // Only the last owner can still be running; waiting for a thousand old pids at teardown would risk
    // meeting one the system has given to another process since.
    world.owners.clear();
    if (last_owner != 0) {
        world.owners.push_back(last_owner);
    }
    // The two moments a start can meet a leaving owner: its connection closed ungreeted (the relay goes to
    // the next owner), or the socket already gone and the lock still held (the next owner waits for it).
    auto const relay_log = read_file(world.data_dir() / "logs" / "relay.log");
    auto const host_logs = read_file(world.data_dir() / "logs" / "host.log.1") +
                           read_file(world.data_dir() / "logs" / "host.log");
    auto const count = [](std::string const& text, std::string const& what) {
        std::size_t n = 0;
        for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) {
            ++n;
        }
        return n;
    };
    auto const closed_ungreeted = count(relay_log, "was leaving when we connected");
    auto const waited_for_lock = count(host_logs, "ms for the owner before");
    std::printf("%d starts in %lld ms; %zu owners; a leaving owner met %zu times by a connection, %zu times "
                "(at least) by the next owner's lock\n",
                starts, static_cast<long long>(took.count()), owner_pids.size(), closed_ungreeted,
                waited_for_lock);
    EXPECT_GT(closed_ungreeted + waited_for_lock, 0u) << "the starts never met an owner that was leaving";
    EXPECT_EQ(failures, 0) << first_failure;
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
