#include "bundle_spec.hpp"

#include "media_type.hpp"

#include <sluice/protocol/keys.hpp>
#include <sluice/protocol/untrusted_json.hpp>

#include <algorithm>
#include <initializer_list>
#include <set>

namespace sluice::publisher {

namespace {

using nlohmann::json;
using protocol::gate_kind;
using protocol::item_access;

// Thrown inside this file only and caught by parse_bundle_spec, so that the rules below read as a list.
struct spec_error {
    std::string message;
};

[[noreturn]] void fail(std::string const& where, std::string const& what) {
    throw spec_error{"at " + (where.empty() ? std::string("/") : where) + ": " + what};
}

constexpr std::uint64_t max_safe_integer = 9007199254740991; // what JavaScript reads exactly

// Reads one JSON object member by member and refuses members it was not told about: a misspelt member
// ("acess") would otherwise be silently ignored and the item published free.
class object_reader {
public:
    object_reader(json const& value, std::string where, std::initializer_list<std::string_view> allowed)
        : value_(value), where_(std::move(where)) {
        if (!value_.is_object()) {
            fail(where_, "must be an object");
        }
        for (auto const& [key, _] : value_.items()) {
            if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
                std::string list;
                for (auto const name : allowed) {
                    list += (list.empty() ? "" : ", ") + std::string(name);
                }
                fail(where_, "unknown member \"" + key.substr(0, 40) + "\" (allowed here: " + list + ")");
            }
        }
    }

    bool has(std::string_view key) const { return value_.contains(key); }
    std::string at(std::string_view key) const { return where_ + "/" + std::string(key); }
    std::string const& where() const { return where_; }

    json const& member(std::string_view key) const {
        auto const it = value_.find(key);
        if (it == value_.end()) {
            fail(where_, "missing \"" + std::string(key) + "\"");
        }
        return *it;
    }

    std::string string(std::string_view key, std::size_t min_length, std::size_t max_length) const {
        auto const& v = member(key);
        if (!v.is_string()) {
            fail(at(key), "must be a string");
        }
        auto const& s = v.get_ref<std::string const&>();
        if (s.size() < min_length || s.size() > max_length) {
            fail(at(key), min_length == 0 ? "must be at most " + std::to_string(max_length) + " bytes long"
                                          : "must be " + std::to_string(min_length) + " to " +
                                                std::to_string(max_length) + " bytes long");
        }
        return s;
    }

    std::uint64_t integer(std::string_view key, std::uint64_t min, std::uint64_t max) const {
        auto const& v = member(key);
        if (!v.is_number_unsigned() && !(v.is_number_integer() && v.get<std::int64_t>() >= 0)) {
            fail(at(key), "must be a whole number of at least " + std::to_string(min));
        }
        auto const n = v.get<std::uint64_t>();
        if (n < min || n > max) {
            fail(at(key), "must be between " + std::to_string(min) + " and " + std::to_string(max));
        }
        return n;
    }

    bool boolean(std::string_view key) const {
        auto const& v = member(key);
        if (!v.is_boolean()) {
            fail(at(key), "must be true or false");
        }
        return v.get<bool>();
    }

