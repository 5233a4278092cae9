// sluice-host install / uninstall / doctor, run as a person runs them, into a temporary HOME and a
// temporary root; the manifests they write must lead a browser to a host that answers host.hello.
#include "child_wait.hpp"
#include "file_helpers.hpp"
#include "host_process.hpp"
#include "run_result.hpp"

#include <boost/process/args.hpp>
#include <boost/process/env.hpp>
#include <boost/process/io.hpp>
#include <gtest/gtest.h>

#include <fstream>

namespace sluice::testing {
namespace {

namespace bp = boost::process;
namespace fs = std::filesystem;
using nlohmann::json;

class Install : public ::testing::Test {
protected:
    void SetUp() override { fs::create_directories(home()); }

    fs::path home() const { return dir_ / "home"; }
    fs::path root() const { return dir_ / "root"; }

    run_result run(std::vector<std::string> const& args) {
        auto env = boost::this_process::environment();
        bp::environment e = env;
        e["HOME"] = home().string();
        e["XDG_CONFIG_HOME"] = (home() / ".config").string();
        e["XDG_DATA_HOME"] = (home() / ".local/share").string();
        auto const out = dir_ / "out.txt";
        auto const err = dir_ / "err.txt";
        bp::child child(SLUICE_HOST_PATH, bp::args(args), bp::std_out > out.string(),
                        bp::std_err > err.string(), bp::std_in < bp::null, e);
        if (!wait_for_child(child, 30s)) {
            child.terminate();
            ADD_FAILURE() << "sluice-host " << args.at(0) << " did not finish";
        }
        return {child.exit_code(), read_file(out), read_file(err)};
    }

