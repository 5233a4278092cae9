#include "sluice-bundle/bundle_spec.hpp"

#include "sluice-bundle/media_type.hpp"

#include <sluice/protocol/keys.hpp>
#include <sluice/protocol/strict_object.hpp>
#include <sluice/protocol/untrusted_json.hpp>

#include <algorithm>
#include <initializer_list>
#include <set>

namespace sluice::publisher {

namespace {

using nlohmann::json;
using protocol::gate_kind;
using protocol::item_access;
using protocol::max_safe_integer;
using protocol::shape_fail;
using protocol::strict_object;

std::string slug(strict_object const& r, std::string_view key, std::string_view what) {
    auto s = r.string(key, 1, 64);
    if (!protocol::is_bundle_slug(s)) {
        shape_fail(r.at(key),
                   "must be lower-case letters, digits and '-', starting with a letter or digit (" +
                       std::string(what) + ")");
    }
    return s;
}

void check_url(std::string const& s, std::string const& where,
               std::initializer_list<std::string_view> schemes) {
    bool const known = std::any_of(schemes.begin(), schemes.end(), [&](std::string_view scheme) {
        return s.starts_with(std::string(scheme) + "://");
    });
    if (!known) {
        std::string list;
        for (auto const scheme : schemes) {
            list += (list.empty() ? "" : ", ") + std::string(scheme) + "://";
        }
        shape_fail(where, "must be a URL starting with " + list);
    }
    if (std::any_of(s.begin(), s.end(),
                    [](char c) { return static_cast<unsigned char>(c) <= 0x20 || c == 0x7f; })) {
        shape_fail(where, "must not contain spaces or control characters");
    }
}

// A source file's path: relative and inside the source folder, as a bundle path must be. Whether it
// exists (and does not leave the folder through a symbolic link) is plan_bundle_files' business.
std::string source_path(strict_object const& r, std::string_view key) {
    auto s = r.string(key, 1, 1024);
    if (!protocol::is_safe_item_path(s)) {
        shape_fail(r.at(key), "must be a relative path inside the source folder, with '/' between folders "
                              "(no '..', '.', '//', '\\' or leading '/')");
    }
    if (s == protocol::manifest_file_name || s == protocol::signature_file_name) {
        shape_fail(r.at(key),
                   "bundle.json and bundle.sig are written by sluice-bundle; a source file cannot have "
                   "either name");
    }
    return s;
}

spec_subtitle read_subtitle(json const& v, std::string const& where) {
    strict_object const r(v, where, {"lang", "label", "source"});
    spec_subtitle track;
    track.lang = r.string("lang", 2, 35);
    if (!protocol::is_language_tag(track.lang)) {
        shape_fail(r.at("lang"), "must be a language tag such as \"fr\" or \"pt-BR\"");
    }
    track.label = r.string("label", 1, 100);
    track.source = source_path(r, "source");
    return track;
}

spec_item read_item(json const& v, std::string const& where) {
    strict_object const r(v, where, {"source", "access", "gate", "mediaType", "subtitles"});
    spec_item item;
    item.source = source_path(r, "source");
    auto const access = r.string("access", 1, 10);
    if (access != "free" && access != "locked") {
        shape_fail(r.at("access"), "must be \"free\" or \"locked\"");
    }
    item.access = access == "free" ? item_access::free : item_access::locked;
    if (r.has("gate")) {
        item.gate = protocol::parse_gate_kind(r.string("gate", 1, 10));
        if (!item.gate) {
            shape_fail(r.at("gate"), "must be \"email\", \"pay\" or \"pledge\"");
        }
    }
    if (item.locked() && !item.gate) {
        shape_fail(where,
                   "a locked item needs \"gate\": \"email\", \"pay\" or \"pledge\" (which gate unlocks it)");
    }
    if (!item.locked() && item.gate) {
        shape_fail(r.at("gate"), "a free item has no gate; say \"access\": \"locked\" to lock it");
    }
    if (item.bundle_path().size() > 1024) {
        shape_fail(r.at("source"), "is too long to be stored in a bundle");
    }
    if (r.has("mediaType")) {
        item.media_type = r.string("mediaType", 3, 100);
        if (!protocol::is_media_type(item.media_type)) {
            shape_fail(r.at("mediaType"), "must be a media type such as video/webm (lower case)");
        }
    } else {
        auto inferred = media_type_for(item.source);
        if (!inferred) {
            shape_fail(where, "cannot tell the media type of \"" + item.source +
                                  "\" from its extension; give one with \"mediaType\"");
        }
        item.media_type = std::move(*inferred);
    }
    if (r.has("subtitles")) {
        auto const& tracks = r.array("subtitles", 0, 50);
        for (std::size_t i = 0; i < tracks.size(); ++i) {
            item.subtitles.push_back(read_subtitle(tracks[i], r.at("subtitles") + "/" + std::to_string(i)));
        }
    }
    return item;
}

std::vector<std::string> url_list(strict_object const& r, std::string_view key, std::size_t max_items,
                                  std::initializer_list<std::string_view> schemes) {
    std::vector<std::string> urls;
    if (!r.has(key)) {
        return urls;
    }
    auto const& list = r.array(key, 0, max_items);
    for (std::size_t i = 0; i < list.size(); ++i) {
        auto const where = r.at(key) + "/" + std::to_string(i);
        if (!list[i].is_string() || list[i].get_ref<std::string const&>().size() > 2048) {
            shape_fail(where, "must be a URL of at most 2048 bytes");
        }
        auto const& s = list[i].get_ref<std::string const&>();
        check_url(s, where, schemes);
        if (std::find(urls.begin(), urls.end(), s) != urls.end()) {
            shape_fail(where, "is listed twice");
        }
        urls.push_back(s);
    }
    return urls;
}

// The public keys listed under `key` (at most 16, none twice); `whose` names them in errors.
std::vector<std::array<unsigned char, 32>> public_keys(strict_object const& r, std::string const& key,
                                                       std::string const& whose) {
    std::vector<std::array<unsigned char, 32>> keys;
    if (!r.has(key)) {
        return keys;
    }
    auto const& list = r.array(key, 0, 16);
    for (std::size_t i = 0; i < list.size(); ++i) {
        auto const where = "/" + key + "/" + std::to_string(i);
        auto const k = list[i].is_string()
                           ? protocol::decode_public_key("ed25519", list[i].get_ref<std::string const&>())
                           : std::nullopt;
        if (!k) {
            shape_fail(where, "must be " + whose +
                                  " public key, \"ed25519:\" followed by 32 bytes in base64 (what "
                                  "sluice-bundle keygen prints)");
        }
        if (std::find(keys.begin(), keys.end(), *k) != keys.end()) {
            shape_fail(where, "is listed twice");
        }
        keys.push_back(*k);
    }
    return keys;
}

bundle_spec read_spec(json const& v) {
    strict_object const r(v, "",
                          {"format", "id", "version", "title", "creator", "description", "cover", "gateUrl",
                           "gateKeys", "translationKeys", "items", "gates", "trackers", "webSeeds"});
    if (r.string("format", 1, 40) != bundle_spec::format) {
        shape_fail("/format", "must be \"" + std::string(bundle_spec::format) + "\"");
    }
    bundle_spec spec;
    spec.id = slug(r, "id", "it names the bundle's folder and torrent");
    spec.version = r.integer("version", 1, max_safe_integer);
    spec.title = r.string("title", 1, 200);
    spec.creator = r.string("creator", 1, 200);
    if (r.has("description")) {
        spec.description = r.string("description", 0, 10000);
    }
    if (r.has("cover")) {
        spec.cover = source_path(r, "cover");
    }
    if (r.has("gateUrl")) {
        spec.gate_url = r.string("gateUrl", 8, 2048);
        check_url(spec.gate_url, "/gateUrl", {"https", "http"});
    }
    spec.gate_keys = public_keys(r, "gateKeys", "a gate's");
    spec.translation_keys = public_keys(r, "translationKeys", "a translation key's");
    auto const& items = r.array("items", 1, protocol::bundle_manifest::max_items);
    std::set<std::string> paths;
    for (std::size_t i = 0; i < items.size(); ++i) {
        auto const where = "/items/" + std::to_string(i);
        auto item = read_item(items[i], where);
        if (!paths.insert(item.bundle_path()).second) {
            shape_fail(where + "/source", "names the same file as an earlier item");
        }
        spec.items.push_back(std::move(item));
    }
    if (r.has("gates")) {
        spec.gates = protocol::read_bundle_gates(r.member("gates"), "/gates");
    }
    spec.trackers = url_list(r, "trackers", 32, {"udp", "http", "https"});
    spec.web_seeds = url_list(r, "webSeeds", 16, {"https", "http"});
    for (auto& seed : spec.web_seeds) {
        // BEP 19: a base URL ending in '/' gets "<name>/<path>" appended for each file of a multi-file
        // torrent; without the slash a client would fetch the URL itself for every file.
        if (!seed.ends_with('/')) {
            seed += '/';
        }
    }

    bool any_locked = false;
    for (std::size_t i = 0; i < spec.items.size(); ++i) {
        auto const& item = spec.items[i];
        if (item.gate && !protocol::defines_gate(spec.gates, *item.gate)) {
            shape_fail("/items/" + std::to_string(i) + "/gate",
                       "names the " + std::string(protocol::to_string(*item.gate)) +
                           " gate, which \"gates\" does not define");
        }
        any_locked = any_locked || item.locked();
    }
    if (any_locked && spec.gate_keys.empty()) {
        shape_fail("/gateKeys",
                   "a bundle with locked items must trust at least one gate key (the public key of the "
                   "gate server that will unlock them)");
    }
    if (any_locked && spec.gate_url.empty()) {
        shape_fail("/gateUrl",
                   "a bundle with locked items needs the URL of the gate server that unlocks them");
    }
    return spec;
}

} // namespace

std::string spec_item::bundle_path() const {
    return locked() ? source + std::string(locked_suffix) : source;
}

result<bundle_spec> parse_bundle_spec(std::string_view text) {
    if (text.size() > bundle_spec::max_bytes) {
        return result<bundle_spec>::failure("the spec is larger than " +
                                            std::to_string(bundle_spec::max_bytes) + " bytes");
    }
    auto parsed =
        protocol::parse_untrusted_json(text, protocol::json_limits{.max_depth = 16, .max_values = 200'000});
    if (!parsed) {
        return result<bundle_spec>::failure("not valid JSON: " + parsed.detail);
    }
    try {
        return read_spec(parsed.value);
    } catch (protocol::json_shape_error const& e) {
        return result<bundle_spec>::failure(e.message());
    } catch (json::exception const& e) {
        return result<bundle_spec>::failure(e.what());
    }
}

} // namespace sluice::publisher
