#include "bundle/bundle_library.hpp"

#include "base/clock.hpp"
#include "base/log.hpp"

#include <libtorrent/torrent_info.hpp>
#include <libtorrent/torrent_status.hpp>

#include <algorithm>
#include <fstream>
#include <limits>
#include <set>

namespace sluice::bundle {

namespace {

using base::now_seconds;

using nlohmann::json;
using protocol::bundle_manifest;

// How often pending bundles are looked at, and how many times a manifest that fails to verify is read
// again: libtorrent announces a piece as its hash passes, a moment before the last write may land.
constexpr auto check_interval = std::chrono::milliseconds(50);
constexpr int verify_attempts = 6;

std::optional<std::string> read_capped(std::string const& path, std::size_t cap) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        return std::nullopt;
    }
    std::string out(cap + 1, '\0');
    in.read(out.data(), static_cast<std::streamsize>(out.size()));
    out.resize(static_cast<std::size_t>(in.gcount()));
    return out;
}

std::string_view status_name(bundle_status s) {
    switch (s) {
    case bundle_status::fetching:
        return "fetching";
    case bundle_status::verified:
        return "verified";
    case bundle_status::refused:
        return "refused";
    }
    return "unknown";
}

} // namespace

bundle_library::bundle_library(boost::asio::io_context& io, torrent::torrent_engine& engine, keystore& keys,
                               event_sink emit)
    : io_(io), engine_(engine), keys_(keys), emit_(std::move(emit)), check_timer_(io) {
    listener_.on_metadata = [this](std::string const& id, lt::torrent_handle const& h) {
        on_metadata(id, h);
    };
    listener_.on_piece = [this](std::string const& id, lt::piece_index_t) {
        auto const it = entries_.find(id);
        if (it != entries_.end() && it->second.status == bundle_status::fetching) {
            schedule_check();
        }
    };
    listener_.on_removed = [this](std::string const& id) { entries_.erase(id); };
    engine_.add_piece_listener(&listener_);
}

bundle_library::~bundle_library() {
    engine_.remove_piece_listener(&listener_);
}

void bundle_library::on_metadata(std::string const& id, lt::torrent_handle const& handle) {
    auto const ti = handle.torrent_file();
    if (!ti || entries_.count(id) != 0) {
        return;
    }
    auto const& fs = ti->files();
    entry e;
    e.torrent_id = id;
    e.handle = handle;
    e.root = fs.name() + "/";
    for (auto const f : fs.file_range()) {
        if (fs.pad_file_at(f)) {
            continue;
        }
        auto const path = fs.file_path(f);
        if (!path.starts_with(e.root)) {
            continue; // a single-file torrent has no root folder, so it is no bundle
        }
        auto const below = path.substr(e.root.size());
        e.file_of_path[below] = static_cast<int>(f);
        if (below == protocol::manifest_file_name) {
            e.manifest_file = static_cast<int>(f);
        } else if (below == protocol::signature_file_name) {
            e.signature_file = static_cast<int>(f);
        }
    }
    if (e.manifest_file < 0 || e.signature_file < 0) {
        return;
    }
    // The manifest and its signature before anything else: nothing can be shown or unlocked without them.
    for (int const f : {e.manifest_file, e.signature_file}) {
        lt::file_index_t const index(f);
        handle.file_priority(index, lt::top_priority);
        if (fs.file_size(index) == 0) {
            continue;
        }
        auto const first = fs.map_file(index, 0, 1).piece;
        auto const last = fs.map_file(index, fs.file_size(index) - 1, 1).piece;
        for (auto p = first; p <= last; ++p) {
            handle.piece_priority(p, lt::top_priority);
            handle.set_piece_deadline(p, 0);
        }
    }
    base::log::info("torrent " + id + " is a bundle; fetching its manifest first");
    entries_.emplace(id, std::move(e));
    schedule_check();
}

void bundle_library::schedule_check() {
    if (check_scheduled_) {
        return;
    }
    check_scheduled_ = true;
    check_timer_.expires_after(check_interval);
    check_timer_.async_wait([this](boost::system::error_code ec) {
        check_scheduled_ = false;
        if (!ec) {
            check_pending();
        }
    });
}

void bundle_library::check_pending() {
    bool still_pending = false;
    for (auto& [id, e] : entries_) {
        if (e.status != bundle_status::fetching) {
            continue;
        }
        if (files_ready(e)) {
            verify(e);
        }
        still_pending = still_pending || e.status == bundle_status::fetching;
    }
    if (still_pending) {
        schedule_check();
    }
}