    // Starts the binary a manifest names the way its browser would, and asks it host.hello.
    void expect_answers_hello(fs::path const& manifest_file) {
        SCOPED_TRACE(manifest_file.string());
        auto const m = json::parse(read_file(manifest_file));
        fs::path const binary = m.at("path").get<std::string>();
        ASSERT_TRUE(binary.is_absolute());
        EXPECT_EQ(fs::canonical(binary), fs::canonical(SLUICE_HOST_PATH));
        std::vector<std::string> args;
        if (m.contains("allowed_origins")) {
            ASSERT_EQ(m.at("allowed_origins"),
                      json::parse(R"(["chrome-extension://ljkaphncpbkfgfeoncgogkmhcmcompjk/"])"));
            args = {m.at("allowed_origins").at(0).get<std::string>()};
        } else {
            ASSERT_EQ(m.at("allowed_extensions"), json::parse(R"(["sluice@sluice-project.org"])"));
            args = {manifest_file.string(), m.at("allowed_extensions").at(0).get<std::string>()};
        }
        host_world world;
        host_process host(world, args);
        auto const hello = host.call("host.hello", {{"protocolVersion", 1}});
        ASSERT_TRUE(hello.contains("result")) << hello.dump();
        world.owners.push_back(hello.at("result").at("instance").at("pid").get<long>());
        EXPECT_EQ(hello.at("result").at("protocolVersion"), 1);
        host.close_stdin();
        EXPECT_EQ(host.wait_exit(), 0);
    }

    sandbox_dir dir_;
};

TEST_F(Install, UserInstallForEveryBrowserAnswersHelloAndUninstallsCleanly) {
    auto const before = tree_snapshot(home());
    auto const first = run({"install", "--user", "--browser", "all"});
    ASSERT_EQ(first.exit_code, 0) << first;
    // stdout is the native-messaging channel, even when a person runs the binary.
    EXPECT_EQ(first.out, "");
    std::vector<fs::path> manifests;
    for (auto const& e : fs::recursive_directory_iterator(home())) {
        if (e.path().filename() == "org.sluice.host.json") {
            manifests.push_back(e.path());
        }
    }
    // chrome (shared with Opera), chromium, brave, edge, vivaldi, firefox, librewolf, waterfox.
    EXPECT_EQ(manifests.size(), 8u) << first;
    for (auto const* where :
         {".config/google-chrome/NativeMessagingHosts", ".config/chromium/NativeMessagingHosts",
          ".config/BraveSoftware/Brave-Browser/NativeMessagingHosts",
          ".config/microsoft-edge/NativeMessagingHosts", ".config/vivaldi/NativeMessagingHosts",
          ".mozilla/native-messaging-hosts", ".librewolf/native-messaging-hosts",
          ".waterfox/native-messaging-hosts"}) {
        EXPECT_TRUE(fs::exists(home() / where / "org.sluice.host.json")) << where;
    }
    expect_answers_hello(home() / ".config/chromium/NativeMessagingHosts/org.sluice.host.json");
    expect_answers_hello(home() / ".mozilla/native-messaging-hosts/org.sluice.host.json");

    auto const installed = tree_snapshot(home());
    auto const second = run({"install", "--user", "--browser", "all"});
    ASSERT_EQ(second.exit_code, 0) << second;
    EXPECT_NE(second.err.find("already registered for Chromium"), std::string::npos) << second;
    EXPECT_EQ(tree_snapshot(home()), installed);

    auto const doctor = run({"doctor"});
    EXPECT_EQ(doctor.exit_code, 0) << doctor;
    EXPECT_EQ(doctor.out, "");
    EXPECT_NE(doctor.err.find("ok: runs " + fs::canonical(SLUICE_HOST_PATH).string()), std::string::npos)
        << doctor;

    auto const removed = run({"uninstall", "--user"});
    ASSERT_EQ(removed.exit_code, 0) << removed;
    EXPECT_EQ(tree_snapshot(home()), before) << removed;
}

TEST_F(Install, SystemInstallUnderARootNamesTheInstalledPath) {
    fs::create_directories(root());
    auto const r =
        run({"install", "--system", "--root", root().string(), "--host-path", "/usr/bin/sluice-host"});
    ASSERT_EQ(r.exit_code, 0) << r;
    for (auto const* file : {"etc/chromium/native-messaging-hosts/org.sluice.host.json",
                             "etc/opt/chrome/native-messaging-hosts/org.sluice.host.json",
                             "etc/opt/edge/native-messaging-hosts/org.sluice.host.json",
                             "usr/lib/mozilla/native-messaging-hosts/org.sluice.host.json"}) {
        EXPECT_EQ(json::parse(read_file(root() / file)).at("path"), "/usr/bin/sluice-host") << file;
        EXPECT_EQ(fs::status(root() / file).permissions() & fs::perms::others_read, fs::perms::others_read);
    }
    EXPECT_FALSE(fs::exists(home() / ".config"));
    ASSERT_EQ(run({"uninstall", "--system", "--root", root().string()}).exit_code, 0);
    EXPECT_TRUE(fs::is_empty(root())) << tree_snapshot(root()).begin()->first;
}

TEST_F(Install, DoctorNamesEachBrokenManifestAndItsFix) {
    ASSERT_EQ(
        run({"install", "--browser", "chromium", "--browser", "firefox", "--browser", "edge"}).exit_code, 0);
    auto const chromium = home() / ".config/chromium/NativeMessagingHosts/org.sluice.host.json";
    auto m = json::parse(read_file(chromium));
    m["path"] = (dir_ / "moved/sluice-host").string();
    std::ofstream(chromium) << m.dump();
    auto const firefox = home() / ".mozilla/native-messaging-hosts/org.sluice.host.json";
    m = json::parse(read_file(firefox));
    m["allowed_extensions"] = json::array({"someone@example.org"});
    std::ofstream(firefox) << m.dump();
    auto const edge = home() / ".config/microsoft-edge/NativeMessagingHosts/org.sluice.host.json";
    auto const not_executable = dir_ / "sluice-host-copy";
    fs::copy_file(SLUICE_HOST_PATH, not_executable);
    fs::permissions(not_executable, fs::perms::owner_read | fs::perms::owner_write);
    m = json::parse(read_file(edge));
    m["path"] = not_executable.string();
    std::ofstream(edge) << m.dump();

    auto const r = run({"doctor"});
    EXPECT_EQ(r.exit_code, 1) << r;
    EXPECT_NE(
        r.err.find("problem: its \"path\" " + (dir_ / "moved/sluice-host").string() + " does not exist"),
        std::string::npos)
        << r;
    EXPECT_NE(r.err.find("-> fix " + chromium.string() + ": sluice-host install --user --browser chromium"),
              std::string::npos)
        << r;
    EXPECT_NE(r.err.find("problem: its \"allowed_extensions\" is [\"someone@example.org\"]"),
              std::string::npos)
        << r;
    EXPECT_NE(r.err.find("sluice-host install --user --browser firefox"), std::string::npos) << r;
    EXPECT_NE(r.err.find(not_executable.string() + " is not an executable file"), std::string::npos) << r;

    auto const j = json::parse(run({"doctor", "--json"}).err);
    EXPECT_FALSE(j.at("healthy").get<bool>());

    // The fix the doctor gave works.
    ASSERT_EQ(run({"install", "--user", "--browser", "chromium", "--browser", "firefox", "--browser", "edge"})
                  .exit_code,
              0);
    auto const after = run({"doctor"});
    EXPECT_EQ(after.exit_code, 0) << after;
}

TEST_F(Install, BadArgumentsAreRefusedInWords) {
    auto const unknown = run({"install", "--browser", "mosaic"});
    EXPECT_EQ(unknown.exit_code, 2);
    EXPECT_NE(unknown.err.find("unknown browser \"mosaic\""), std::string::npos) << unknown;
    auto const relative = run({"install", "--system", "--root", "relative/dir"});
    EXPECT_EQ(relative.exit_code, 2);
    EXPECT_NE(relative.err.find("--root must be an absolute path"), std::string::npos) << relative;
    EXPECT_EQ(run({"uninstall", "--browser", "chrome"}).exit_code, 2);
    EXPECT_TRUE(fs::is_empty(home()));
}

} // namespace
} // namespace sluice::testing
