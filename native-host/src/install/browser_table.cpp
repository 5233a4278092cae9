#include "install/browser_table.hpp"

namespace sluice::install {

namespace {

// Sources: the browsers' own documentation where there is one (Chrome, Edge, Firefox, Opera); Chromium's
// chrome_paths for the user-data-dir rule; Brave, Vivaldi and Opera on Linux read Chrome's system folder
// (Opera also Chrome's user folder, whatever profile it runs). docs/install.md gives the table in prose.
std::vector<browser> const table = {
    {.key = "chrome",
     .name = "Google Chrome",
     .kind = family::chromium,
     .gnu_linux = {.user_dirs = {"$CONFIG/google-chrome/NativeMessagingHosts"},
                   .system_dirs = {"/etc/opt/chrome/native-messaging-hosts"},
                   .found_if = {"$CONFIG/google-chrome/Local State", "/opt/google/chrome"},
                   .programs = {"google-chrome", "google-chrome-stable"}},
     .macos = {.user_dirs = {"$HOME/Library/Application Support/Google/Chrome/NativeMessagingHosts"},
               .system_dirs = {"/Library/Google/Chrome/NativeMessagingHosts"},
               .found_if = {"$HOME/Library/Application Support/Google/Chrome/Local State",
                            "/Applications/Google Chrome.app"}},
     .windows_keys = {"Software\\Google\\Chrome\\NativeMessagingHosts"}},
    {.key = "chromium",
     .name = "Chromium",
     .kind = family::chromium,
     .gnu_linux = {.user_dirs = {"$CONFIG/chromium/NativeMessagingHosts"},
                   .system_dirs = {"/etc/chromium/native-messaging-hosts"},
                   .found_if = {"$CONFIG/chromium/Local State", "/usr/lib/chromium"},
                   .programs = {"chromium", "chromium-browser"}},
     .macos = {.user_dirs = {"$HOME/Library/Application Support/Chromium/NativeMessagingHosts"},
               .system_dirs = {"/Library/Application Support/Chromium/NativeMessagingHosts"},
               .found_if = {"$HOME/Library/Application Support/Chromium/Local State",
                            "/Applications/Chromium.app"}},
     .windows_keys = {"Software\\Chromium\\NativeMessagingHosts"}},
    {.key = "brave",
     .name = "Brave",
     .kind = family::chromium,
     .gnu_linux = {.user_dirs = {"$CONFIG/BraveSoftware/Brave-Browser/NativeMessagingHosts"},
                   .system_dirs = {"/etc/opt/chrome/native-messaging-hosts"},
                   .found_if = {"$CONFIG/BraveSoftware/Brave-Browser/Local State", "/opt/brave.com/brave"},
                   .programs = {"brave-browser", "brave"}},
     .macos =
         {.user_dirs = {"$HOME/Library/Application Support/BraveSoftware/Brave-Browser/NativeMessagingHosts"},
          .found_if = {"$HOME/Library/Application Support/BraveSoftware/Brave-Browser/Local State",
                       "/Applications/Brave Browser.app"}},
     .windows_keys = {"Software\\BraveSoftware\\Brave-Browser\\NativeMessagingHosts",
                      "Software\\Google\\Chrome\\NativeMessagingHosts"}},
    {.key = "edge",
     .name = "Microsoft Edge",
     .kind = family::chromium,
     .gnu_linux = {.user_dirs = {"$CONFIG/microsoft-edge/NativeMessagingHosts"},
                   .system_dirs = {"/etc/opt/edge/native-messaging-hosts"},
                   .found_if = {"$CONFIG/microsoft-edge/Local State", "/opt/microsoft/msedge"},
                   .programs = {"microsoft-edge", "microsoft-edge-stable"}},
     .macos = {.user_dirs = {"$HOME/Library/Application Support/Microsoft Edge/NativeMessagingHosts"},
               .system_dirs = {"/Library/Microsoft/Edge/NativeMessagingHosts"},
               .found_if = {"$HOME/Library/Application Support/Microsoft Edge/Local State",
                            "/Applications/Microsoft Edge.app"}},
     .windows_keys = {"Software\\Microsoft\\Edge\\NativeMessagingHosts"}},
    {.key = "vivaldi",
     .name = "Vivaldi",
     .kind = family::chromium,
     .gnu_linux = {.user_dirs = {"$CONFIG/vivaldi/NativeMessagingHosts"},
                   .system_dirs = {"/etc/opt/chrome/native-messaging-hosts"},
                   .found_if = {"$CONFIG/vivaldi/Local State", "/opt/vivaldi"},
                   .programs = {"vivaldi", "vivaldi-stable"}},
     .macos = {.user_dirs = {"$HOME/Library/Application Support/Vivaldi/NativeMessagingHosts"},
               .found_if = {"$HOME/Library/Application Support/Vivaldi/Local State",
                            "/Applications/Vivaldi.app"}},
     .windows_keys = {"Software\\Vivaldi\\NativeMessagingHosts",
                      "Software\\Google\\Chrome\\NativeMessagingHosts"}},
    {.key = "opera",
     .name = "Opera",
     .kind = family::chromium,
     .gnu_linux = {.user_dirs = {"$CONFIG/google-chrome/NativeMessagingHosts"},
                   .system_dirs = {"/etc/opt/chrome/native-messaging-hosts"},
                   .found_if = {"$CONFIG/opera", "/usr/lib/x86_64-linux-gnu/opera"},
                   .programs = {"opera"}},
     .macos =
         {.user_dirs = {"$HOME/Library/Application Support/Google/Chrome/NativeMessagingHosts",
                        "$HOME/Library/Application Support/com.operasoftware.Opera/NativeMessagingHosts"},
          .found_if = {"$HOME/Library/Application Support/com.operasoftware.Opera",
                       "/Applications/Opera.app"}},
     .windows_keys = {"Software\\Chromium\\NativeMessagingHosts",
                      "Software\\Google\\Chrome\\NativeMessagingHosts"}},
    {.key = "firefox",
     .name = "Firefox",
     .kind = family::firefox,
     .gnu_linux = {.user_dirs = {"$HOME/.mozilla/native-messaging-hosts"},
                   .system_dirs = {"/usr/lib/mozilla/native-messaging-hosts",
                                   "/usr/lib64/mozilla/native-messaging-hosts"},
                   .found_if = {"$HOME/.mozilla/firefox", "/usr/lib/firefox", "/usr/lib/firefox-esr"},
                   .programs = {"firefox", "firefox-esr"}},
     .macos = {.user_dirs = {"$HOME/Library/Application Support/Mozilla/NativeMessagingHosts"},
               .system_dirs = {"/Library/Application Support/Mozilla/NativeMessagingHosts"},
               .found_if = {"$HOME/Library/Application Support/Firefox", "/Applications/Firefox.app"}},
     .windows_keys = {"Software\\Mozilla\\NativeMessagingHosts"}},
    {.key = "librewolf",
     .name = "LibreWolf",
     .kind = family::firefox,
     .gnu_linux = {.user_dirs = {"$HOME/.librewolf/native-messaging-hosts"},
                   .found_if = {"$HOME/.librewolf/profiles.ini", "/usr/share/librewolf"},
                   .programs = {"librewolf"}},
     .macos = {.user_dirs = {"$HOME/Library/Application Support/LibreWolf/NativeMessagingHosts"},
               .found_if = {"$HOME/Library/Application Support/librewolf/profiles.ini",
                            "/Applications/LibreWolf.app"}},
     .windows_keys = {"Software\\LibreWolf\\NativeMessagingHosts",
                      "Software\\Mozilla\\NativeMessagingHosts"}},
    {.key = "waterfox",
     .name = "Waterfox",
     .kind = family::firefox,
     .gnu_linux = {.user_dirs = {"$HOME/.waterfox/native-messaging-hosts"},
                   .found_if = {"$HOME/.waterfox/profiles.ini"},
                   .programs = {"waterfox"}},
     .macos = {.user_dirs = {"$HOME/Library/Application Support/Waterfox/NativeMessagingHosts"},
               .found_if = {"$HOME/Library/Application Support/Waterfox/profiles.ini",
                            "/Applications/Waterfox.app"}},
     .windows_keys = {"Software\\Waterfox\\NativeMessagingHosts", "Software\\Mozilla\\NativeMessagingHosts"}},
};

} // namespace

std::span<browser const> browsers() {
    return table;
}

browser const* find_browser(std::string_view key) {
    for (auto const& b : table) {
        if (b.key == key) {
            return &b;
        }
    }
    return nullptr;
}

places const* places_on(browser const& b, desktop os) {
    switch (os) {
    case desktop::gnu_linux:
        return &b.gnu_linux;
    case desktop::macos:
        return &b.macos;
    case desktop::windows:
        return nullptr;
    }
    return nullptr;
}

} // namespace sluice::install