bool bundle_library::files_ready(entry const& e) const {
    auto const ti = e.handle.torrent_file();
    if (!ti) {
        return false;
    }
    auto const& fs = ti->files();
    for (int const f : {e.manifest_file, e.signature_file}) {
        lt::file_index_t const index(f);
        if (fs.file_size(index) == 0) {
            continue;
        }
        auto const first = fs.map_file(index, 0, 1).piece;
        auto const last = fs.map_file(index, fs.file_size(index) - 1, 1).piece;
        for (auto p = first; p <= last; ++p) {
            if (!e.handle.have_piece(p)) {
                return false;
            }
        }
    }
    return true;
}

void bundle_library::verify(entry& e) {
    auto const ti = e.handle.torrent_file();
    auto const& fs = ti->files();
    auto const save_path = e.handle.status(lt::torrent_handle::query_save_path).save_path;
    auto const path_of = [&](int f) { return save_path + "/" + fs.file_path(lt::file_index_t(f)); };
    if (static_cast<std::size_t>(fs.file_size(lt::file_index_t(e.manifest_file))) >
        bundle_manifest::max_bytes) {
        refuse(e, "its bundle.json is larger than " + std::to_string(bundle_manifest::max_bytes) + " bytes");
        return;
    }
    auto const manifest_bytes = read_capped(path_of(e.manifest_file), bundle_manifest::max_bytes);
    auto const signature_bytes = read_capped(path_of(e.signature_file), 64);
    if (!manifest_bytes || !signature_bytes) {
        if (++e.attempts >= verify_attempts) {
            refuse(e, "its bundle.json or bundle.sig could not be read from " + save_path);
        }
        return;
    }
    auto verified = protocol::verify_bundle_manifest(*manifest_bytes, *signature_bytes);
    if (!verified) {
        if (++e.attempts >= verify_attempts) {
            refuse(e, verified.error);
        }
        return;
    }
    auto& m = *verified.manifest;
    if (auto const problem = check_layout(e, m)) {
        refuse(e, *problem);
        return;
    }
    auto const known = keys_.bundle(m.id);
    if (known && known->publisher_key != m.publisher_key) {
        refuse(e,
               "it claims to be bundle \"" + m.id +
                   "\" but is signed by another publisher key than the one this bundle was first seen with");
        return;
    }
    if (known && m.version < known->highest_version) {
        refuse(e, "it is version " + std::to_string(m.version) + " of bundle \"" + m.id +
                      "\", older than version " + std::to_string(known->highest_version) +
                      " already seen here (a rolled-back bundle is refused)");
        return;
    }
    std::error_code ec;
    keys_.remember_bundle(m.id, {m.publisher_key, m.version}, ec);
    if (ec) {
        base::log::error("could not record bundle " + m.id + " in the keystore: " + ec.message());
    }
    e.manifest = std::move(m);
    e.status = bundle_status::verified;
    base::log::info("bundle " + e.manifest->id + " version " + std::to_string(e.manifest->version) +
                    " verified (torrent " + e.torrent_id + ")");
    emit_("bundle.verified", {{"infoHash", e.torrent_id},
                              {"bundleId", e.manifest->id},
                              {"version", e.manifest->version},
                              {"title", e.manifest->title}});
    apply_stored_tokens(e);
}

// Before anything of the torrent is shown as the publisher's: its file tree must be exactly the files
// bundle.json signs, each with the signed size and BEP 52 pieces root. libtorrent then checks every block it
// downloads against those roots, so no byte the publisher did not sign can be streamed under their name.
std::optional<std::string> bundle_library::check_layout(entry const& e, bundle_manifest const& m) const {
    auto const ti = e.handle.torrent_file();
    auto const& fs = ti->files();
    std::vector<protocol::stored_file> files;
    for (auto const& [path, index] : e.file_of_path) {
        protocol::stored_file f{path, static_cast<std::uint64_t>(fs.file_size(lt::file_index_t(index))), {}};
        auto const root = fs.root(lt::file_index_t(index));
        std::copy(root.begin(), root.end(), f.root.begin());
        files.push_back(std::move(f));
    }
    auto const problems = protocol::compare_with_torrent(m, files, ti->v2());
    if (problems.empty()) {
        return std::nullopt;
    }
    return problems.front();
}

void bundle_library::refuse(entry& e, std::string why) {
    e.status = bundle_status::refused;
    e.error = "This bundle cannot be trusted: " + std::move(why) + ". Its locked items stay locked.";
    base::log::warning("torrent " + e.torrent_id + ": " + e.error);
    emit_("torrent.error", {{"infoHash", e.torrent_id}, {"kind", "bundle"}, {"message", e.error}});
}

protocol::token_expectations bundle_library::expectations_for(bundle_manifest const& m) const {
    return {m.gate_keys, m.id, m.version, keys_.device(), now_seconds()};
}