    json const& array(std::string_view key, std::size_t min_items, std::size_t max_items) const {
        auto const& v = member(key);
        if (!v.is_array() || v.size() < min_items || v.size() > max_items) {
            fail(at(key), "must be a list of " + std::to_string(min_items) + " to " +
                              std::to_string(max_items) + " entries");
        }
        return v;
    }

private:
    json const& value_;
    std::string where_;
};

bool is_lower_alnum(char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

bool is_slug(std::string_view s) {
    return !s.empty() && s.size() <= 64 && is_lower_alnum(s.front()) &&
           std::all_of(s.begin(), s.end(), [](char c) { return is_lower_alnum(c) || c == '-'; });
}

std::string slug(object_reader const& r, std::string_view key, std::string_view what) {
    auto s = r.string(key, 1, 64);
    if (!is_slug(s)) {
        fail(r.at(key), "must be lower-case letters, digits and '-', starting with a letter or digit (" +
                            std::string(what) + ")");
    }
    return s;
}

std::string currency(object_reader const& r, std::string_view key) {
    auto s = r.string(key, 3, 3);
    if (!std::all_of(s.begin(), s.end(), [](char c) { return c >= 'A' && c <= 'Z'; })) {
        fail(r.at(key), "must be an ISO 4217 code such as EUR");
    }
    return s;
}

bool is_media_type(std::string_view s) {
    auto const slash = s.find('/');
    if (slash == std::string_view::npos || slash == 0 || slash + 1 == s.size()) {
        return false;
    }
    auto const type = s.substr(0, slash);
    auto const sub = s.substr(slash + 1);
    return std::all_of(type.begin(), type.end(), [](char c) { return c >= 'a' && c <= 'z'; }) &&
           std::all_of(sub.begin(), sub.end(),
                       [](char c) { return is_lower_alnum(c) || c == '.' || c == '+' || c == '-'; });
}

// ^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$, as the manifest schema has it.
bool is_language_tag(std::string_view s) {
    std::size_t start = 0;
    for (bool first = true;; first = false) {
        auto const end = std::min(s.find('-', start), s.size());
        auto const part = s.substr(start, end - start);
        bool const good =
            first ? part.size() >= 2 && part.size() <= 3 &&
                        std::all_of(part.begin(), part.end(), [](char c) { return c >= 'a' && c <= 'z'; })
                  : part.size() >= 2 && part.size() <= 8 && std::all_of(part.begin(), part.end(), [](char c) {
                        return is_lower_alnum(c) || (c >= 'A' && c <= 'Z');
                    });
        if (!good) {
            return false;
        }
        if (end == s.size()) {
            return true;
        }
        start = end + 1;
    }
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
        fail(where, "must be a URL starting with " + list);
    }
    if (std::any_of(s.begin(), s.end(),
                    [](char c) { return static_cast<unsigned char>(c) <= 0x20 || c == 0x7f; })) {
        fail(where, "must not contain spaces or control characters");
    }
}

// A source file's path: relative and inside the source folder, as a bundle path must be. Whether it
// exists (and does not leave the folder through a symbolic link) is plan_bundle_files' business.
std::string source_path(object_reader const& r, std::string_view key) {
    auto s = r.string(key, 1, 1024);
    if (!protocol::is_safe_item_path(s)) {
        fail(r.at(key), "must be a relative path inside the source folder, with '/' between folders "
                        "(no '..', '.', '//', '\\' or leading '/')");
    }
    if (s == protocol::manifest_file_name || s == protocol::signature_file_name) {
        fail(r.at(key), "bundle.json and bundle.sig are written by sluice-bundle; a source file cannot have "
                        "either name");
    }
    return s;
}

std::optional<gate_kind> gate_from_string(std::string_view s) {
    if (s == "email") {
        return gate_kind::email;
    }
    if (s == "pay") {
        return gate_kind::pay;
    }
    if (s == "pledge") {
        return gate_kind::pledge;
    }
    return std::nullopt;
}

spec_subtitle read_subtitle(json const& v, std::string const& where) {
    object_reader const r(v, where, {"lang", "label", "source"});
    spec_subtitle track;
    track.lang = r.string("lang", 2, 35);
    if (!is_language_tag(track.lang)) {
        fail(r.at("lang"), "must be a language tag such as \"fr\" or \"pt-BR\"");
    }
    track.label = r.string("label", 1, 100);
    track.source = source_path(r, "source");
    return track;
}

spec_item read_item(json const& v, std::string const& where) {
    object_reader const r(v, where, {"source", "access", "gate", "mediaType", "subtitles"});
    spec_item item;
    item.source = source_path(r, "source");
    auto const access = r.string("access", 1, 10);
    if (access != "free" && access != "locked") {
        fail(r.at("access"), "must be \"free\" or \"locked\"");
    }
    item.access = access == "free" ? item_access::free : item_access::locked;
    if (r.has("gate")) {
        item.gate = gate_from_string(r.string("gate", 1, 10));
        if (!item.gate) {
            fail(r.at("gate"), "must be \"email\", \"pay\" or \"pledge\"");
        }
    }
    if (item.locked() && !item.gate) {
        fail(where, "a locked item needs \"gate\": \"email\", \"pay\" or \"pledge\" (which gate unlocks it)");
    }
    if (!item.locked() && item.gate) {
        fail(r.at("gate"), "a free item has no gate; say \"access\": \"locked\" to lock it");
    }
    if (item.bundle_path().size() > 1024) {
        fail(r.at("source"), "is too long to be stored in a bundle");
    }
    if (r.has("mediaType")) {
        item.media_type = r.string("mediaType", 3, 100);
        if (!is_media_type(item.media_type)) {
            fail(r.at("mediaType"), "must be a media type such as video/webm (lower case)");
        }
    } else {
        auto inferred = media_type_for(item.source);
        if (!inferred) {
            fail(where, "cannot tell the media type of \"" + item.source +
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

protocol::pledge_gate read_pledge(json const& v, std::string const& where) {
    object_reader const r(v, where,
                          {"campaignId", "goalBackers", "goalAmount", "deadline", "price", "currency",
                           "expectedDelivery", "ifGoalMissed"});
    protocol::pledge_gate gate;
    gate.campaign_id = slug(r, "campaignId", "the gate server knows the campaign by it");
    if (r.has("goalBackers")) {
        gate.goal_backers = r.integer("goalBackers", 1, max_safe_integer);
    }
    if (r.has("goalAmount")) {
        gate.goal_amount = r.integer("goalAmount", 1, max_safe_integer);
    }
    if (!gate.goal_backers && !gate.goal_amount) {
        fail(where, "a campaign needs a goal: \"goalBackers\", \"goalAmount\" or both");
    }
    gate.deadline = r.string("deadline", 20, 20);
    auto const deadline = protocol::parse_utc_timestamp(gate.deadline);
    if (!deadline) {
        fail(r.at("deadline"), "must be a UTC time such as 2027-03-01T00:00:00Z");
    }
    gate.deadline_unix = *deadline;
    gate.price = r.integer("price", 0, max_safe_integer);
    gate.currency = currency(r, "currency");
    gate.expected_delivery = r.string("expectedDelivery", 10, 10);
    if (!protocol::parse_utc_timestamp(gate.expected_delivery + "T00:00:00Z")) {
        fail(r.at("expectedDelivery"), "must be a date such as 2027-09-01");
    }
    gate.if_goal_missed = r.string("ifGoalMissed", 1, 2000);
    return gate;
}

protocol::bundle_gates read_gates(json const& v, std::string const& where) {
    object_reader const r(v, where, {"email", "pay", "pledge"});
    protocol::bundle_gates gates;
    if (r.has("email")) {
        object_reader const e(r.member("email"), r.at("email"), {"doubleOptIn"});
        gates.email = protocol::email_gate{e.has("doubleOptIn") && e.boolean("doubleOptIn")};
    }
    if (r.has("pay")) {
        object_reader const p(r.member("pay"), r.at("pay"), {"minimum", "suggested", "currency"});
        protocol::pay_gate pay;
        pay.minimum = p.integer("minimum", 0, max_safe_integer);
        if (p.has("suggested")) {
            pay.suggested = p.integer("suggested", pay.minimum, max_safe_integer);
        }
        pay.currency = currency(p, "currency");
        gates.pay = pay;
    }
    if (r.has("pledge")) {
        gates.pledge = read_pledge(r.member("pledge"), r.at("pledge"));
    }
    return gates;
}

bool gate_defined(protocol::bundle_gates const& gates, gate_kind kind) {
    switch (kind) {
    case gate_kind::email:
        return gates.email.has_value();
    case gate_kind::pay:
        return gates.pay.has_value();
    case gate_kind::pledge:
        return gates.pledge.has_value();
    }
    return false;
}

std::vector<std::string> url_list(object_reader const& r, std::string_view key, std::size_t max_items,
                                  std::initializer_list<std::string_view> schemes) {
    std::vector<std::string> urls;
    if (!r.has(key)) {
        return urls;
    }
    auto const& list = r.array(key, 0, max_items);
    for (std::size_t i = 0; i < list.size(); ++i) {
        auto const where = r.at(key) + "/" + std::to_string(i);
        if (!list[i].is_string() || list[i].get_ref<std::string const&>().size() > 2048) {
            fail(where, "must be a URL of at most 2048 bytes");
        }
        auto const& s = list[i].get_ref<std::string const&>();
        check_url(s, where, schemes);
        if (std::find(urls.begin(), urls.end(), s) != urls.end()) {
            fail(where, "is listed twice");
        }
        urls.push_back(s);
    }
    return urls;
}

bundle_spec read_spec(json const& v) {
    object_reader const r(v, "",
                          {"format", "id", "version", "title", "creator", "description", "cover", "gateUrl",
                           "gateKeys", "items", "gates", "trackers", "webSeeds"});
    if (r.string("format", 1, 40) != bundle_spec::format) {
        fail("/format", "must be \"" + std::string(bundle_spec::format) + "\"");
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
    if (r.has("gateKeys")) {
        auto const& keys = r.array("gateKeys", 0, 16);
        for (std::size_t i = 0; i < keys.size(); ++i) {
            auto const where = "/gateKeys/" + std::to_string(i);
            auto const key =
                keys[i].is_string()
                    ? protocol::decode_public_key("ed25519", keys[i].get_ref<std::string const&>())
                    : std::nullopt;
            if (!key) {
                fail(where, "must be a gate's public key, \"ed25519:\" followed by 32 bytes in base64 (what "
                            "sluice-bundle keygen prints)");
            }
            if (std::find(spec.gate_keys.begin(), spec.gate_keys.end(), *key) != spec.gate_keys.end()) {
                fail(where, "is listed twice");
            }
            spec.gate_keys.push_back(*key);
        }
    }
    auto const& items = r.array("items", 1, protocol::bundle_manifest::max_items);
    std::set<std::string> paths;
    for (std::size_t i = 0; i < items.size(); ++i) {
        auto const where = "/items/" + std::to_string(i);
        auto item = read_item(items[i], where);
        if (!paths.insert(item.bundle_path()).second) {
            fail(where + "/source", "names the same file as an earlier item");
        }
        spec.items.push_back(std::move(item));
    }
    if (r.has("gates")) {
        spec.gates = read_gates(r.member("gates"), "/gates");
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
        if (item.gate && !gate_defined(spec.gates, *item.gate)) {
            fail("/items/" + std::to_string(i) + "/gate", "names the " +
                                                              std::string(protocol::to_string(*item.gate)) +
                                                              " gate, which \"gates\" does not define");
        }
        any_locked = any_locked || item.locked();
    }
    if (any_locked && spec.gate_keys.empty()) {
        fail("/gateKeys",
             "a bundle with locked items must trust at least one gate key (the public key of the "
             "gate server that will unlock them)");
    }
    if (any_locked && spec.gate_url.empty()) {
        fail("/gateUrl", "a bundle with locked items needs the URL of the gate server that unlocks them");
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
    } catch (spec_error const& e) {
        return result<bundle_spec>::failure(e.message);
    } catch (json::exception const& e) {
        return result<bundle_spec>::failure(e.what());
    }
}

} // namespace sluice::publisher
