#include "app/config.hpp"
#include "app/settings_table.hpp"
#include "sandbox_dir.hpp"

#include <gtest/gtest.h>

#include <fstream>

namespace sluice::app {
namespace {

void write(std::filesystem::path const& p, std::string const& text) {
    std::ofstream(p, std::ios::binary) << text;
}

TEST(HostConfig, MissingFileGivesSafeDefaults) {
    testing::sandbox_dir dir;
    auto const r = load_host_config(dir / "config.json");
    EXPECT_TRUE(r.warnings.empty());
    EXPECT_TRUE(r.config.session.dht);
    EXPECT_TRUE(r.config.session.lsd);
    EXPECT_TRUE(r.config.session.upnp);
    EXPECT_EQ(r.config.max_inbound_frame_bytes, 8u * 1024 * 1024);
}

TEST(HostConfig, ReadsSwitches) {
    testing::sandbox_dir dir;
    write(dir / "c.json", R"({"session":{"dht":false,"lsd":false,"upnp":false,"natpmp":false,
        "listenInterfaces":"127.0.0.1:0"},"nativeMessaging":{"maxInboundFrameBytes":65536},"idleExitSeconds":3})");
    auto const r = load_host_config(dir / "c.json");
    EXPECT_TRUE(r.warnings.empty());
    EXPECT_FALSE(r.config.session.dht);
    EXPECT_FALSE(r.config.session.upnp);
    EXPECT_EQ(r.config.session.listen_interfaces, "127.0.0.1:0");
    EXPECT_EQ(r.config.max_inbound_frame_bytes, 65536u);
    EXPECT_EQ(r.config.idle_exit_seconds, 3);
}

TEST(HostConfig, MalformedFileKeepsDefaultsAndTheFile) {
    testing::sandbox_dir dir;
    write(dir / "c.json", "{ not json");
    auto const r = load_host_config(dir / "c.json");
    ASSERT_EQ(r.warnings.size(), 1u);
    EXPECT_TRUE(r.config.session.dht);
    std::ifstream in(dir / "c.json");
    std::string text((std::istreambuf_iterator<char>(in)), {});
    EXPECT_EQ(text, "{ not json");
}

TEST(HostConfig, WrongTypesAndRangesAreReportedOneByOne) {
    testing::sandbox_dir dir;
    write(dir / "c.json",
          R"({"session":{"dht":"yes","lsd":false},"nativeMessaging":{"maxInboundFrameBytes":1}})");
    auto const r = load_host_config(dir / "c.json");
    EXPECT_EQ(r.warnings.size(), 2u);
    EXPECT_TRUE(r.config.session.dht);
    EXPECT_FALSE(r.config.session.lsd);
    EXPECT_EQ(r.config.max_inbound_frame_bytes, 8u * 1024 * 1024);
}

TEST(HostConfig, ADownloadFolderWithAControlCharacterIsNotUsed) {
    testing::sandbox_dir dir;
    for (auto const* folder :
         {R"(/home/a\u0000/b)", R"(/home/a\nb)", R"(/home/a\u001fb)", R"(/home/a\u007fb)"}) {
        write(dir / "c.json", std::string(R"({"downloadFolder":")") + folder + "\"}");
        auto const r = load_host_config(dir / "c.json");
        ASSERT_EQ(r.warnings.size(), 1u) << folder;
        EXPECT_NE(r.warnings[0].find("downloadFolder must be an absolute path"), std::string::npos);
        EXPECT_EQ(r.config.download_folder, "") << folder;
    }
    write(dir / "c.json", R"({"downloadFolder":"/home/a/Vidéos\u00a0b"})");
    auto const r = load_host_config(dir / "c.json");
    EXPECT_TRUE(r.warnings.empty());
    EXPECT_EQ(r.config.download_folder, "/home/a/Vidéos\u00a0b");
}

TEST(HostConfig, DefaultTextRoundTrips) {
    testing::sandbox_dir dir;
    write(dir / "c.json", default_config_text());
    auto const r = load_host_config(dir / "c.json");
    EXPECT_TRUE(r.warnings.empty());
    EXPECT_EQ(r.config.session.listen_interfaces, host_config{}.session.listen_interfaces);
}

