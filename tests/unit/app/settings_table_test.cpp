#include "app/settings_table.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <set>

namespace sluice::app {
namespace {

using nlohmann::json;

json schema_def(std::string const& name) {
    std::ifstream in(std::string(SLUICE_SOURCE_DIR) + "/protocol/schema/native-messaging.json");
    return json::parse(in).at("$defs").at(name);
}

std::set<std::string> rpc_names() {
    std::set<std::string> names;
    for (auto const& s : settings_table()) {
        if (!s.rpc_name.empty()) {
            names.emplace(s.rpc_name);
        }
    }
    return names;
}

// The schema is what the extension and other clients read: its ranges must be the ones the host applies.
TEST(SettingsTable, SchemaOfSettingsSetIsTheTable) {
    auto const params = schema_def("settings.set.params");
    EXPECT_EQ(params.at("properties"), rpc_settings_schema());
    EXPECT_EQ(params.at("additionalProperties"), false);
}

// settings.get and settings.set answer every setting of the table, with the same ranges, and peerPort. Their
// downloadFolder is the folder in use, which may come from XDG_DOWNLOAD_DIR, so only its type is held to
// the table there.
TEST(SettingsTable, SchemaOfTheAnswersIsTheTable) {
    auto expected = rpc_settings_schema();
    expected["downloadFolder"].erase("pattern");
    auto const names = rpc_names();
    for (auto const* def : {"settings.get.result", "settings.set.result"}) {
        auto const result = schema_def(def);
        auto properties = result.at("properties");
        EXPECT_EQ(properties.at("peerPort"), (json{{"type", "integer"}, {"minimum", 0}, {"maximum", 65535}}))
            << def;
        properties.erase("peerPort");
        properties["downloadFolder"].erase("pattern");
        EXPECT_EQ(properties, expected) << def;
        EXPECT_EQ(result.at("required").get<std::set<std::string>>(), names) << def;
    }
}

TEST(SettingsTable, NamesAreUniqueAndEverySettingIsSomewhere) {
    std::set<std::string_view> file_keys;
    std::set<std::string_view> rpc;
    for (auto const& s : settings_table()) {
        EXPECT_FALSE(s.file_key.empty() && s.rpc_name.empty());
        EXPECT_TRUE(s.file_key.empty() || file_keys.insert(s.file_key).second) << s.file_key;
        EXPECT_TRUE(s.rpc_name.empty() || rpc.insert(s.rpc_name).second) << s.rpc_name;
        EXPECT_NE(s.get, nullptr);
        EXPECT_NE(s.put, nullptr);
        if (!s.rpc_name.empty()) {
            EXPECT_EQ(find_rpc_setting(s.rpc_name), &s);
        }
    }
    EXPECT_EQ(find_rpc_setting("peerPort"), nullptr);
    EXPECT_EQ(find_rpc_setting(""), nullptr);
}

// Both ends of every range are taken and stored exactly (the field is wide enough); one step beyond is
// refused, from the file and from settings.set alike.
TEST(SettingsTable, IntegerRangesFitTheirFields) {
    for (auto const& s : settings_table()) {
        if (s.type != setting_type::integer) {
            continue;
        }
        auto const name = std::string(s.file_key.empty() ? s.rpc_name : s.file_key);
        for (auto const v : {s.min, s.max}) {
            for (auto const source : {setting_source::file, setting_source::request}) {
                EXPECT_FALSE(check_setting(s, v, source)) << name << " " << v;
            }
            host_config c;
            s.put(c, v);
            EXPECT_EQ(s.get(c), json(v)) << name;
        }
        for (auto const source : {setting_source::file, setting_source::request}) {
            EXPECT_TRUE(check_setting(s, s.min - 1, source)) << name;
            if (s.max < std::numeric_limits<std::int64_t>::max()) {
                EXPECT_TRUE(check_setting(s, s.max + 1, source)) << name;
            }
            EXPECT_TRUE(check_setting(s, std::numeric_limits<std::uint64_t>::max(), source)) << name;
            EXPECT_TRUE(check_setting(s, 1.5, source)) << name;
            EXPECT_TRUE(check_setting(s, true, source)) << name;
            EXPECT_TRUE(check_setting(s, "1", source)) << name;
        }
    }
}

TEST(SettingsTable, DefaultsAreWithinTheirRules) {
    host_config const defaults;
    for (auto const& s : settings_table()) {
        EXPECT_FALSE(check_setting(s, s.get(defaults), setting_source::file)) << s.file_key << s.rpc_name;
    }
}

TEST(SettingsTable, RangeProblemsNameTheRange) {
    auto const* s = find_rpc_setting("connectionsLimit");
    ASSERT_NE(s, nullptr);
    auto const problem = check_setting(*s, 1, setting_source::request);
    ASSERT_TRUE(problem);
    EXPECT_EQ(problem->code, protocol::error_code::invalid_params);
    EXPECT_EQ(problem->text, "must be an integer from 2 to 10000");
    EXPECT_EQ(check_setting(*find_rpc_setting("dht"), 1, setting_source::request)->text,
              "must be true or false");
}

// The one rule that differs: config.json may leave the folder empty ("the default folder").
TEST(SettingsTable, FolderRule) {
    auto const& s = *find_rpc_setting("downloadFolder");
    for (auto const source : {setting_source::file, setting_source::request}) {
        EXPECT_FALSE(check_setting(s, "/home/a/Vidéos", source));
        EXPECT_EQ(check_setting(s, "Downloads", source)->code, protocol::error_code::invalid_save_path);
        EXPECT_EQ(check_setting(s, 3, source)->code, protocol::error_code::invalid_save_path);
        for (auto const* folder : {"/a\nb", "/a\tb", "/a\x7f", "/a\x1f"}) {
            EXPECT_EQ(check_setting(s, folder, source)->code, protocol::error_code::invalid_params) << folder;
        }
        EXPECT_EQ(check_setting(s, std::string("/a\0b", 4), source)->code,
                  protocol::error_code::invalid_params);
    }
    EXPECT_FALSE(check_setting(s, "", setting_source::file));
    EXPECT_EQ(check_setting(s, "", setting_source::request)->code, protocol::error_code::invalid_save_path);
}

TEST(SettingsTable, ListenPortIsReplacedInEveryInterface) {
    EXPECT_EQ(with_listen_port("0.0.0.0:6881,[::]:6881", 7000), "0.0.0.0:7000,[::]:7000");
    EXPECT_EQ(with_listen_port("127.0.0.1:0", 6881), "127.0.0.1:6881");
    EXPECT_EQ(listen_port_of("0.0.0.0:6881,[::]:6882"), 6881);
    EXPECT_EQ(listen_port_of("[::]:51413"), 51413);
    EXPECT_EQ(listen_port_of("garbage"), 0);
}

TEST(SettingsTable, ListenPortIsThePortOfTheInterfaces) {
    auto const& s = *find_rpc_setting("listenPort");
    host_config c;
    EXPECT_EQ(s.get(c), 6881);
    s.put(c, 0);
    EXPECT_EQ(c.session.listen_interfaces, "0.0.0.0:0,[::]:0");
}

} // namespace
} // namespace sluice::app
