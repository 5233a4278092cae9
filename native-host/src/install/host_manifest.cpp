#include "install/host_manifest.hpp"

#include <sluice/protocol/extension_ids.hpp>

namespace sluice::install {

using nlohmann::json;

namespace {

std::string chrome_origin() {
    return "chrome-extension://" + std::string(protocol::chrome_extension_id) + "/";
}

} // namespace

json make_manifest(family kind, std::filesystem::path const& binary) {
    json m = {{"name", host_name},
              {"description", "Sluice: BitTorrent streaming and bundle unlocks"},
              {"path", binary.string()},
              {"type", "stdio"}};
    if (kind == family::chromium) {
        m["allowed_origins"] = json::array({chrome_origin()});
    } else {
        m["allowed_extensions"] = json::array({std::string(protocol::firefox_addon_id)});
    }
    return m;
}

std::vector<std::string> manifest_problems(std::string const& text, family kind) {
    std::vector<std::string> problems;
    auto const m = json::parse(text, nullptr, false);
    if (m.is_discarded() || !m.is_object()) {
        problems.emplace_back("the file is not a JSON object, so the browser ignores it");
        return problems;
    }
    auto const string_at = [&](char const* key) {
        auto const it = m.find(key);
        return it != m.end() && it->is_string() ? it->get<std::string>() : std::string();
    };
    if (string_at("name") != host_name) {
        problems.emplace_back("its \"name\" is not \"" + std::string(host_name) + "\"");
    }
    if (string_at("type") != "stdio") {
        problems.emplace_back("its \"type\" is not \"stdio\"");
    }
    auto const path = string_at("path");
    if (path.empty()) {
        problems.emplace_back("it names no \"path\" to run");
    } else if (!std::filesystem::path(path).is_absolute()) {
        problems.emplace_back("its \"path\" " + path + " is not absolute");
    }
    auto const ids_key = kind == family::chromium ? "allowed_origins" : "allowed_extensions";
    auto const wanted = kind == family::chromium ? chrome_origin() : std::string(protocol::firefox_addon_id);
    auto const ids = m.find(ids_key);
    if (ids == m.end() || !ids->is_array()) {
        problems.emplace_back(std::string("it has no \"") + ids_key +
                              "\" list, so this browser refuses the extension");
    } else if (*ids != json::array({wanted})) {
        problems.emplace_back(std::string("its \"") + ids_key + "\" is " + ids->dump() + ", not exactly [\"" +
                              wanted + "\"]");
    }
    return problems;
}

std::filesystem::path manifest_binary(std::string const& text) {
    auto const m = json::parse(text, nullptr, false);
    if (m.is_discarded() || !m.is_object() || !m.contains("path") || !m.at("path").is_string()) {
        return {};
    }
    return m.at("path").get<std::string>();
}

} // namespace sluice::install
