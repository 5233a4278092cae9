// The browser x OS table, checked against the folders and keys each browser documents or was seen reading.
// Literal paths on purpose: a test computing them the way the code does would agree with any mistake.
#include "install/host_manifest.hpp"
#include "install/manifest_targets.hpp"

#include <gtest/gtest.h>

#include <map>
#include <set>

namespace sluice::install {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

install_env linux_env() {
    return {.os = desktop::gnu_linux,
            .home = "/home/ada",
            .config_home = "/home/ada/.config",
            .data_home = "/home/ada/.local/share",
            .root = "/",
            .host_binary = "/usr/bin/sluice-host"};
}

std::vector<browser const*> just(std::string_view key) {
    auto const* b = find_browser(key);
    EXPECT_NE(b, nullptr) << key;
    return {b};
}

std::vector<browser const*> all_browsers() {
    std::vector<browser const*> out;
    for (auto const& b : browsers()) {
        out.push_back(&b);
    }
    return out;
}

std::string only_file(install_env const& env, scope s, std::string_view key) {
    auto const t = plan_targets(env, s, just(key));
    EXPECT_EQ(t.size(), 1u) << key;
    return t.empty() ? "" : t.front().manifest_file.string();
}

TEST(BrowserTable, HasEveryBrowserTheInstallerPromises) {
    for (auto const* key :
         {"chrome", "chromium", "brave", "edge", "vivaldi", "opera", "firefox", "librewolf", "waterfox"}) {
        EXPECT_NE(find_browser(key), nullptr) << key;
    }
    EXPECT_EQ(find_browser("netscape"), nullptr);
    EXPECT_EQ(find_browser("firefox")->kind, family::firefox);
    EXPECT_EQ(find_browser("opera")->kind, family::chromium);
}

TEST(ManifestTargets, LinuxUserFoldersFollowTheConfigHome) {
    auto env = linux_env();
    EXPECT_EQ(only_file(env, scope::user, "chrome"),
              "/home/ada/.config/google-chrome/NativeMessagingHosts/org.sluice.host.json");
    EXPECT_EQ(only_file(env, scope::user, "chromium"),
              "/home/ada/.config/chromium/NativeMessagingHosts/org.sluice.host.json");
    EXPECT_EQ(only_file(env, scope::user, "brave"),
              "/home/ada/.config/BraveSoftware/Brave-Browser/NativeMessagingHosts/org.sluice.host.json");
    EXPECT_EQ(only_file(env, scope::user, "edge"),
              "/home/ada/.config/microsoft-edge/NativeMessagingHosts/org.sluice.host.json");
    EXPECT_EQ(only_file(env, scope::user, "vivaldi"),
              "/home/ada/.config/vivaldi/NativeMessagingHosts/org.sluice.host.json");
    // Opera reads Chrome's folder whatever profile it runs.
    EXPECT_EQ(only_file(env, scope::user, "opera"),
              "/home/ada/.config/google-chrome/NativeMessagingHosts/org.sluice.host.json");
    EXPECT_EQ(only_file(env, scope::user, "firefox"),
              "/home/ada/.mozilla/native-messaging-hosts/org.sluice.host.json");
    EXPECT_EQ(only_file(env, scope::user, "librewolf"),
              "/home/ada/.librewolf/native-messaging-hosts/org.sluice.host.json");
    EXPECT_EQ(only_file(env, scope::user, "waterfox"),
              "/home/ada/.waterfox/native-messaging-hosts/org.sluice.host.json");

    env.config_home = "/srv/xdg";
    EXPECT_EQ(only_file(env, scope::user, "chromium"),
              "/srv/xdg/chromium/NativeMessagingHosts/org.sluice.host.json");
    EXPECT_EQ(only_file(env, scope::user, "firefox"),
              "/home/ada/.mozilla/native-messaging-hosts/org.sluice.host.json");
}

TEST(ManifestTargets, LinuxSystemFoldersGoUnderTheRoot) {
    auto env = linux_env();
    env.root = "/tmp/stage";
    EXPECT_EQ(only_file(env, scope::system, "chromium"),
              "/tmp/stage/etc/chromium/native-messaging-hosts/org.sluice.host.json");
    EXPECT_EQ(only_file(env, scope::system, "chrome"),
              "/tmp/stage/etc/opt/chrome/native-messaging-hosts/org.sluice.host.json");
    EXPECT_EQ(only_file(env, scope::system, "edge"),
              "/tmp/stage/etc/opt/edge/native-messaging-hosts/org.sluice.host.json");
    auto const firefox = plan_targets(env, scope::system, just("firefox"));
    ASSERT_EQ(firefox.size(), 2u);
    EXPECT_EQ(firefox[0].manifest_file,
              "/tmp/stage/usr/lib/mozilla/native-messaging-hosts/org.sluice.host.json");
    EXPECT_EQ(firefox[1].manifest_file,
              "/tmp/stage/usr/lib64/mozilla/native-messaging-hosts/org.sluice.host.json");

    // Brave, Vivaldi and Opera read Chrome's system folder: one file serves the four of them.
    auto const all = plan_targets(env, scope::system, all_browsers());
    auto const chrome = std::find_if(all.begin(), all.end(), [](target const& t) {
        return t.manifest_file == "/tmp/stage/etc/opt/chrome/native-messaging-hosts/org.sluice.host.json";
    });
    ASSERT_NE(chrome, all.end());
    EXPECT_EQ(chrome->browsers, (std::vector<std::string>{"Google Chrome", "Brave", "Vivaldi", "Opera"}));
    EXPECT_EQ(all.size(), 5u);
}

TEST(ManifestTargets, MacOsUserAndSystemFolders) {
    install_env env{
        .os = desktop::macos, .home = "/Users/ada", .root = "/", .host_binary = "/usr/local/bin/sluice-host"};
    EXPECT_EQ(
        only_file(env, scope::user, "chrome"),
        "/Users/ada/Library/Application Support/Google/Chrome/NativeMessagingHosts/org.sluice.host.json");
    EXPECT_EQ(
        only_file(env, scope::user, "edge"),
        "/Users/ada/Library/Application Support/Microsoft Edge/NativeMessagingHosts/org.sluice.host.json");
    EXPECT_EQ(only_file(env, scope::user, "firefox"),
              "/Users/ada/Library/Application Support/Mozilla/NativeMessagingHosts/org.sluice.host.json");
    EXPECT_EQ(plan_targets(env, scope::user, just("opera")).size(), 2u);
    EXPECT_EQ(only_file(env, scope::system, "chrome"),
              "/Library/Google/Chrome/NativeMessagingHosts/org.sluice.host.json");
    EXPECT_EQ(only_file(env, scope::system, "chromium"),
              "/Library/Application Support/Chromium/NativeMessagingHosts/org.sluice.host.json");
    EXPECT_EQ(only_file(env, scope::system, "edge"),
              "/Library/Microsoft/Edge/NativeMessagingHosts/org.sluice.host.json");
    EXPECT_EQ(only_file(env, scope::system, "firefox"),
              "/Library/Application Support/Mozilla/NativeMessagingHosts/org.sluice.host.json");
}

TEST(ManifestTargets, WindowsKeysPointAtAManifestBesideTheBinary) {
    install_env env{.os = desktop::windows, .host_binary = "/opt/Sluice/sluice-host.exe"};
    auto const chrome = plan_targets(env, scope::user, just("chrome"));
    ASSERT_EQ(chrome.size(), 1u);
    EXPECT_EQ(chrome[0].manifest_file, "/opt/Sluice/org.sluice.host.chromium.json");
    ASSERT_TRUE(chrome[0].key);
    EXPECT_EQ(chrome[0].key->display(),
              "HKCU\\Software\\Google\\Chrome\\NativeMessagingHosts\\org.sluice.host");

    auto const firefox = plan_targets(env, scope::system, just("firefox"));
    ASSERT_EQ(firefox.size(), 1u);
    EXPECT_EQ(firefox[0].manifest_file, "/opt/Sluice/org.sluice.host.firefox.json");
    EXPECT_EQ(firefox[0].key->display(), "HKLM\\Software\\Mozilla\\NativeMessagingHosts\\org.sluice.host");

    std::set<std::string> keys;
    for (auto const& t : plan_targets(env, scope::user, all_browsers())) {
        keys.insert(t.key->display());
    }
    EXPECT_EQ(keys, (std::set<std::string>{
                        "HKCU\\Software\\Google\\Chrome\\NativeMessagingHosts\\org.sluice.host",
                        "HKCU\\Software\\Chromium\\NativeMessagingHosts\\org.sluice.host",
                        "HKCU\\Software\\BraveSoftware\\Brave-Browser\\NativeMessagingHosts\\org.sluice.host",
                        "HKCU\\Software\\Microsoft\\Edge\\NativeMessagingHosts\\org.sluice.host",
                        "HKCU\\Software\\Vivaldi\\NativeMessagingHosts\\org.sluice.host",
                        "HKCU\\Software\\Mozilla\\NativeMessagingHosts\\org.sluice.host",
                        "HKCU\\Software\\LibreWolf\\NativeMessagingHosts\\org.sluice.host",
                        "HKCU\\Software\\Waterfox\\NativeMessagingHosts\\org.sluice.host",
                    }));
}

// Two browsers of different families sharing a file would each find the other's manifest shape.
TEST(ManifestTargets, NoFileServesBothFamilies) {
    install_env mac{.os = desktop::macos, .home = "/Users/ada", .root = "/", .host_binary = "/x/sluice-host"};
    install_env win{.os = desktop::windows, .host_binary = "/x/sluice-host.exe"};
    for (auto const& env : {linux_env(), mac, win}) {
        for (auto const s : {scope::user, scope::system}) {
            std::map<fs::path, family> seen;
            for (auto const& t : plan_targets(env, s, all_browsers())) {
                auto const [it, inserted] = seen.emplace(t.manifest_file, t.kind);
                EXPECT_EQ(it->second, t.kind) << t.manifest_file;
            }
        }
    }
}

TEST(HostManifest, NamesExactlyOurExtensionPerFamily) {
    auto const chromium = make_manifest(family::chromium, "/usr/bin/sluice-host");
    EXPECT_EQ(chromium, json::parse(R"({"name":"org.sluice.host",
        "description":"Sluice: BitTorrent streaming and bundle unlocks","path":"/usr/bin/sluice-host","type":"stdio",
        "allowed_origins":["chrome-extension://ljkaphncpbkfgfeoncgogkmhcmcompjk/"]})"));
    auto const firefox = make_manifest(family::firefox, "/usr/bin/sluice-host");
    EXPECT_EQ(firefox.at("allowed_extensions"), json::parse(R"(["sluice@sluice-project.org"])"));
    EXPECT_FALSE(firefox.contains("allowed_origins"));
    EXPECT_TRUE(manifest_problems(chromium.dump(), family::chromium).empty());
    EXPECT_TRUE(manifest_problems(firefox.dump(), family::firefox).empty());
}

TEST(HostManifest, ProblemsAreNamedInWords) {
    auto m = make_manifest(family::chromium, "/usr/bin/sluice-host");
    EXPECT_EQ(manifest_problems("{not json", family::chromium).size(), 1u);
    EXPECT_EQ(manifest_problems("[1,2]", family::chromium).size(), 1u);

    auto wrong_id = m;
    wrong_id["allowed_origins"] = json::array({"chrome-extension://aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa/"});
    auto const id = manifest_problems(wrong_id.dump(), family::chromium);
    ASSERT_EQ(id.size(), 1u);
    EXPECT_NE(id[0].find("allowed_origins"), std::string::npos) << id[0];

    auto extra_id = m;
    extra_id["allowed_origins"].push_back("chrome-extension://aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa/");
    EXPECT_EQ(manifest_problems(extra_id.dump(), family::chromium).size(), 1u);

    // A Chromium-shaped manifest where Firefox looks: Firefox would refuse the add-on.
    auto const shape = manifest_problems(m.dump(), family::firefox);
    ASSERT_EQ(shape.size(), 1u);
    EXPECT_NE(shape[0].find("allowed_extensions"), std::string::npos);

    auto relative = m;
    relative["path"] = "sluice-host";
    relative["name"] = "org.other.host";
    EXPECT_EQ(manifest_problems(relative.dump(), family::chromium).size(), 2u);
}

} // namespace
} // namespace sluice::install