bundle_library::hold_outcome
bundle_library::redeem_or_hold(std::string const& token_text,
                               std::vector<std::array<unsigned char, 32>> const& gate_keys,
                               std::string const& bundle_id) {
    hold_outcome outcome;
    for (auto const& [id, e] : entries_) {
        if (e.status == bundle_status::verified && e.manifest->id == bundle_id) {
            // The gate was asked about this bundle: a token for another one is not its answer.
            outcome.redeemed = redeem(token_text, bundle_id);
            return outcome;
        }
    }
    // Any version: the manifest that arrives later decides whether it is recent enough.
    auto const result = protocol::verify_unlock_token(
        token_text,
        {gate_keys, bundle_id, std::numeric_limits<std::uint64_t>::max(), keys_.device(), now_seconds()});
    if (!result) {
        outcome.redeemed.problem = result.problem;
        outcome.redeemed.detail = result.detail;
        return outcome;
    }
    std::error_code ec;
    keys_.add_token({result.token.bundle_id, result.token.token_id, token_text}, ec);
    if (ec) {
        outcome.redeemed.problem = protocol::token_problem::malformed;
        outcome.redeemed.detail =
            "the token is valid but could not be stored in the keystore: " + ec.message();
        return outcome;
    }
    outcome.held = true;
    outcome.redeemed.bundle_id = bundle_id;
    for (auto const& [path, key] : result.token.item_keys) {
        outcome.redeemed.items.push_back(path);
    }
    return outcome;
}

void bundle_library::apply_stored_tokens(entry& e) {
    for (auto const& stored : keys_.tokens_for(e.manifest->id)) {
        auto const result = protocol::verify_unlock_token(stored.text, expectations_for(*e.manifest));
        if (!result) {
            base::log::info("stored token " + stored.token_id + " for " + e.manifest->id +
                            " no longer applies: " + result.detail);
            continue;
        }
        apply(e, result.token);
    }
}

void bundle_library::apply(entry& e, protocol::verified_token const& token) {
    for (auto const& [path, key] : token.item_keys) {
        auto const* item = e.manifest->find_item(path);
        if (item && item->locked()) {
            e.unlocked[path] = unlocked_key{key, token.expires_at};
        }
    }
}

bundle_library::redeem_outcome bundle_library::redeem(std::string const& token_text,
                                                      std::string_view only_bundle) {
    redeem_outcome outcome;
    // The token names its bundle inside the signed body; checking it against each verified bundle lets the
    // verifier read nothing unsigned. The most telling refusal wins if none accepts it.
    std::optional<protocol::unlock_token_result> best;
    entry const* match = nullptr;
    auto rank = [](protocol::token_problem p) {
        using tp = protocol::token_problem;
        return p == tp::none ? 3 : (p == tp::untrusted_gate_key || p == tp::wrong_bundle) ? 1 : 2;
    };
    for (auto const& [id, e] : entries_) {
        if (e.status != bundle_status::verified || (!only_bundle.empty() && e.manifest->id != only_bundle)) {
            continue;
        }
        auto result = protocol::verify_unlock_token(token_text, expectations_for(*e.manifest));
        if (!best || rank(result.problem) > rank(best->problem) ||
            (result.problem == protocol::token_problem::none &&
             e.manifest->version > match->manifest->version)) {
            best = std::move(result);
            match = &e;
        }
    }
    if (!best) {
        outcome.no_bundle = true;
        outcome.detail =
            "no verified bundle is in the session to check this token against; add the bundle first";
        return outcome;
    }
    if (!*best) {
        outcome.problem = best->problem;
        outcome.detail = best->detail;
        return outcome;
    }
    auto const& token = best->token;
    for (auto const& [path, key] : token.item_keys) {
        auto const* item = match->manifest->find_item(path);
        if (item && item->locked()) {
            outcome.items.push_back(path);
        }
    }
    if (outcome.items.empty()) {
        outcome.problem = protocol::token_problem::malformed;
        outcome.detail = "the token unlocks no locked item of bundle \"" + token.bundle_id + "\"";
        return outcome;
    }
    std::error_code ec;
    keys_.add_token({token.bundle_id, token.token_id, token_text}, ec);
    if (ec) {
        outcome.problem = protocol::token_problem::malformed;
        outcome.detail = "the token is valid but could not be stored in the keystore: " + ec.message();
        return outcome;
    }
    outcome.bundle_id = token.bundle_id;
    for (auto& [id, e] : entries_) {
        if (e.status == bundle_status::verified && e.manifest->id == token.bundle_id &&
            e.manifest->version >= token.bundle_version) {
            apply(e, token);
            emit_("bundle.unlocked",
                  {{"infoHash", id}, {"bundleId", token.bundle_id}, {"items", outcome.items}});
        }
    }
    base::log::info("unlock token " + token.token_id + " accepted for bundle " + token.bundle_id);
    return outcome;
}

