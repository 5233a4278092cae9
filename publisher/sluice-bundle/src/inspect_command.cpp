#include "sluice-bundle/inspect_command.hpp"

#include "common/bundle_reader.hpp"
#include "sluice-bundle/progress.hpp"

#include <sluice/fileio/file_io.hpp>
#include <sluice/protocol/bundle_manifest.hpp>
#include <sluice/protocol/keys.hpp>

#include <libtorrent/announce_entry.hpp>
#include <libtorrent/magnet_uri.hpp>

#include <sstream>

namespace sluice::publisher {

namespace {

using nlohmann::json;

json torrent_json(lt::torrent_info const& torrent, fs::path const& file) {
    auto const& files = torrent.files();
    json list = json::array();
    std::uint64_t content = 0;
    for (auto const f : files.file_range()) {
        if (files.pad_file_at(f)) {
            continue;
        }
        list.push_back({{"path", path_in_root(files, f)}, {"size", files.file_size(f)}});
        content += static_cast<std::uint64_t>(files.file_size(f));
    }
    json trackers = json::array();
    for (auto const& t : torrent.trackers()) {
        trackers.push_back(t.url);
    }
    json seeds = json::array();
    for (auto const& s : torrent.web_seeds()) {
        seeds.push_back(s.url);
    }
    auto const v1 = v1_hex(torrent);
    auto const v2 = v2_hex(torrent);
    return {{"file", file.string()},
            {"name", torrent.name()},
            {"infoHashV1", v1.empty() ? json(nullptr) : json(v1)},
            {"infoHashV2", v2.empty() ? json(nullptr) : json(v2)},
            {"magnet", lt::make_magnet_uri(torrent)},
            {"pieceLength", torrent.piece_length()},
            {"pieces", torrent.num_pieces()},
            {"totalSize", content},
            {"createdBy", torrent.creator()},
            {"trackers", std::move(trackers)},
            {"webSeeds", std::move(seeds)},
            {"files", std::move(list)}};
}

// The manifest as bundle.json has it, with what only the folder can add: each item's size on disk.
json bundle_json(protocol::bundle_manifest const& m, fs::path const& folder) {
    auto j = protocol::to_json(m);
    j.erase("format");
    if (!j.contains("gates")) {
        j["gates"] = json::object();
    }
    if (!j.contains("gateKeys")) {
        j["gateKeys"] = json::array();
    }
    for (auto& item : j["items"]) {
        std::error_code ec;
        auto const size = fs::file_size(folder / item["path"].get<std::string>(), ec);
        item["storedSize"] = ec ? json(nullptr) : json(size);
        if (!item.contains("subtitles")) {
            item["subtitles"] = json::array();
        }
    }
    return j;
}

struct manifest_section {
    json bundle = nullptr;
    json signature = nullptr;
    json folder = nullptr;
};

result<manifest_section> read_section(fs::path const& folder) {
    auto files = read_manifest_files(folder);
    if (!files) {
        return result<manifest_section>::failure(files.error);
    }
    auto parsed = protocol::parse_bundle_manifest(files->manifest);
    if (!parsed) {
        return result<manifest_section>::failure(parsed.error);
    }
    manifest_section section;
    section.folder = folder.string();
    section.bundle = bundle_json(*parsed.manifest, folder);
    auto const verified = protocol::verify_bundle_manifest(files->manifest, files->signature.value_or(""));
    section.signature =
        verified
            ? json{{"valid", true}}
            : json{{"valid", false}, {"error", files->signature ? verified.error : "bundle.sig is missing"}};
    return section;
}

// Amounts are in the currency's minor unit; most currencies have two decimals, these none.
std::string money(std::uint64_t amount, std::string const& currency) {
    static constexpr std::string_view whole[] = {"JPY", "KRW", "VND", "CLP", "ISK",
                                                 "UGX", "XAF", "XOF", "PYG"};
    if (std::find(std::begin(whole), std::end(whole), currency) != std::end(whole)) {
        return std::to_string(amount) + " " + currency;
    }
    char text[64];
    std::snprintf(text, sizeof text, "%llu.%02llu %s", static_cast<unsigned long long>(amount / 100),
                  static_cast<unsigned long long>(amount % 100), currency.c_str());
    return text;
}

} // namespace

result<json> inspect_bundle(inspect_options const& options) {
    std::error_code ec;
    if (fs::symlink_status(options.target, ec).type() == fs::file_type::not_found) {
        return result<json>::failure(options.target.string() + " does not exist");
    }
    json out = {{"format", "sluice-bundle-inspect/1"}, {"path", options.target.string()}};
    if (fs::is_directory(options.target)) {
        // "dist/les-veilleurs/" and "." name the folder too: its parent is where the .torrent is.
        auto folder = fs::absolute(options.target).lexically_normal();
        if (!folder.has_filename()) {
            folder = folder.parent_path();
        }
        auto section = read_section(folder);
        if (!section) {
            return result<json>::failure(section.error);
        }
        out["kind"] = "folder";
        out["folder"] = section->folder;
        out["signature"] = section->signature;
        out["bundle"] = section->bundle;
        auto const torrent_file =
            folder.parent_path() / (section->bundle["id"].get<std::string>() + ".torrent");
        auto torrent = fs::exists(torrent_file, ec) ? load_torrent(torrent_file)
                                                    : result<std::shared_ptr<lt::torrent_info const>>();
        out["torrent"] = torrent ? torrent_json(**torrent, torrent_file) : json(nullptr);
        return out;
    }
    auto torrent = load_torrent(options.target);
    if (!torrent) {
        return result<json>::failure(torrent.error);
    }
    out["kind"] = "torrent";
    out["torrent"] = torrent_json(**torrent, options.target);
    out["folder"] = nullptr;
    out["signature"] = nullptr;
    out["bundle"] = nullptr;
    if (auto const folder = find_bundle_folder(options.target, (*torrent)->name(), options.data)) {
        auto section = read_section(*folder);
        if (!section) {
            return result<json>::failure(section.error);
        }
        out["folder"] = section->folder;
        out["signature"] = section->signature;
        out["bundle"] = section->bundle;
    }
    return out;
}

std::string render_inspection(json const& j) {
    std::ostringstream out;
    auto const line = [&](std::string_view label, std::string const& value) {
        out << "  " << label << std::string(label.size() < 14 ? 14 - label.size() : 1, ' ') << value << "\n";
    };
    auto const& b = j.at("bundle");
    if (b.is_object()) {
        out << b.at("title").get<std::string>() << "\n";
        line("id", b.at("id").get<std::string>());
        line("version", std::to_string(b.at("version").get<std::uint64_t>()));
        line("creator", b.at("creator").get<std::string>());
        if (b.contains("description")) {
            line("description", b.at("description").get<std::string>());
        }
        line("publisher", b.at("publisherKey").get<std::string>());
        auto const& sig = j.at("signature");
        line("signature",
             sig.at("valid").get<bool>() ? "valid" : "INVALID: " + sig.at("error").get<std::string>());
        if (b.contains("gateUrl")) {
            line("gate URL", b.at("gateUrl").get<std::string>());
        }
        for (auto const& key : b.at("gateKeys")) {
            line("gate key", key.get<std::string>());
        }
        if (b.contains("cover")) {
            line("cover", b.at("cover").at("path").get<std::string>());
        }
        auto const& gates = b.at("gates");
        if (!gates.empty()) {
            out << "\ngates\n";
        }
        if (gates.contains("email")) {
            line("email", gates["email"].value("doubleOptIn", false)
                              ? "address confirmed by a code (double opt-in)"
                              : "address only");
        }
        if (gates.contains("pay")) {
            auto const& p = gates["pay"];
            auto const currency = p.at("currency").get<std::string>();
            auto text =
                "pay what you want, at least " + money(p.at("minimum").get<std::uint64_t>(), currency);
            if (p.contains("suggested")) {
                text += ", suggested " + money(p.at("suggested").get<std::uint64_t>(), currency);
            }
            line("pay", text);
        }
        if (gates.contains("pledge")) {
            auto const& p = gates["pledge"];
            auto const currency = p.at("currency").get<std::string>();
            std::string goal;
            if (p.contains("goalBackers")) {
                goal += std::to_string(p["goalBackers"].get<std::uint64_t>()) + " backers";
            }
            if (p.contains("goalAmount")) {
                goal += (goal.empty() ? "" : " and ") + money(p["goalAmount"].get<std::uint64_t>(), currency);
            }
            line("pledge", "campaign " + p.at("campaignId").get<std::string>() + ", goal " + goal);
            line("", (p.contains("price") ? "price " + money(p["price"].get<std::uint64_t>(), currency) + ", "
                                          : std::string()) +
                         "deadline " + p.at("deadline").get<std::string>() + ", delivery expected " +
                         p.at("expectedDelivery").get<std::string>());
            for (auto const& t : p.value("tiers", json::array())) {
                auto text = "tier " + t.at("id").get<std::string>() + ": " +
                            t.at("title").get<std::string>() + ", " +
                            money(t.at("price").get<std::uint64_t>(), currency);
                if (t.contains("limit")) {
                    text += ", at most " + std::to_string(t["limit"].get<std::uint64_t>()) + " backers";
                }
                text += ", unlocks " + (t.contains("items") ? std::to_string(t["items"].size()) + " item(s)"
                                                            : std::string("every pledge item"));
                if (t.contains("deliveries")) {
                    text += ", receives " + std::to_string(t["deliveries"].size()) + " later delivery(ies)";
                }
                line("", text);
            }
            line("", "if the goal is missed: " + p.at("ifGoalMissed").get<std::string>());
        }
        out << "\nitems (" << b.at("items").size() << ")\n";
        for (auto const& item : b.at("items")) {
            auto const access = item.at("access").get<std::string>();
            auto const size = human_size(item.at("size").get<std::uint64_t>());
            out << "  " << item.at("path").get<std::string>() << "\n";
            line("", size + ", " + item.at("mediaType").get<std::string>() + ", " +
                         (access == "free" ? std::string("free")
                                           : "locked (" + item.at("gate").get<std::string>() + " gate)"));
            for (auto const& track : item.at("subtitles")) {
                line("", "subtitles " + track.at("lang").get<std::string>() + " \"" +
                             track.at("label").get<std::string>() +
                             "\": " + track.at("path").get<std::string>());
            }
        }
    } else {
        out << j.at("path").get<std::string>() << "\n";
        line("manifest", "no bundle folder found next to the torrent (pass --data <folder>)");
    }
    auto const& t = j.at("torrent");
    if (t.is_object()) {
        out << "\ntorrent " << t.at("file").get<std::string>() << "\n";
        line("name", t.at("name").get<std::string>());
        line("v1 info-hash", t.at("infoHashV1").is_null() ? "none" : t.at("infoHashV1").get<std::string>());
        line("v2 info-hash", t.at("infoHashV2").is_null() ? "none" : t.at("infoHashV2").get<std::string>());
        line("size", human_size(t.at("totalSize").get<std::uint64_t>()) + " in " +
                         std::to_string(t.at("files").size()) + " files, " +
                         std::to_string(t.at("pieces").get<int>()) + " pieces of " +
                         human_size(t.at("pieceLength").get<std::uint64_t>()));
        for (auto const& tracker : t.at("trackers")) {
            line("tracker", tracker.get<std::string>());
        }
        for (auto const& seed : t.at("webSeeds")) {
            line("web seed", seed.get<std::string>());
        }
        line("magnet", t.at("magnet").get<std::string>());
    }
    return out.str();
}

} // namespace sluice::publisher
