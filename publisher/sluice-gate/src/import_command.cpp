#include "sluice-gate/import_command.hpp"

#include "common/bundle_reader.hpp"
#include "common/key_files.hpp"
#include "sluice-gate/token_issuer.hpp"

#include <sluice/protocol/bundle_manifest.hpp>

#include <libtorrent/magnet_uri.hpp>

#include <chrono>

namespace sluice::gate {

using publisher::result;

result<import_report> import_bundle(gate_store& store, import_options const& options) {
    using failure = result<import_report>;
    auto files = publisher::read_manifest_files(options.bundle_folder);
    if (!files) {
        return failure::failure(files.error);
    }
    if (!files->signature) {
        return failure::failure(options.bundle_folder.string() + ": no bundle.sig");
    }
    auto verified = protocol::verify_bundle_manifest(files->manifest, *files->signature);
    if (!verified) {
        return failure::failure(options.bundle_folder.string() + ": " + verified.error);
    }
    auto const& manifest = *verified.manifest;
    // "out/les-veilleurs/" names the same folder as "out/les-veilleurs".
    auto folder = options.bundle_folder.lexically_normal();
    if (folder.filename().empty()) {
        folder = folder.parent_path();
    }
    auto const folder_name = folder.filename().string();
    if (folder_name != manifest.id) {
        return failure::failure("the bundle folder is named \"" + folder_name + "\" but holds bundle \"" +
                                manifest.id + "\"");
    }

    auto gate_key = publisher::load_signing_key(options.gate_key_file);
    if (!gate_key) {
        return failure::failure(gate_key.error);
    }
    if (!trusts_gate_key(manifest, *gate_key)) {
        return failure::failure("bundle " + manifest.id + " does not list this gate's key (" +
                                protocol::encode_public_key("ed25519", gate_key->public_key) +
                                ") in gateKeys: tokens it signs would be refused");
    }

    auto keys = publisher::load_item_keys(options.keys_file);
    if (!keys) {
        return failure::failure(keys.error);
    }
    if (keys->bundle_id != manifest.id || keys->version != manifest.version) {
        return failure::failure("the keys file is for " + keys->bundle_id + " version " +
                                std::to_string(keys->version) + ", the bundle is " + manifest.id +
                                " version " + std::to_string(manifest.version));
    }
    for (auto const& item : manifest.items) {
        if (!item.locked()) {
            continue;
        }
        auto const* key = keys->find(item.path);
        if (!key) {
            return failure::failure("the keys file has no key for the locked item " + item.path);
        }
        if (key->gate != *item.gate) {
            return failure::failure("the keys file gives " + item.path + " the gate " +
                                    std::string(protocol::to_string(key->gate)) + ", the manifest " +
                                    std::string(protocol::to_string(*item.gate)));
        }
    }
    for (auto const& entry : keys->items) {
        auto const* item = manifest.find_item(entry.path);
        if (!item || !item->locked()) {
            return failure::failure("the keys file has a key for " + entry.path +
                                    ", which is not a locked item of the bundle");
        }
    }

    import_report report;
    report.bundle_id = manifest.id;
    report.version = manifest.version;
    auto torrent_file = options.torrent_file;
    if (!torrent_file) {
        auto const beside = folder.parent_path() / (manifest.id + ".torrent");
        std::error_code ec;
        if (fs::exists(beside, ec)) {
            torrent_file = beside;
        } else {
            report.warnings.push_back("no " + beside.string() +
                                      ": the landing page will have no magnet link (use --torrent FILE)");
        }
    }
    if (torrent_file) {
        auto torrent = publisher::load_torrent(*torrent_file);
        if (!torrent) {
            return failure::failure(torrent.error);
        }
        if ((*torrent)->name() != manifest.id) {
            return failure::failure(torrent_file->string() + " is the torrent of \"" + (*torrent)->name() +
                                    "\", not of bundle \"" + manifest.id + "\"");
        }
        // A landing page must not offer a magnet whose files are not the ones this bundle signs.
        auto const problems = protocol::compare_with_torrent(
            manifest, publisher::torrent_stored_files(**torrent), (*torrent)->info_hashes().has_v2());
        if (!problems.empty()) {
            return failure::failure(torrent_file->string() + " does not carry the files bundle " +
                                    manifest.id + " signs: " + problems.front());
        }
        report.magnet = lt::make_magnet_uri(**torrent);
    }

    stored_bundle stored;
    stored.id = manifest.id;
    stored.version = manifest.version;
    stored.manifest = files->manifest;
    stored.signature = *files->signature;
    stored.keys = publisher::item_keys_text(*keys);
    stored.magnet = report.magnet;
    stored.imported_at =
        std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
            .count();
    std::error_code ec;
    report.outcome = store.put_bundle(stored, ec);
    if (ec) {
        return failure::failure("the gate's storage failed: " + ec.message());
    }
    if (report.outcome == import_outcome::refused) {
        return failure::failure("the gate already has bundle " + manifest.id +
                                " at this or a later version (a lower version, or the same version with "
                                "other content, is refused)");
    }
    if (auto const& p = manifest.gates.pledge) {
        campaign_record campaign{p->campaign_id,    manifest.id, p->goal_backers,  p->goal_amount,
                                 p->price,          p->currency, p->deadline_unix, p->expected_delivery,
                                 p->if_goal_missed, "open",      std::nullopt,     p->offered_tiers()};
        store.ensure_campaign(campaign, ec);
        if (ec) {
            return failure::failure("the gate's storage failed: " + ec.message());
        }
    }
    return report;
}

} // namespace sluice::gate
