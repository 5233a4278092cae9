#include "bundle_manifest.hpp"

#include "keys.hpp"
#include "locked_item.hpp"
#include "strict_object.hpp"
#include "untrusted_json.hpp"

#include <algorithm>
#include <charconv>
#include <ctime>
#include <initializer_list>
#include <map>
#include <set>

namespace sluice::protocol {

namespace {

using nlohmann::json;

bool is_lower_alnum(char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

std::string slug(strict_object const& r, std::string_view key) {
    auto s = r.string(key, 1, 64);
    if (!is_bundle_slug(s)) {
        shape_fail(r.at(key), "must be lower-case letters, digits and '-', starting with a letter or digit");
    }
    return s;
}

// ^[A-Z]{3}$
std::string currency(strict_object const& r, std::string_view key) {
    auto s = r.string(key, 3, 3);
    if (!is_currency_code(s)) {
        shape_fail(r.at(key), "must be an ISO 4217 code such as EUR");
    }
    return s;
}

std::array<unsigned char, 32> ed25519_key(json const& v, std::string const& where) {
    if (!v.is_string()) {
        shape_fail(where, "must be a string \"ed25519:<base64>\"");
    }
    auto const key = decode_public_key("ed25519", v.get_ref<std::string const&>());
    if (!key) {
        shape_fail(where, "must be \"ed25519:\" followed by 32 bytes in base64");
    }
    return *key;
}

std::string item_path(strict_object const& r, std::string_view key) {
    auto s = r.string(key, 1, 1024);
    if (!is_safe_item_path(s)) {
        shape_fail(r.at(key),
                   "must be a relative path inside the bundle (no '..', '.', '//', '\\' or leading '/')");
    }
    if (s == manifest_file_name || s == signature_file_name) {
        shape_fail(r.at(key), "names the manifest or its signature, which are not items");
    }
    return s;
}

constexpr std::uint64_t max_item_size = 1ull << 40;

sha256_digest digest(strict_object const& r, std::string_view key) {
    auto const hash = hex_sha256(r.string(key, 64, 64));
    if (!hash) {
        shape_fail(r.at(key), "must be 64 lower-case hex digits");
    }
    return *hash;
}

subtitle_track read_subtitle(json const& v, std::string const& where) {
    strict_object const r(v, where, {"lang", "label", "credit", "path", "size", "sha256", "root"});
    subtitle_track track;
    track.lang = r.string("lang", 2, 35);
    if (!is_language_tag(track.lang)) {
        shape_fail(r.at("lang"), "must be a language tag such as \"fr\" or \"pt-BR\"");
    }
    track.label = r.string("label", 1, 100);
    if (r.has("credit")) {
        track.credit = r.string("credit", 1, 200);
    }
    track.path = item_path(r, "path");
    track.size = r.integer("size", 0, max_item_size);
    track.sha256 = digest(r, "sha256");
    track.root = digest(r, "root");
    return track;
}

bundle_cover read_cover(json const& v, std::string const& where) {
    strict_object const r(v, where, {"path", "size", "sha256", "root"});
    bundle_cover cover;
    cover.path = item_path(r, "path");
    cover.size = r.integer("size", 0, max_item_size);
    cover.sha256 = digest(r, "sha256");
    cover.root = digest(r, "root");
    return cover;
}

bundle_item read_item(json const& v, std::string const& where) {
    strict_object const r(
        v, where,
        {"path", "size", "mediaType", "sha256", "root", "storedSize", "access", "gate", "subtitles"});
    bundle_item item;
    item.path = item_path(r, "path");
    item.size = r.integer("size", 0, max_item_size);
    item.media_type = r.string("mediaType", 3, 100);
    if (!is_media_type(item.media_type)) {
        shape_fail(r.at("mediaType"), "must be a media type such as video/webm");
    }
    item.sha256 = digest(r, "sha256");
    item.root = digest(r, "root");
    auto const access = r.string("access", 4, 6);
    if (access != "free" && access != "locked") {
        shape_fail(r.at("access"), "must be \"free\" or \"locked\"");
    }
    item.access = access == "free" ? item_access::free : item_access::locked;
    if (r.has("gate")) {
        item.gate = parse_gate_kind(r.string("gate", 1, 10));
        if (!item.gate) {
            shape_fail(r.at("gate"), "must be \"email\", \"pay\" or \"pledge\"");
        }
    }
    if (item.locked() != item.gate.has_value()) {
        shape_fail(where, item.locked() ? "a locked item must say which gate unlocks it"
                                        : "a free item has no gate");
    }
    // A free item is stored as it is; a locked one's stored size depends on its chunk size.
    if (item.locked() != r.has("storedSize")) {
        shape_fail(where, item.locked() ? "a locked item must give its storedSize (the encrypted file's size)"
                                        : "a free item is stored as it is: storedSize is its size");
    }
    item.stored_size = item.locked() ? r.integer("storedSize", 0, 2 * max_item_size) : item.size;
    if (item.locked()) {
        // The exact size depends on the chunk size in the item's header, checked when it is read; here only
        // what no chunk size allows (4 KiB chunks carry the most tags).
        using header = locked_header;
        auto const least = item.size + header::size + header::tag_size;
        auto const most = least + (item.size / 4096) * header::tag_size;
        if (item.stored_size < least || item.stored_size > most) {
            shape_fail(r.at("storedSize"),
                       "cannot hold the encrypted " + std::to_string(item.size) + " bytes");
        }
    }
    if (r.has("subtitles")) {
        auto const& tracks = r.array("subtitles", 0, 50);
        for (std::size_t i = 0; i < tracks.size(); ++i) {
            item.subtitles.push_back(read_subtitle(tracks[i], r.at("subtitles") + "/" + std::to_string(i)));
        }
    }
    return item;
}

// Each stored file with what every mention of it says (a free item may also be a subtitle track or the
// cover: one file, which all its mentions must describe alike).
struct file_mention {
    stored_file file;
    sha256_digest sha256{};
    bool plain = true; // stored as it is, so its sha256 is of the stored bytes
    std::string where;
};

std::vector<file_mention> mentions(bundle_manifest const& m) {
    std::vector<file_mention> out;
    for (std::size_t i = 0; i < m.items.size(); ++i) {
        auto const& item = m.items[i];
        auto const at = "/items/" + std::to_string(i);
        out.push_back({{item.path, item.stored_size, item.root}, item.sha256, !item.locked(), at});
        for (std::size_t t = 0; t < item.subtitles.size(); ++t) {
            auto const& track = item.subtitles[t];
            out.push_back({{track.path, track.size, track.root},
                           track.sha256,
                           true,
                           at + "/subtitles/" + std::to_string(t)});
        }
    }
    if (m.cover) {
        out.push_back({{m.cover->path, m.cover->size, m.cover->root}, m.cover->sha256, true, "/cover"});
    }
    return out;
}

void check_stored_files(bundle_manifest const& m) {
    std::map<std::string, file_mention const*, std::less<>> first;
    auto const all = mentions(m);
    for (auto const& mention : all) {
        auto const [it, fresh] = first.emplace(mention.file.path, &mention);
        if (fresh) {
            continue;
        }
        auto const& earlier = *it->second;
        if (!earlier.plain || !mention.plain) {
            shape_fail(mention.where + "/path", "names the locked item " + earlier.where +
                                                    ", which is no "
                                                    "subtitle track or cover");
        }
        if (earlier.file.size != mention.file.size || earlier.file.root != mention.file.root ||
            earlier.sha256 != mention.sha256) {
            shape_fail(mention.where, "describes " + mention.file.path + " otherwise than " + earlier.where);
        }
    }
}

// A tier unlocks items the pledge gate locks, nothing else: a free item needs no pledge, and another gate's
// item is not the campaign's to give.
void check_tier_items(bundle_manifest const& m, std::vector<pledge_tier> const& tiers) {
    for (std::size_t t = 0; t < tiers.size(); ++t) {
        if (!tiers[t].items) {
            continue;
        }
        for (std::size_t i = 0; i < tiers[t].items->size(); ++i) {
            auto const* item = m.find_item((*tiers[t].items)[i]);
            if (!item || item->gate != gate_kind::pledge) {
                shape_fail("/gates/pledge/tiers/" + std::to_string(t) + "/items/" + std::to_string(i),
                           "must name an item of the bundle locked by the pledge gate");
            }
        }
    }
}

// A list of at most 16 distinct Ed25519 keys, empty when the member is absent.
std::vector<std::array<unsigned char, 32>> key_list(strict_object const& r, std::string const& name) {
    std::vector<std::array<unsigned char, 32>> out;
    if (!r.has(name)) {
        return out;
    }
    auto const& keys = r.array(name, 0, 16);
    for (std::size_t i = 0; i < keys.size(); ++i) {
        auto const key = ed25519_key(keys[i], "/" + name + "/" + std::to_string(i));
        if (std::find(out.begin(), out.end(), key) != out.end()) {
            shape_fail("/" + name + "/" + std::to_string(i), "is listed twice");
        }
        out.push_back(key);
    }
    return out;
}

bundle_manifest read_manifest(json const& v) {
    strict_object const r(v, "",
                          {"format", "id", "version", "title", "creator", "description", "cover",
                           "publisherKey", "gateKeys", "translationKeys", "gateUrl", "items", "gates"});
    auto const format = r.string("format", 1, 40);
    if (format == "sluice-bundle/1") {
        shape_fail("/format", "is sluice-bundle/1, an older format that does not sign every file of the "
                              "bundle; its publisher must make it again with a current sluice-bundle");
    }
    if (format != bundle_manifest::format) {
        shape_fail("/format", "must be \"" + std::string(bundle_manifest::format) + "\"");
    }
    bundle_manifest m;
    m.id = slug(r, "id");
    m.version = r.integer("version", 1, max_safe_integer);
    m.title = r.string("title", 1, 200);
    m.creator = r.string("creator", 1, 200);
    if (r.has("description")) {
        m.description = r.string("description", 0, 10000);
    }
    if (r.has("cover")) {
        m.cover = read_cover(r.member("cover"), "/cover");
    }
    m.publisher_key = ed25519_key(r.member("publisherKey"), "/publisherKey");
    m.gate_keys = key_list(r, "gateKeys");
    m.translation_keys = key_list(r, "translationKeys");
    if (r.has("gateUrl")) {
        m.gate_url = r.string("gateUrl", 8, 2048);
        if (!m.gate_url.starts_with("https://") && !m.gate_url.starts_with("http://")) {
            shape_fail("/gateUrl", "must be an http(s) URL");
        }
    }
    auto const& items = r.array("items", 1, bundle_manifest::max_items);
    std::set<std::string, std::less<>> paths;
    for (std::size_t i = 0; i < items.size(); ++i) {
        auto where = "/items/" + std::to_string(i);
        auto item = read_item(items[i], where);
        if (!paths.insert(item.path).second) {
            shape_fail(where + "/path", "names the same file as an earlier item");
        }
        m.items.push_back(std::move(item));
    }
    if (r.has("gates")) {
        m.gates = read_bundle_gates(r.member("gates"), "/gates");
    }
    bool any_locked = false;
    for (std::size_t i = 0; i < m.items.size(); ++i) {
        auto const& item = m.items[i];
        if (item.gate && !defines_gate(m.gates, *item.gate)) {
            shape_fail("/items/" + std::to_string(i) + "/gate", "names the " +
                                                                    std::string(to_string(*item.gate)) +
                                                                    " gate, which /gates does not define");
        }
        any_locked = any_locked || item.locked();
    }
    if (m.gates.pledge) {
        check_tier_items(m, m.gates.pledge->tiers);
    }
    if (any_locked && m.gate_keys.empty()) {
        shape_fail("/gateKeys", "a bundle with locked items must trust at least one gate key");
    }
    check_stored_files(m);
    return m;
}

json item_to_json(bundle_item const& item) {
    json j = {{"path", item.path},
              {"size", item.size},
              {"mediaType", item.media_type},
              {"sha256", to_hex(item.sha256)},
              {"root", to_hex(item.root)},
              {"access", std::string(to_string(item.access))}};
    if (item.locked()) {
        j["storedSize"] = item.stored_size;
    }
    if (item.gate) {
        j["gate"] = std::string(to_string(*item.gate));
    }
    if (!item.subtitles.empty()) {
        auto& tracks = j["subtitles"] = json::array();
        for (auto const& t : item.subtitles) {
            json track{{"lang", t.lang}, {"label", t.label},           {"path", t.path},
                       {"size", t.size}, {"sha256", to_hex(t.sha256)}, {"root", to_hex(t.root)}};
            if (!t.credit.empty()) {
                track["credit"] = t.credit;
            }
            tracks.push_back(std::move(track));
        }
    }
    return j;
}

std::vector<std::string> read_string_list(strict_object const& r, std::string_view key, std::size_t max_items,
                                          auto&& check) {
    auto const& list = r.array(key, 0, max_items);
    std::vector<std::string> out;
    std::set<std::string, std::less<>> seen;
    for (std::size_t i = 0; i < list.size(); ++i) {
        auto const where = r.at(key) + "/" + std::to_string(i);
        if (!list[i].is_string()) {
            shape_fail(where, "must be a string");
        }
        auto const& s = list[i].get_ref<std::string const&>();
        check(s, where);
        if (!seen.insert(s).second) {
            shape_fail(where, "is listed twice");
        }
        out.push_back(s);
    }
    return out;
}

pledge_tier read_tier(json const& v, std::string const& where) {
    strict_object const r(v, where, {"id", "title", "description", "price", "items", "deliveries", "limit"});
    pledge_tier tier;
    tier.id = slug(r, "id");
    tier.title = r.string("title", 1, 100);
    if (r.has("description")) {
        tier.description = r.string("description", 0, 1000);
    }
    tier.price = r.integer("price", 0, max_safe_integer);
    if (r.has("items")) {
        tier.items = read_string_list(r, "items", bundle_manifest::max_items,
                                      [](std::string const& s, std::string const& at) {
                                          if (!is_safe_item_path(s)) {
                                              shape_fail(at, "must be the path of an item of the bundle");
                                          }
                                      });
        if (tier.items->empty()) {
            shape_fail(r.at("items"), "a tier unlocks at least one item (leave items out for all of them)");
        }
    }
    if (r.has("deliveries")) {
        tier.deliveries =
            read_string_list(r, "deliveries", 100, [](std::string const& s, std::string const& at) {
                if (!is_bundle_slug(s)) {
                    shape_fail(at, "must be a bundle id (lower-case letters, digits and '-')");
                }
            });
    }
    if (r.has("limit")) {
        tier.limit = r.integer("limit", 1, max_safe_integer);
    }
    return tier;
}

pledge_gate read_pledge(json const& v, std::string const& where) {
    strict_object const r(v, where,
                          {"campaignId", "goalBackers", "goalAmount", "deadline", "price", "tiers",
                           "currency", "expectedDelivery", "ifGoalMissed"});
    pledge_gate gate;
    gate.campaign_id = slug(r, "campaignId");
    if (r.has("goalBackers")) {
        gate.goal_backers = r.integer("goalBackers", 1, max_safe_integer);
    }
    if (r.has("goalAmount")) {
        gate.goal_amount = r.integer("goalAmount", 1, max_safe_integer);
    }
    if (!gate.goal_backers && !gate.goal_amount) {
        shape_fail(where, "a campaign needs a goal: goalBackers, goalAmount or both");
    }
    gate.deadline = r.string("deadline", 20, 20);
    auto const deadline = parse_utc_timestamp(gate.deadline);
    if (!deadline) {
        shape_fail(r.at("deadline"), "must be a UTC time such as 2027-03-01T00:00:00Z");
    }
    gate.deadline_unix = *deadline;
    if (r.has("price") == r.has("tiers")) {
        shape_fail(where, "a campaign has either one price or tiers, not both and not neither");
    }
    if (r.has("price")) {
        gate.price = r.integer("price", 0, max_safe_integer);
    } else {
        auto const& tiers = r.array("tiers", 1, pledge_tier::max_tiers);
        std::set<std::string, std::less<>> ids;
        for (std::size_t i = 0; i < tiers.size(); ++i) {
            auto tier = read_tier(tiers[i], r.at("tiers") + "/" + std::to_string(i));
            if (!ids.insert(tier.id).second) {
                shape_fail(r.at("tiers") + "/" + std::to_string(i) + "/id",
                           "names the same tier as an earlier one");
            }
            gate.tiers.push_back(std::move(tier));
        }
        gate.price = std::min_element(gate.tiers.begin(), gate.tiers.end(), [](auto const& a, auto const& b) {
                         return a.price < b.price;
                     })->price;
    }
    gate.currency = currency(r, "currency");
    gate.expected_delivery = r.string("expectedDelivery", 10, 10);
    if (!parse_utc_timestamp(gate.expected_delivery + "T00:00:00Z")) {
        shape_fail(r.at("expectedDelivery"), "must be a date such as 2027-09-01");
    }
    gate.if_goal_missed = r.string("ifGoalMissed", 1, 2000);
    return gate;
}

} // namespace

bool is_bundle_slug(std::string_view s) {
    return !s.empty() && s.size() <= 64 && is_lower_alnum(s.front()) &&
           std::all_of(s.begin(), s.end(), [](char c) { return is_lower_alnum(c) || c == '-'; });
}

bool is_currency_code(std::string_view s) {
    return s.size() == 3 && std::all_of(s.begin(), s.end(), [](char c) { return c >= 'A' && c <= 'Z'; });
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

bool is_language_tag(std::string_view s) {
    auto const dash = s.find('-');
    auto const primary = s.substr(0, dash);
    if (primary.size() < 2 || primary.size() > 3 ||
        !std::all_of(primary.begin(), primary.end(), [](char c) { return c >= 'a' && c <= 'z'; })) {
        return false;
    }
    while (s.size() > 0 && s.find('-') != std::string_view::npos) {
        s.remove_prefix(s.find('-') + 1);
        auto const part = s.substr(0, s.find('-'));
        if (part.size() < 2 || part.size() > 8 || !std::all_of(part.begin(), part.end(), [](char c) {
                return is_lower_alnum(c) || (c >= 'A' && c <= 'Z');
            })) {
            return false;
        }
    }
    return true;
}

std::optional<gate_kind> parse_gate_kind(std::string_view s) {
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

bool defines_gate(bundle_gates const& gates, gate_kind kind) {
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

bool pledge_tier::unlocks(std::string_view item_path) const {
    return !items || std::find(items->begin(), items->end(), item_path) != items->end();
}

bool pledge_tier::receives(std::string_view delivery_bundle_id) const {
    return !deliveries ||
           std::find(deliveries->begin(), deliveries->end(), delivery_bundle_id) != deliveries->end();
}

pledge_tier single_price_tier(std::uint64_t price) {
    pledge_tier one;
    one.id = std::string(single_tier_id);
    one.title = "Pledge";
    one.price = price;
    return one;
}

std::vector<pledge_tier> pledge_gate::offered_tiers() const {
    return tiers.empty() ? std::vector<pledge_tier>{single_price_tier(price)} : tiers;
}

json to_json(pledge_tier const& t) {
    json j = {{"id", t.id}, {"title", t.title}, {"price", t.price}};
    if (!t.description.empty()) {
        j["description"] = t.description;
    }
    if (t.items) {
        j["items"] = *t.items;
    }
    if (t.deliveries) {
        j["deliveries"] = *t.deliveries;
    }
    if (t.limit) {
        j["limit"] = *t.limit;
    }
    return j;
}

bundle_gates read_bundle_gates(json const& v, std::string const& where) {
    strict_object const r(v, where, {"email", "pay", "pledge"});
    bundle_gates gates;
    if (r.has("email")) {
        strict_object const e(r.member("email"), r.at("email"), {"doubleOptIn"});
        gates.email = email_gate{e.has("doubleOptIn") && e.boolean("doubleOptIn")};
    }
    if (r.has("pay")) {
        strict_object const p(r.member("pay"), r.at("pay"), {"minimum", "suggested", "currency"});
        pay_gate pay;
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

std::optional<sha256_digest> hex_sha256(std::string_view s) {
    if (s.size() != 64) {
        return std::nullopt;
    }
    std::array<unsigned char, 32> out{};
    for (std::size_t i = 0; i < out.size(); ++i) {
        auto const* first = s.data() + 2 * i;
        if (!std::all_of(first, first + 2,
                         [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); })) {
            return std::nullopt;
        }
        std::from_chars(first, first + 2, out[i], 16);
    }
    return out;
}

std::string to_hex(std::span<unsigned char const> bytes) {
    static constexpr char digits[] = "0123456789abcdef";
    std::string out;
    out.reserve(bytes.size() * 2);
    for (auto b : bytes) {
        out += digits[b >> 4];
        out += digits[b & 0xf];
    }
    return out;
}

json to_json(bundle_gates const& gates) {
    json j = json::object();
    if (gates.email) {
        j["email"] = {{"doubleOptIn", gates.email->double_opt_in}};
    }
    if (gates.pay) {
        j["pay"] = {{"minimum", gates.pay->minimum}, {"currency", gates.pay->currency}};
        if (gates.pay->suggested) {
            j["pay"]["suggested"] = *gates.pay->suggested;
        }
    }
    if (gates.pledge) {
        auto const& p = *gates.pledge;
        json pledge = {{"campaignId", p.campaign_id},
                       {"deadline", p.deadline},
                       {"currency", p.currency},
                       {"expectedDelivery", p.expected_delivery},
                       {"ifGoalMissed", p.if_goal_missed}};
        if (p.tiers.empty()) {
            pledge["price"] = p.price;
        } else {
            auto& tiers = pledge["tiers"] = json::array();
            for (auto const& t : p.tiers) {
                tiers.push_back(to_json(t));
            }
        }
        if (p.goal_backers) {
            pledge["goalBackers"] = *p.goal_backers;
        }
        if (p.goal_amount) {
            pledge["goalAmount"] = *p.goal_amount;
        }
        j["pledge"] = std::move(pledge);
    }
    return j;
}

std::string_view to_string(item_access access) {
    return access == item_access::free ? "free" : "locked";
}

std::string_view to_string(gate_kind kind) {
    switch (kind) {
    case gate_kind::email:
        return "email";
    case gate_kind::pay:
        return "pay";
    case gate_kind::pledge:
        return "pledge";
    }
    return "unknown";
}

bundle_item const* bundle_manifest::find_item(std::string_view path) const {
    auto const it =
        std::find_if(items.begin(), items.end(), [&](bundle_item const& i) { return i.path == path; });
    return it == items.end() ? nullptr : &*it;
}

bool is_safe_item_path(std::string_view path) {
    if (path.empty() || path.size() > 1024 || path.front() == '/') {
        return false;
    }
    if (!is_valid_utf8(path)) {
        return false;
    }
    std::size_t start = 0;
    while (start <= path.size()) {
        auto end = path.find('/', start);
        if (end == std::string_view::npos) {
            end = path.size();
        }
        auto const segment = path.substr(start, end - start);
        if (segment.empty() || segment == "." || segment == "..") {
            return false;
        }
        start = end + 1;
    }
    return std::none_of(path.begin(), path.end(), [](char c) {
        return c == '\\' || static_cast<unsigned char>(c) < 0x20 || c == 0x7f;
    });
}

std::optional<std::int64_t> parse_utc_timestamp(std::string_view text) {
    // YYYY-MM-DDTHH:MM:SSZ, nothing else: a manifest's dates are compared, so one spelling.
    if (text.size() != 20 || text[4] != '-' || text[7] != '-' || text[10] != 'T' || text[13] != ':' ||
        text[16] != ':' || text[19] != 'Z') {
        return std::nullopt;
    }
    auto number = [&](std::size_t at, std::size_t length) -> std::optional<int> {
        int n = 0;
        auto const* first = text.data() + at;
        auto const [end, ec] = std::from_chars(first, first + length, n);
        if (ec != std::errc{} || end != first + length || *first == '-' || *first == '+') {
            return std::nullopt;
        }
        return n;
    };
    auto const year = number(0, 4), month = number(5, 2), day = number(8, 2);
    auto const hour = number(11, 2), minute = number(14, 2), second = number(17, 2);
    if (!year || !month || !day || !hour || !minute || !second || *year < 1970 || *month < 1 || *month > 12 ||
        *day < 1 || *hour > 23 || *minute > 59 || *second > 59) {
        return std::nullopt;
    }
    static constexpr int month_days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool const leap = (*year % 4 == 0 && *year % 100 != 0) || *year % 400 == 0;
    if (*day > month_days[*month - 1] + (*month == 2 && leap ? 1 : 0)) {
        return std::nullopt;
    }
    // Days from the civil date (Howard Hinnant's algorithm), so no dependence on the process's time zone.
    int const y = *year - (*month <= 2 ? 1 : 0);
    int const era = y / 400;
    int const yoe = y - era * 400;
    int const doy = (153 * (*month + (*month > 2 ? -3 : 9)) + 2) / 5 + *day - 1;
    int const doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    std::int64_t const days = static_cast<std::int64_t>(era) * 146097 + doe - 719468;
    return days * 86400 + *hour * 3600 + *minute * 60 + *second;
}

std::string format_utc_timestamp(std::int64_t unix_seconds) {
    std::time_t const t = unix_seconds;
    std::tm parts{};
    gmtime_r(&t, &parts);
    char out[32];
    std::strftime(out, sizeof out, "%Y-%m-%dT%H:%M:%SZ", &parts);
    return out;
}

manifest_result parse_bundle_manifest(std::string_view bytes) {
    if (bytes.size() > bundle_manifest::max_bytes) {
        return {std::nullopt,
                "bundle.json is larger than " + std::to_string(bundle_manifest::max_bytes) + " bytes"};
    }
    // A manifest is shallow: depth 8 covers the schema with room; the value cap bounds memory.
    auto parsed = parse_untrusted_json(bytes, json_limits{.max_depth = 8, .max_values = 100'000});
    if (!parsed) {
        return {std::nullopt, "bundle.json is not valid JSON: " + parsed.detail};
    }
    try {
        return {read_manifest(parsed.value), {}};
    } catch (json_shape_error const& e) {
        return {std::nullopt, "bundle.json " + e.message()};
    } catch (json::exception const& e) {
        return {std::nullopt, std::string("bundle.json: ") + e.what()};
    }
}

std::vector<stored_file> bundle_manifest::stored_files() const {
    std::map<std::string, stored_file, std::less<>> by_path;
    for (auto const& mention : mentions(*this)) {
        by_path.emplace(mention.file.path, mention.file);
    }
    std::vector<stored_file> out;
    out.reserve(by_path.size());
    for (auto& [path, file] : by_path) {
        out.push_back(std::move(file));
    }
    return out;
}

std::vector<std::string> compare_with_torrent(bundle_manifest const& manifest,
                                              std::vector<stored_file> const& torrent_files,
                                              bool torrent_has_roots) {
    std::vector<std::string> problems;
    if (!torrent_has_roots) {
        problems.push_back(
            "the torrent has no v2 (BEP 52) file hashes, so its files cannot be matched with the "
            "pieces roots bundle.json signs");
    }
    std::map<std::string, stored_file const*, std::less<>> in_torrent;
    for (auto const& f : torrent_files) {
        in_torrent.emplace(f.path, &f);
    }
    auto const signed_files = manifest.stored_files();
    std::set<std::string, std::less<>> signed_paths;
    for (auto const& file : signed_files) {
        signed_paths.insert(file.path);
        auto const it = in_torrent.find(file.path);
        if (it == in_torrent.end()) {
            problems.push_back("bundle.json signs " + file.path + ", which the torrent does not hold");
        } else if (it->second->size != file.size) {
            problems.push_back("the torrent's " + file.path + " is " + std::to_string(it->second->size) +
                               " bytes, but bundle.json signs " + std::to_string(file.size));
        } else if (torrent_has_roots && it->second->root != file.root) {
            problems.push_back("the torrent's " + file.path +
                               " is not the file bundle.json signs (its pieces root differs)");
        }
    }
    for (auto const& f : torrent_files) {
        if (f.path != manifest_file_name && f.path != signature_file_name &&
            signed_paths.count(f.path) == 0) {
            problems.push_back("the torrent holds " + f.path + ", which bundle.json does not sign");
        }
    }
    return problems;
}

json to_json(bundle_manifest const& m) {
    json j = {{"format", std::string(bundle_manifest::format)},
              {"id", m.id},
              {"version", m.version},
              {"title", m.title},
              {"creator", m.creator}};
    if (!m.description.empty()) {
        j["description"] = m.description;
    }
    if (m.cover) {
        j["cover"] = {{"path", m.cover->path},
                      {"size", m.cover->size},
                      {"sha256", to_hex(m.cover->sha256)},
                      {"root", to_hex(m.cover->root)}};
    }
    j["publisherKey"] = encode_public_key("ed25519", m.publisher_key);
    for (auto const& [name, list] :
         {std::pair{"gateKeys", &m.gate_keys}, std::pair{"translationKeys", &m.translation_keys}}) {
        if (!list->empty()) {
            auto& keys = j[name] = json::array();
            for (auto const& k : *list) {
                keys.push_back(encode_public_key("ed25519", k));
            }
        }
    }
    if (!m.gate_url.empty()) {
        j["gateUrl"] = m.gate_url;
    }
    auto& items = j["items"] = json::array();
    for (auto const& item : m.items) {
        items.push_back(item_to_json(item));
    }
    if (m.gates.email || m.gates.pay || m.gates.pledge) {
        j["gates"] = to_json(m.gates);
    }
    return j;
}

verified_manifest_result verify_bundle_manifest(std::string_view manifest_bytes,
                                                std::string_view signature_bytes) {
    auto parsed = parse_bundle_manifest(manifest_bytes);
    if (!parsed) {
        return {std::nullopt, std::move(parsed.error)};
    }
    if (signature_bytes.size() != 64) {
        return {std::nullopt, "bundle.sig must hold exactly 64 bytes (an Ed25519 signature); it holds " +
                                  std::to_string(signature_bytes.size())};
    }
    std::array<unsigned char, 64> signature{};
    std::copy(signature_bytes.begin(), signature_bytes.end(), signature.begin());
    if (!verify(manifest_bytes, signature, parsed.manifest->publisher_key)) {
        return {std::nullopt,
                "bundle.sig does not match bundle.json and the publisher key it names: the bundle "
                "was changed after it was signed"};
    }
    return {std::move(parsed.manifest), {}};
}

} // namespace sluice::protocol
