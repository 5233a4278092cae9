#include "app/config.hpp"

#include "app/settings_table.hpp"

#include <sluice/fileio/file_io.hpp>
#include <sluice/protocol/untrusted_json.hpp>

#include <nlohmann/json.hpp>

#include <cstdlib>

namespace sluice::app {

namespace {

using nlohmann::json;

constexpr std::uintmax_t max_config_file_bytes = 1024 * 1024;

// A file key's object and member: "session.dht" is member "dht" of object "session"; "streamPort" is a member
// of the file's root (an empty section).
struct file_place {
    std::string section;
    std::string member;
};

file_place place_of(setting const& s) {
    auto const dot = s.file_key.find('.');
    if (dot == std::string_view::npos) {
        return {"", std::string(s.file_key)};
    }
    return {std::string(s.file_key.substr(0, dot)), std::string(s.file_key.substr(dot + 1))};
}

std::string default_text_of(setting const& s) {
    return s.type == setting_type::text ? "the default" : s.get(host_config{}).dump();
}

} // namespace

config_load_result load_host_config(std::filesystem::path const& file) {
    config_load_result out;
    std::error_code ec;
    auto const text = fileio::read_small_file(file, max_config_file_bytes, ec);
    if (ec == std::errc::no_such_file_or_directory) {
        return out; // no file: defaults
    }
    if (ec) {
        out.warnings.push_back(file.string() +
                               (ec == std::errc::file_too_large ? " is larger than 1 MiB"
                                                                : " cannot be read (" + ec.message() + ")") +
                               "; using the defaults");
        return out;
    }
    auto parsed = protocol::parse_untrusted_json(text);
    if (!parsed || !parsed.value.is_object()) {
        out.warnings.push_back(file.string() + " is not a JSON object (" +
                               (parsed ? std::string("wrong type") : parsed.detail) +
                               "); using the defaults");
        return out;
    }
    auto const& root = parsed.value;
    for (auto const& s : settings_table()) {
        if (s.file_key.empty()) {
            continue;
        }
        auto const [section, member] = place_of(s);
        json const* object = &root;
        if (!section.empty()) {
            auto const it = root.find(section);
            if (it == root.end() || !it->is_object()) {
                continue;
            }
            object = &*it;
        }
        auto const it = object->find(member);
        if (it == object->end()) {
            continue;
        }
        // The same check as settings.set's, so the file cannot hold what settings.set would refuse.
        if (auto const problem = check_setting(s, *it, setting_source::file)) {
            out.warnings.push_back(std::string(s.file_key) + " " + problem->text + "; using " +
                                   default_text_of(s));
            continue;
        }
        s.put(out.config, *it);
    }
    return out;
}

std::string default_config_text() {
    return config_text(host_config{});
}

std::string config_text(host_config const& config) {
    auto out = json::object();
    for (auto const& s : settings_table()) {
        if (s.file_key.empty()) {
            continue;
        }
        auto const [section, member] = place_of(s);
        (section.empty() ? out : out[section])[member] = s.get(config);
    }
    return out.dump(4) + "\n";
}

std::filesystem::path default_download_folder() {
    if (char const* xdg = std::getenv("XDG_DOWNLOAD_DIR"); xdg && xdg[0] == '/') {
        return std::filesystem::path(xdg) / "Sluice";
    }
    if (char const* home = std::getenv("HOME"); home && home[0] == '/') {
        return std::filesystem::path(home) / "Downloads" / "Sluice";
    }
    return std::filesystem::temp_directory_path() / "Sluice";
}

} // namespace sluice::app
