#include "file_helpers.hpp"
#include "install/host_manifest.hpp"
#include "install/installer.hpp"
#include "memory_registry.hpp"
#include "sandbox_dir.hpp"

#include <gtest/gtest.h>

#include <map>

namespace sluice::install {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using testing::sandbox_dir;

using testing::read_file;
using testing::tree_snapshot;
using testing::write_file;

class Installer : public ::testing::Test {
protected:
    install_env env() const {
        return {.os = desktop::gnu_linux,
                .home = dir_ / "home",
                .config_home = dir_ / "home" / ".config",
                .data_home = dir_ / "home" / ".local" / "share",
                .root = dir_ / "root",
                .host_binary = "/opt/sluice/bin/sluice-host"};
    }
    std::vector<browser const*> named(std::vector<std::string> const& names) const {
        std::string error;
        auto out = select_browsers(env(), scope::user, names, error);
        EXPECT_EQ(error, "");
        return out;
    }
    fs::path chromium_manifest() const {
        return dir_ / "home/.config/chromium/NativeMessagingHosts/org.sluice.host.json";
    }
    fs::path firefox_manifest() const {
        return dir_ / "home/.mozilla/native-messaging-hosts/org.sluice.host.json";
    }

    sandbox_dir dir_;
};

TEST_F(Installer, WritesOneValidManifestPerBrowserWhereItLooks) {
    fs::create_directories(dir_ / "home");
    auto const r = install(env(), scope::user, named({"chromium", "firefox"}), nullptr);
    ASSERT_TRUE(r.ok()) << r.errors.front();
    EXPECT_EQ(r.done.size(), 2u);
    auto const chromium = json::parse(read_file(chromium_manifest()));
    EXPECT_EQ(chromium.at("path"), "/opt/sluice/bin/sluice-host");
    EXPECT_EQ(chromium.at("allowed_origins"),
              json::parse(R"(["chrome-extension://ljkaphncpbkfgfeoncgogkmhcmcompjk/"])"));
    auto const firefox = json::parse(read_file(firefox_manifest()));
    EXPECT_EQ(firefox.at("allowed_extensions"), json::parse(R"(["sluice@sluice-project.org"])"));
    EXPECT_EQ(fs::status(chromium_manifest()).permissions() & fs::perms::all,
              fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read |
                  fs::perms::others_read);
    EXPECT_TRUE(fs::exists(dir_ / "home/.local/share/sluice/native-messaging-install.json"));
}

TEST_F(Installer, InstallingTwiceChangesNothing) {
    fs::create_directories(dir_ / "home");
    ASSERT_TRUE(install(env(), scope::user, named({"chromium"}), nullptr).ok());
    auto const before = tree_snapshot(dir_.path());
    auto const again = install(env(), scope::user, named({"chromium"}), nullptr);
    ASSERT_TRUE(again.ok());
    ASSERT_EQ(again.done.size(), 1u);
    EXPECT_EQ(again.done[0].rfind("already registered for Chromium", 0), 0u) << again.done[0];
    EXPECT_EQ(tree_snapshot(dir_.path()), before);
}

TEST_F(Installer, UninstallRemovesExactlyWhatInstallMade) {
    // A browser folder that existed before, with another program's manifest in it.
    write_file(dir_ / "home/.config/chromium/NativeMessagingHosts/com.other.host.json",
               R"({"name":"com.other.host"})");
    write_file(dir_ / "home/.local/share/sluice/config.json", "{}");
    auto const before = tree_snapshot(dir_.path());
    ASSERT_TRUE(install(env(), scope::user, named({"chromium", "firefox", "brave"}), nullptr).ok());
    ASSERT_TRUE(install(env(), scope::user, named({"chromium", "firefox", "brave"}), nullptr).ok());
    EXPECT_NE(tree_snapshot(dir_.path()), before);
    auto const r = uninstall(env(), scope::user, nullptr);
    ASSERT_TRUE(r.ok()) << r.errors.front();
    EXPECT_EQ(r.done.size(), 3u);
    EXPECT_EQ(tree_snapshot(dir_.path()), before);
}

TEST_F(Installer, UninstallLeavesAFileThatIsNoLongerOurs) {
    fs::create_directories(dir_ / "home");
    ASSERT_TRUE(install(env(), scope::user, named({"chromium"}), nullptr).ok());
    write_file(chromium_manifest(), R"({"name":"com.someone.else"})");
    auto const r = uninstall(env(), scope::user, nullptr);
    ASSERT_TRUE(r.ok());
    EXPECT_TRUE(fs::exists(chromium_manifest()));
    EXPECT_NE(r.done.at(0).find("no longer Sluice's"), std::string::npos) << r.done.at(0);
}

TEST_F(Installer, RewritesAManifestWhenTheBinaryMoved) {
    fs::create_directories(dir_ / "home");
    ASSERT_TRUE(install(env(), scope::user, named({"chromium"}), nullptr).ok());
    auto moved = env();
    moved.host_binary = "/usr/bin/sluice-host";
    // No --browser: Chromium is chosen because it is already registered, even with no sign of the browser.
    std::string error;
    auto const wanted = select_browsers(moved, scope::user, {}, error);
    ASSERT_EQ(wanted.size(), 1u);
    EXPECT_EQ(wanted[0]->key, "chromium");
    ASSERT_TRUE(install(moved, scope::user, wanted, nullptr).ok());
    EXPECT_EQ(json::parse(read_file(chromium_manifest())).at("path"), "/usr/bin/sluice-host");
}

TEST_F(Installer, ByDefaultChoosesTheBrowsersFoundAndRefusesUnknownNames) {
    write_file(dir_ / "home/.config/vivaldi/Local State", "{}");
    fs::create_directories(dir_ /
                           "home/.config/chromium/NativeMessagingHosts"); // made by an installer: no sign
    fs::create_directories(dir_ / "bin");
    write_file(dir_ / "bin/firefox-esr", "#!/bin/sh\n");
    fs::permissions(dir_ / "bin/firefox-esr", fs::perms::owner_all);
    write_file(dir_ / "bin/google-chrome", "not executable");
    auto e = env();
    e.path_dirs = {dir_ / "bin"};
    std::string error;
    std::vector<std::string_view> keys;
    for (auto const* b : select_browsers(e, scope::user, {}, error)) {
        keys.push_back(b->key);
    }
    EXPECT_EQ(keys, (std::vector<std::string_view>{"vivaldi", "firefox"}));
    EXPECT_EQ(select_browsers(e, scope::system, {}, error).size(), browsers().size());
    EXPECT_EQ(select_browsers(e, scope::user, {"all"}, error).size(), browsers().size());
    EXPECT_TRUE(select_browsers(e, scope::user, {"chrome", "mosaic"}, error).empty());
    EXPECT_NE(error.find("unknown browser \"mosaic\""), std::string::npos) << error;
}

TEST_F(Installer, SystemInstallUnderARootAndBack) {
    fs::create_directories(dir_ / "root/etc");
    auto const before = tree_snapshot(dir_.path());
    std::string error;
    auto const r = install(env(), scope::system, select_browsers(env(), scope::system, {}, error), nullptr);
    ASSERT_TRUE(r.ok()) << r.errors.front();
    for (auto const* file : {"etc/chromium/native-messaging-hosts/org.sluice.host.json",
                             "etc/opt/chrome/native-messaging-hosts/org.sluice.host.json",
                             "etc/opt/edge/native-messaging-hosts/org.sluice.host.json",
                             "usr/lib/mozilla/native-messaging-hosts/org.sluice.host.json"}) {
        EXPECT_EQ(json::parse(read_file(dir_ / "root" / file)).at("path"), "/opt/sluice/bin/sluice-host")
            << file;
    }
    EXPECT_TRUE(fs::exists(dir_ / "root/var/lib/sluice/native-messaging-install.json"));
    EXPECT_FALSE(fs::exists(dir_ / "home"));
    ASSERT_TRUE(uninstall(env(), scope::system, nullptr).ok());
    EXPECT_EQ(tree_snapshot(dir_.path()), before);
}

TEST_F(Installer, RefusesARelativeBinary) {
    auto e = env();
    e.host_binary = "sluice-host";
    EXPECT_FALSE(install(e, scope::user, named({"chromium"}), nullptr).ok());
    EXPECT_FALSE(fs::exists(chromium_manifest()));
}

// Windows: the manifests live beside the binary and registry keys name them (HKLM for --system).
TEST_F(Installer, WindowsWritesKeysNamingTheManifestBesideTheBinary) {
    testing::memory_registry reg;
    auto e = env();
    e.os = desktop::windows;
    e.host_binary = dir_ / "Sluice" / "sluice-host.exe";
    fs::create_directories(dir_ / "Sluice");
    std::string error;
    auto const r =
        install(e, scope::system, select_browsers(e, scope::system, {"chrome", "firefox"}, error), &reg);
    ASSERT_TRUE(r.ok()) << r.errors.front();
    auto const chromium_file = (dir_ / "Sluice" / "org.sluice.host.chromium.json").string();
    auto const firefox_file = (dir_ / "Sluice" / "org.sluice.host.firefox.json").string();
    EXPECT_EQ(reg.values,
              (std::map<std::string, std::string>{
                  {"HKLM\\Software\\Google\\Chrome\\NativeMessagingHosts\\org.sluice.host", chromium_file},
                  {"HKLM\\Software\\Mozilla\\NativeMessagingHosts\\org.sluice.host", firefox_file},
              }));
    EXPECT_EQ(json::parse(read_file(chromium_file)).at("path"), e.host_binary.string());
    EXPECT_TRUE(json::parse(read_file(firefox_file)).contains("allowed_extensions"));

    // A key another installer has taken over since is left alone.
    reg.values["HKLM\\Software\\Mozilla\\NativeMessagingHosts\\org.sluice.host"] = "C:\\elsewhere.json";
    ASSERT_TRUE(uninstall(e, scope::system, &reg).ok());
    EXPECT_EQ(reg.values,
              (std::map<std::string, std::string>{
                  {"HKLM\\Software\\Mozilla\\NativeMessagingHosts\\org.sluice.host", "C:\\elsewhere.json"}}));
    EXPECT_FALSE(fs::exists(chromium_file));
    EXPECT_FALSE(fs::exists(firefox_file));
    EXPECT_TRUE(fs::is_empty(dir_ / "Sluice"));
}

} // namespace
} // namespace sluice::install