file_access bundle_library::access(std::string const& torrent_id, int file_index) const {
    file_access out;
    auto const it = entries_.find(torrent_id);
    if (it == entries_.end()) {
        return out;
    }
    auto const& e = it->second;
    auto const path = std::find_if(e.file_of_path.begin(), e.file_of_path.end(),
                                   [&](auto const& kv) { return kv.second == file_index; });
    if (path == e.file_of_path.end()) {
        return out;
    }
    if (!e.manifest) {
        // Until the manifest says which files are locked, none that looks locked is served.
        if (path->first.ends_with(".locked")) {
            out.what = file_access::kind::locked;
        }
        return out;
    }
    auto const* item = e.manifest->find_item(path->first);
    if (!item) {
        return out;
    }
    out.plaintext_size = item->size;
    out.sha256 = item->sha256;
    out.media_type = item->media_type;
    if (!item->locked()) {
        return out;
    }
    out.what = file_access::kind::locked;
    auto const key = e.unlocked.find(item->path);
    if (key == e.unlocked.end() || (key->second.expires_at && now_seconds() >= *key->second.expires_at)) {
        return out;
    }
    out.what = file_access::kind::unlocked;
    out.key = key->second.key;
    out.identity = protocol::item_identity(e.manifest->id, item->path);
    return out;
}

std::optional<int> bundle_library::item_file(std::string const& torrent_id,
                                             std::string const& item_path) const {
    auto const it = entries_.find(torrent_id);
    if (it == entries_.end() || !it->second.manifest || !it->second.manifest->find_item(item_path)) {
        return std::nullopt;
    }
    auto const f = it->second.file_of_path.find(item_path);
    if (f == it->second.file_of_path.end()) {
        return std::nullopt;
    }
    return f->second;
}

protocol::bundle_item const* bundle_library::item(std::string const& torrent_id,
                                                  std::string const& item_path) const {
    auto const it = entries_.find(torrent_id);
    if (it == entries_.end() || !it->second.manifest) {
        return nullptr;
    }
    return it->second.manifest->find_item(item_path);
}

protocol::bundle_manifest const* bundle_library::manifest(std::string const& torrent_id) const {
    auto const it = entries_.find(torrent_id);
    return it == entries_.end() || !it->second.manifest ? nullptr : &*it->second.manifest;
}

std::optional<json> bundle_library::describe(std::string const& torrent_id) const {
    auto const it = entries_.find(torrent_id);
    if (it == entries_.end()) {
        return std::nullopt;
    }
    auto const& e = it->second;
    json j = {{"infoHash", e.torrent_id},
              {"status", std::string(status_name(e.status))},
              {"signature", e.status == bundle_status::verified   ? "valid"
                            : e.status == bundle_status::fetching ? "pending"
                                                                  : "refused"}};
    if (!e.error.empty()) {
        j["error"] = e.error;
    }
    if (!e.manifest) {
        return j;
    }
    auto const& m = *e.manifest;
    auto const file_of = [&](std::string const& path) { return e.file_of_path.at(path); };
    j["bundleId"] = m.id;
    j["version"] = m.version;
    j["title"] = m.title;
    j["creator"] = m.creator;
    j["description"] = m.description;
    j["publisherKey"] = protocol::encode_public_key("ed25519", m.publisher_key);
    if (m.cover) {
        j["cover"] = {{"path", m.cover->path}, {"fileIndex", file_of(m.cover->path)}};
    }
    if (!m.gate_url.empty()) {
        j["gateUrl"] = m.gate_url;
    }
    auto& items = j["items"] = json::array();
    for (auto const& item : m.items) {
        json i = {{"path", item.path},
                  {"fileIndex", file_of(item.path)},
                  {"size", item.size},
                  {"mediaType", item.media_type},
                  {"sha256", protocol::to_hex(item.sha256)},
                  {"access", std::string(protocol::to_string(item.access))}};
        if (item.gate) {
            i["gate"] = std::string(protocol::to_string(*item.gate));
            auto const key = e.unlocked.find(item.path);
            i["unlocked"] = key != e.unlocked.end() &&
                            (!key->second.expires_at || now_seconds() < *key->second.expires_at);
        }
        if (!item.subtitles.empty()) {
            auto& tracks = i["subtitles"] = json::array();
            for (auto const& t : item.subtitles) {
                json track{
                    {"lang", t.lang}, {"label", t.label}, {"path", t.path}, {"fileIndex", file_of(t.path)}};
                if (!t.credit.empty()) {
                    track["credit"] = t.credit;
                }
                tracks.push_back(std::move(track));
            }
        }
        items.push_back(std::move(i));
    }
    j["gates"] = protocol::to_json(m.gates);
    return j;
}

} // namespace sluice::bundle
