#include "bundle/translation_shelf.hpp"

#include "base/log.hpp"

#include <sluice/fileio/atomic_file.hpp>
#include <sluice/fileio/file_io.hpp>
#include <sluice/protocol/bundle_manifest.hpp>
#include <sluice/protocol/webvtt_check.hpp>

#include <algorithm>

namespace sluice::bundle {

namespace fs = std::filesystem;

namespace {

constexpr char addon_suffix[] = ".addon";
constexpr char track_suffix[] = ".vtt";

std::string hex_of(std::string_view bytes) {
    return protocol::to_hex(protocol::sha256_of(bytes));
}

// The position of an item in the manifest, for listing translations in the bundle's order.
std::size_t item_rank(protocol::bundle_manifest const& m, std::string const& path) {
    auto const it =
        std::find_if(m.items.begin(), m.items.end(), [&](auto const& i) { return i.path == path; });
    return static_cast<std::size_t>(it - m.items.begin());
}

} // namespace

fs::path translation_shelf::bundle_folder(std::string_view bundle_id) const {
    // Bundle ids are slugs (checked with the manifest), so the id is a plain folder name.
    return folder_ / std::string(bundle_id);
}

std::string translation_shelf::keep(protocol::bundle_manifest const& manifest, std::string_view addon_text,
                                    std::string_view track) {
    auto const verified = protocol::verify_translation_addon(addon_text, manifest, track);
    if (!verified) {
        return verified.detail;
    }
    auto const folder = bundle_folder(manifest.id);
    std::error_code ec;
    fs::create_directories(folder, ec);
    auto const track_file = folder / (hex_of(track) + track_suffix);
    // The track first: an add-on on disk always has its track beside it.
    if (!ec) {
        fileio::write_file_atomically(track_file, track, 0644, true, ec);
    }
    if (!ec) {
        fileio::write_file_atomically(folder / (hex_of(addon_text) + addon_suffix), addon_text, 0644, true,
                                      ec);
    }
    if (ec) {
        return "cannot keep the translation in " + folder.string() + ": " + ec.message();
    }
    std::erase_if(fitting_cache_, [&](auto const& entry) { return entry.first.first == manifest.id; });
    return {};
}

bool translation_shelf::has(std::string_view bundle_id, std::string_view addon_text) const {
    std::error_code ec;
    return fs::exists(bundle_folder(bundle_id) / (hex_of(addon_text) + addon_suffix), ec);
}

std::optional<std::string> translation_shelf::read_track(std::string_view bundle_id,
                                                         std::string_view sha256_hex) const {
    std::error_code ec;
    auto text = fileio::read_small_file(bundle_folder(bundle_id) / (std::string(sha256_hex) + track_suffix),
                                        protocol::max_webvtt_bytes, ec);
    if (ec || hex_of(text) != sha256_hex) {
        return std::nullopt;
    }
    return text;
}

std::vector<kept_translation> translation_shelf::fitting(protocol::bundle_manifest const& manifest) {
    auto const key = std::pair{manifest.id, manifest.version};
    if (auto const cached = fitting_cache_.find(key); cached != fitting_cache_.end()) {
        return cached->second;
    }
    std::vector<kept_translation> found;
    std::error_code ec;
    for (fs::directory_iterator it(bundle_folder(manifest.id), ec), end; !ec && it != end; it.increment(ec)) {
        if (it->path().extension() != addon_suffix) {
            continue;
        }
        std::error_code read_ec;
        auto const text = fileio::read_small_file(it->path(), protocol::max_translation_addon_bytes, read_ec);
        auto const verified = read_ec ? protocol::translation_addon_result{}
                                      : protocol::verify_translation_addon(text, manifest);
        if (read_ec || !verified) {
            // Another version's, or damaged: not shown.
            base::log::debug("translation " + it->path().string() + " does not fit " + manifest.id +
                             " version " + std::to_string(manifest.version) + ": " +
                             (read_ec ? read_ec.message() : verified.detail));
            continue;
        }
        auto const sha = protocol::to_hex(verified.addon.sha256);
        auto const track = read_track(manifest.id, sha);
        if (!track || !protocol::verify_translation_addon(text, manifest, *track)) {
            base::log::warning("translation " + it->path().string() + ": its track is missing or changed");
            continue;
        }
        auto same = std::find_if(found.begin(), found.end(), [&](kept_translation const& k) {
            return k.addon.item == verified.addon.item && k.addon.lang == verified.addon.lang;
        });
        if (same == found.end()) {
            found.push_back({verified.addon, sha});
        } else if (verified.addon.approved_at > same->addon.approved_at) {
            *same = {verified.addon, sha};
        }
    }
    std::sort(found.begin(), found.end(), [&](kept_translation const& a, kept_translation const& b) {
        auto const ra = item_rank(manifest, a.addon.item);
        auto const rb = item_rank(manifest, b.addon.item);
        return ra != rb ? ra < rb : a.addon.lang < b.addon.lang;
    });
    fitting_cache_[key] = found;
    return found;
}

std::optional<std::string> translation_shelf::track(protocol::bundle_manifest const& manifest,
                                                    std::string_view sha256_hex) {
    auto const kept = fitting(manifest);
    bool const fits = std::any_of(kept.begin(), kept.end(),
                                  [&](kept_translation const& k) { return k.track_sha256 == sha256_hex; });
    return fits ? read_track(manifest.id, sha256_hex) : std::nullopt;
}

} // namespace sluice::bundle
