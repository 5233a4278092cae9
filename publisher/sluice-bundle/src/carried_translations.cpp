#include "sluice-bundle/carried_translations.hpp"

#include "sluice-bundle/bundle_spec.hpp"

#include <sluice/fileio/file_io.hpp>
#include <sluice/protocol/strict_object.hpp>
#include <sluice/protocol/translation_addon.hpp>
#include <sluice/protocol/untrusted_json.hpp>
#include <sluice/protocol/webvtt_check.hpp>

namespace sluice::publisher {

namespace {

constexpr std::size_t max_translations_index_bytes = 4 * 1024 * 1024;

// Where a carried track is stored: beside nothing of the creator's, named after its item and language.
std::string stored_path(std::string item, std::string const& lang) {
    if (item.ends_with(locked_suffix)) {
        item.resize(item.size() - locked_suffix.size());
    }
    return "translations/" + item + "." + lang + ".vtt";
}

} // namespace

result<std::vector<carried_translation>> read_carried_translations(fs::path const& folder,
                                                                   protocol::bundle_manifest const& draft) {
    using failure = result<std::vector<carried_translation>>;
    auto const index_file = folder / "translations.json";
    std::error_code ec;
    auto const text = fileio::read_small_file(index_file, max_translations_index_bytes, ec);
    if (ec) {
        return failure::failure(fileio::describe(index_file, ec));
    }
    auto const parsed = protocol::parse_untrusted_json(text);
    if (!parsed) {
        return failure::failure(index_file.string() + " is not JSON: " + parsed.detail);
    }
    std::vector<carried_translation> out;
    try {
        protocol::strict_object const r(parsed.value, "", {"format", "bundleId", "translations"});
        if (r.string("format", 1, 64) != "sluice-translations/1") {
            protocol::shape_fail("/format",
                                 "must be \"sluice-translations/1\" (what sluice-gate translations "
                                 "export writes)");
        }
        auto const& list = r.array("translations", 0, 1000);
        for (std::size_t i = 0; i < list.size(); ++i) {
            auto const where = "/translations/" + std::to_string(i);
            protocol::strict_object const t(list[i], where, {"addon", "track"});
            auto const addon = t.string("addon", 1, protocol::max_translation_addon_bytes);
            auto const name = t.string("track", 1, 100);
            if (name.find('/') != std::string::npos || name.starts_with(".")) {
                protocol::shape_fail(where + "/track", "must be a file name in the same folder");
            }
            auto const track = fileio::read_small_file(folder / name, protocol::max_webvtt_bytes, ec);
            if (ec) {
                return failure::failure(fileio::describe(folder / name, ec));
            }
            auto const verified = protocol::verify_carried_translation(addon, draft, track);
            if (!verified) {
                return failure::failure(index_file.string() + " at " + where + ": " + verified.detail);
            }
            auto const& a = verified.addon;
            protocol::subtitle_track carried;
            carried.lang = a.lang;
            carried.label = a.label;
            carried.credit = a.credit;
            carried.path = stored_path(a.item, a.lang);
            out.push_back({a.item, std::move(carried), folder / name});
        }
    } catch (protocol::json_shape_error const& e) {
        return failure::failure(index_file.string() + ": " + e.message());
    }
    return out;
}

} // namespace sluice::publisher