// The file's layout, as settings.set writes it and a user reads it. Written out, not computed: a change to
// the layout is a change for every user's config.json.
TEST(HostConfig, DefaultTextIsTheFileLayout) {
    EXPECT_EQ(default_config_text(), R"({
    "downloadFolder": "",
    "gatePollSeconds": 60,
    "gateTimeoutSeconds": 20,
    "idleExitSeconds": 10,
    "lingerSeconds": 30,
    "log": {
        "keepFiles": 3,
        "level": "info",
        "maxFileBytes": 1048576
    },
    "nativeMessaging": {
        "maxInboundFrameBytes": 8388608
    },
    "playReportDelaySeconds": 3600,
    "reportPlays": false,
    "resumeSaveSeconds": 30,
    "session": {
        "connectionsLimit": 200,
        "dht": true,
        "downloadRateLimit": 0,
        "listenInterfaces": "0.0.0.0:6881,[::]:6881",
        "lsd": true,
        "natpmp": true,
        "uploadRateLimit": 0,
        "upnp": true,
        "utp": true
    },
    "streamPort": 0
}
)");
}

// A rate below 0 or one connection was once taken from the file although settings.set refused it.
TEST(HostConfig, ValuesSettingsSetRefusesAreNotUsed) {
    testing::sandbox_dir dir;
    write(dir / "c.json",
          R"({"session":{"downloadRateLimit":-1,"uploadRateLimit":1000000001,"connectionsLimit":1},
        "streamPort":70000,"log":{"maxFileBytes":-1},"idleExitSeconds":2.5})");
    auto const r = load_host_config(dir / "c.json");
    ASSERT_EQ(r.warnings.size(), 6u);
    EXPECT_EQ(r.warnings[0], "session.downloadRateLimit must be an integer from 0 to 1000000000; using 0");
    EXPECT_EQ(r.warnings[2], "session.connectionsLimit must be an integer from 2 to 10000; using 200");
    EXPECT_EQ(r.config.session.download_rate_limit, 0);
    EXPECT_EQ(r.config.session.upload_rate_limit, 0);
    EXPECT_EQ(r.config.session.connections_limit, 200);
    EXPECT_EQ(r.config.stream_port, 0);
    EXPECT_EQ(r.config.log_max_file_bytes, 1024u * 1024);
    EXPECT_EQ(r.config.idle_exit_seconds, 10);
}

// For every setting both have, config.json takes a value exactly when settings.set does (but an empty
// download folder, which the file may hold for the default).
TEST(HostConfig, TakesWhatSettingsSetTakes) {
    testing::sandbox_dir dir;
    for (auto const& s : settings_table()) {
        if (s.file_key.empty() || s.rpc_name.empty()) {
            continue;
        }
        std::vector<nlohmann::json> values{true, false, 1.5, "x", "/srv/films", "/a\nb", nullptr};
        if (s.type == setting_type::integer) {
            values.insert(values.end(), {s.min - 1, s.min, s.max, s.max + 1});
        }
        for (auto const& value : values) {
            auto const dot = s.file_key.find('.');
            auto const file = dot == std::string_view::npos
                                  ? nlohmann::json{{std::string(s.file_key), value}}
                                  : nlohmann::json{{std::string(s.file_key.substr(0, dot)),
                                                    {{std::string(s.file_key.substr(dot + 1)), value}}}};
            write(dir / "c.json", file.dump());
            auto const r = load_host_config(dir / "c.json");
            bool const taken = !check_setting(s, value, setting_source::request);
            EXPECT_EQ(r.warnings.empty(), taken) << file.dump();
            EXPECT_EQ(s.get(r.config), taken ? value : s.get(host_config{})) << file.dump();
        }
    }
}

// Every member written by config_text reads back as it was.
TEST(HostConfig, EveryMemberRoundTrips) {
    testing::sandbox_dir dir;
    host_config c;
    c.session = {.dht = false,
                 .lsd = false,
                 .upnp = false,
                 .natpmp = false,
                 .listen_interfaces = "127.0.0.1:7000",
                 .utp = false,
                 .download_rate_limit = 1000,
                 .upload_rate_limit = 2000,
                 .connections_limit = 2};
    c.max_inbound_frame_bytes = 4096;
    c.log_max_file_bytes = 5;
    c.log_keep_files = 0;
    c.log_level = "debug";
    c.idle_exit_seconds = 1;
    c.download_folder = "/srv/films";
    c.stream_port = 65535;
    c.linger_seconds = 0;
    c.resume_save_seconds = 1;
    c.gate_poll_seconds = 86400;
    c.gate_timeout_seconds = 300;
    c.report_plays = true;
    c.play_report_delay_seconds = 7 * 86400;
    write(dir / "c.json", config_text(c));
    auto const r = load_host_config(dir / "c.json");
    EXPECT_TRUE(r.warnings.empty());
    for (auto const& s : settings_table()) {
        EXPECT_EQ(s.get(r.config), s.get(c)) << s.file_key << s.rpc_name;
        if (!s.file_key.empty()) {
            EXPECT_NE(s.get(c), s.get(host_config{})) << s.file_key << " is not tried";
        }
    }
}

} // namespace
} // namespace sluice::app
