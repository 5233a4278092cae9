#include "sluice-bundle/create_command.hpp"

#include "common/bundle_reader.hpp"
#include "common/key_files.hpp"
#include "sluice-bundle/bundle_plan.hpp"
#include "sluice-bundle/bundle_spec.hpp"
#include "sluice-bundle/carried_translations.hpp"
#include "sluice-bundle/interrupt.hpp"
#include "sluice-bundle/item_writer.hpp"
#include "sluice-bundle/media_prep.hpp"
#include "sluice-bundle/staging_dir.hpp"
#include "sluice-bundle/torrent_maker.hpp"

#include <sluice/fileio/atomic_file.hpp>
#include <sluice/fileio/file_io.hpp>
#include <sluice/protocol/bundle_manifest.hpp>
#include <sluice/protocol/keys.hpp>
#include <sluice/protocol/locked_item.hpp>

#include <libtorrent/magnet_uri.hpp>

#include <map>
#include <sys/stat.h>

namespace sluice::publisher {

namespace {

using failure = result<create_outcome>;

constexpr std::size_t max_spec_bytes = bundle_spec::max_bytes;

std::string creator_string() {
    return "sluice-bundle " SLUICE_VERSION;
}

// What an earlier version tells about one locked item: its key, and the plaintext it sealed.
struct old_item {
    protocol::item_key key{};
    std::uint64_t size = 0;
    std::array<unsigned char, 32> sha256{};
};

// --reuse-keys: a key is kept only for an item whose plaintext has not changed. The nonces of the locked
// format are the chunk indexes, so sealing different bytes under an old key and identity would repeat
// (key, nonce) pairs across two published files; that is why the old manifest must be at hand to compare.
result<std::map<std::string, old_item>> load_reusable_keys(create_options const& options,
                                                           bundle_spec const& spec,
                                                           protocol::signing_keypair const& publisher,
                                                           std::FILE* log) {
    using keys_failure = result<std::map<std::string, old_item>>;
    auto keys = load_item_keys(*options.reuse_keys);
    if (!keys) {
        return keys_failure::failure(keys.error);
    }
    if (keys->bundle_id != spec.id) {
        return keys_failure::failure(options.reuse_keys->string() + " holds the keys of bundle \"" +
                                     keys->bundle_id + "\", not \"" + spec.id + "\"");
    }
    auto const folder = options.old_bundle.value_or(options.reuse_keys->parent_path() / spec.id);
    auto files = read_manifest_files(folder);
    if (!files) {
        return keys_failure::failure("--reuse-keys needs the earlier bundle folder to tell which items are "
                                     "unchanged (a key is only kept "
                                     "for the same bytes): " +
                                     files.error + "; pass --old-bundle DIR");
    }
    auto const old = protocol::verify_bundle_manifest(files->manifest, files->signature.value_or(""));
    if (!old) {
        return keys_failure::failure(folder.string() + ": " + old.error);
    }
    if (old.manifest->id != spec.id) {
        return keys_failure::failure(folder.string() + " is bundle \"" + old.manifest->id + "\", not \"" +
                                     spec.id + "\"");
    }
    if (old.manifest->publisher_key != publisher.public_key) {
        std::fprintf(log,
                     "sluice-bundle: warning: %s was signed with another publisher key; hosts that know it "
                     "will not take this version as its successor\n",
                     folder.string().c_str());
    }
    if (spec.version <= old.manifest->version) {
        std::fprintf(
            log,
            "sluice-bundle: warning: version %llu does not go above the earlier bundle's %llu; hosts that "
            "have seen that one will refuse this one\n",
            static_cast<unsigned long long>(spec.version),
            static_cast<unsigned long long>(old.manifest->version));
    }
    std::map<std::string, old_item> reusable;
    for (auto const& entry : keys->items) {
        auto const* item = old.manifest->find_item(entry.path);
        if (item && item->locked()) {
            reusable[entry.path] = {entry.key, item->size, item->sha256};
        }
    }
    return reusable;
}

// Every rule of the manifest, checked on a draft before any byte is hashed: a spec that makes an invalid
// bundle.json should fail in a second, not after an hour of encryption.
protocol::bundle_manifest draft_manifest(bundle_spec const& spec,
                                         protocol::signing_keypair const& publisher) {
    protocol::bundle_manifest m;
    m.id = spec.id;
    m.version = spec.version;
    m.title = spec.title;
    m.creator = spec.creator;
    m.description = spec.description;
    if (spec.cover) {
        m.cover = protocol::bundle_cover{*spec.cover};
    }
    m.publisher_key = publisher.public_key;
    m.gate_keys = spec.gate_keys;
    m.translation_keys = spec.translation_keys;
    m.gate_url = spec.gate_url;
    m.gates = spec.gates;
    // A spec may name a tier's items as the creator knows them, by source file; the manifest names them by
    // their path in the bundle.
    if (m.gates.pledge) {
        for (auto& tier : m.gates.pledge->tiers) {
            if (!tier.items) {
                continue;
            }
            for (auto& path : *tier.items) {
                auto const it = std::find_if(spec.items.begin(), spec.items.end(),
                                             [&](spec_item const& i) { return i.source == path; });
                if (it != spec.items.end()) {
                    path = it->bundle_path();
                }
            }
        }
    }
    for (auto const& item : spec.items) {
        protocol::bundle_item out;
        out.path = item.bundle_path();
        out.media_type = item.media_type;
        out.access = item.access;
        out.gate = item.gate;
        if (out.locked()) {
            out.stored_size = protocol::locked_header{}.encrypted_size(); // of nothing, until it is written
        }
        for (auto const& track : item.subtitles) {
            out.subtitles.push_back({track.lang, track.label, track.source, 0, {}, {}, track.credit});
        }
        m.items.push_back(std::move(out));
    }
    return m;
}

std::string manifest_text(protocol::bundle_manifest const& m) {
    return protocol::to_json(m).dump(4) + "\n";
}

bool is_private(fs::path const& file) {
    struct stat st {};
    return ::stat(file.c_str(), &st) != 0 || (st.st_mode & 077) == 0;
}

// Each video or audio item that some browser would not play as it is: a warning, or with --prepare-media a
// conversion into MP4 in a folder of its own (`prepared`), which the item is then stored from under its new
// name (the extension changed) and type; the spec's tiers follow the new name.
status check_media_items(bundle_spec& spec, std::vector<planned_file>& plan, create_options const& options,
                         std::optional<staging_dir>& prepared, std::FILE* log) {
    for (auto& item : spec.items) {
        if (!item.media_type.starts_with("video/") && !item.media_type.starts_with("audio/")) {
            continue;
        }
        auto const file = std::find_if(plan.begin(), plan.end(), [&](planned_file const& f) {
            return f.bundle_path == item.bundle_path();
        });
        std::string why;
        auto const verdict = file == plan.end() ? std::nullopt : judge_media(file->source, why);
        if (!verdict) {
            std::fprintf(log, "sluice-bundle: warning: cannot tell whether %s plays in browsers: %s\n",
                         item.source.c_str(), why.c_str());
            continue;
        }
        if (verdict->plays_everywhere) {
            continue;
        }
        if (!options.prepare_media) {
            std::fprintf(
                log,
                "sluice-bundle: warning: %s (%s) does not play in every browser as it is; viewers' hosts "
                "will convert it as it plays, with ffmpeg (--prepare-media converts it once now)\n",
                item.source.c_str(), verdict->what.c_str());
            continue;
        }
        if (!prepared) {
            auto made = staging_dir::create(options.out_dir, spec.id + "-media");
            if (!made) {
                return status::failure(made.error);
            }
            prepared.emplace(std::move(*made));
        }
        auto const old_source = item.source;
        auto const old_path = item.bundle_path();
        auto const audio_only = verdict->plan.video == ffmpeg::stream_action::none;
        item.source = fs::path(old_source).replace_extension(audio_only ? ".m4a" : ".mp4").generic_string();
        item.media_type = audio_only ? "audio/mp4" : "video/mp4";
        auto const target = prepared->path() / item.source;
        std::error_code ec;
        fs::create_directories(target.parent_path(), ec);
        std::fprintf(log, "sluice-bundle: converting %s (%s) into %s\n", old_source.c_str(),
                     verdict->what.c_str(), item.source.c_str());
        if (auto converted = prepare_media(file->source, *verdict, target); !converted) {
            return converted;
        }
        if (std::any_of(plan.begin(), plan.end(),
                        [&](planned_file const& f) { return f.bundle_path == item.bundle_path(); })) {
            return status::failure(old_source + " would become " + item.source +
                                   ", which the bundle already holds; rename one of them");
        }
        file->source = target;
        file->bundle_path = item.bundle_path();
        file->size = fs::file_size(target, ec);
        if (spec.gates.pledge) {
            for (auto& tier : spec.gates.pledge->tiers) {
                if (tier.items) {
                    for (auto& name : *tier.items) {
                        if (name == old_source || name == old_path) {
                            name = item.source;
                        }
                    }
                }
            }
        }
    }
    return ok();
}

} // namespace

// --include-translations: each carried translation becomes a subtitle track of its item, stored from the
// exported file; a language the item already has a track of keeps the creator's own.
status carry_translations(bundle_spec& spec, std::vector<planned_file>& plan, fs::path const& folder,
                          protocol::signing_keypair const& publisher, std::FILE* log) {
    auto const carried = read_carried_translations(folder, draft_manifest(spec, publisher));
    if (!carried) {
        return status::failure(carried.error);
    }
    for (auto const& c : *carried) {
        auto item = std::find_if(spec.items.begin(), spec.items.end(),
                                 [&](spec_item const& i) { return i.bundle_path() == c.item; });
        if (std::any_of(item->subtitles.begin(), item->subtitles.end(),
                        [&](spec_subtitle const& t) { return t.lang == c.track.lang; })) {
            std::fprintf(log,
                         "sluice-bundle: %s already has subtitles in %s; the translation by %s is left out\n",
                         c.item.c_str(), c.track.lang.c_str(), c.track.credit.c_str());
            continue;
        }
        if (std::any_of(plan.begin(), plan.end(),
                        [&](planned_file const& f) { return f.bundle_path == c.track.path; })) {
            return status::failure("the translation of " + c.item + " into " + c.track.lang +
                                   " would be stored at " + c.track.path + ", which the spec already uses");
        }
        std::error_code ec;
        auto const size = fs::file_size(c.source, ec);
        plan.push_back({c.track.path, c.source, size, false, "--include-translations"});
        item->subtitles.push_back({c.track.lang, c.track.label, c.track.path, c.track.credit});
        std::fprintf(log, "sluice-bundle: carried the %s translation of %s by %s\n", c.track.lang.c_str(),
                     c.item.c_str(), c.track.credit.c_str());
    }
    return ok();
}

result<create_outcome> create_bundle(create_options const& options, std::FILE* log) {
    // 1. Everything that can be wrong with the input, before any output exists.
    std::error_code ec;
    auto const spec_text = fileio::read_small_file(options.spec_file, max_spec_bytes, ec);
    if (ec) {
        return failure::failure(fileio::describe(options.spec_file, ec));
    }
    auto spec = parse_bundle_spec(spec_text);
    if (!spec) {
        return failure::failure(options.spec_file.string() + ": " + spec.error);
    }
    auto const source_dir = options.source_dir.value_or(
        options.spec_file.has_parent_path() ? options.spec_file.parent_path() : fs::path("."));
    auto plan = plan_bundle_files(*spec, source_dir);
    if (!plan) {
        return failure::failure(options.spec_file.string() + ": " + plan.error);
    }
    auto const publisher = load_signing_key(options.key_file);
    if (!publisher) {
        return failure::failure(publisher.error);
    }
    if (options.include_translations) {
        if (auto carried = carry_translations(*spec, *plan, *options.include_translations, *publisher, log);
            !carried) {
            return failure::failure(carried.error);
        }
    }
    std::optional<staging_dir> prepared;
    if (auto checked = check_media_items(*spec, *plan, options, prepared, log); !checked) {
        return failure::failure(checked.error);
    }
    if (!is_private(options.key_file)) {
        std::fprintf(log, "sluice-bundle: warning: %s can be read by other users; chmod 600 it\n",
                     options.key_file.c_str());
    }
    {
        auto draft = draft_manifest(*spec, *publisher);
        auto const checked = protocol::parse_bundle_manifest(manifest_text(draft));
        if (!checked) {
            return failure::failure(options.spec_file.string() + " would make an invalid " + checked.error);
        }
    }
    auto const bundle_name = spec->id;
    auto const torrent_name = spec->id + ".torrent";
    auto const keys_name = spec->id + ".keys.json";
    {
        // --force replaces DIR/<id> wholesale: it must not be (or hold) the files the bundle is made from.
        auto const target = fs::weakly_canonical(fs::absolute(options.out_dir / bundle_name), ec);
        for (auto const& f : *plan) {
            auto const [t, s] = std::mismatch(target.begin(), target.end(), f.source.begin(), f.source.end());
            if (!ec && t == target.end()) {
                return failure::failure(f.source.string() + " is inside " +
                                        (options.out_dir / bundle_name).string() +
                                        ", which create writes; make the bundle from another folder or into "
                                        "another --out");
            }
        }
    }
    if (!options.force) {
        for (auto const& name : {bundle_name, torrent_name, keys_name}) {
            if (fs::symlink_status(options.out_dir / name, ec).type() != fs::file_type::not_found) {
                return failure::failure((options.out_dir / name).string() +
                                        " already exists; pass --force to replace it");
            }
        }
    }
    std::map<std::string, old_item> reusable;
    if (options.reuse_keys) {
        auto loaded = load_reusable_keys(options, *spec, *publisher, log);
        if (!loaded) {
            return failure::failure(loaded.error);
        }
        reusable = std::move(*loaded);
    }

    std::uint64_t source_bytes = 0;
    std::uint64_t stored_estimate = 0;
    bool any_locked = false;
    for (auto const& f : *plan) {
        source_bytes += f.size;
        protocol::locked_header h;
        h.plaintext_size = f.size;
        stored_estimate += f.locked ? h.encrypted_size() : f.size;
        any_locked = any_locked || f.locked;
    }
    int const piece_length =
        options.piece_length > 0 ? options.piece_length : automatic_piece_length(stored_estimate + 4096);

    // 2. The output, in a staging folder that disappears unless everything below succeeds.
    auto staging = staging_dir::create(options.out_dir, spec->id);
    if (!staging) {
        return failure::failure(staging.error);
    }
    auto const root = staging->path() / bundle_name;
    fs::create_directory(root, ec);
    if (ec) {
        return failure::failure("cannot create " + root.string() + ": " + ec.message());
    }

    std::map<std::string, written_file> written;
    std::map<std::string, protocol::item_key> sealed_with;
    {
        progress_meter progress(options.progress, any_locked ? "hashing and encrypting" : "hashing",
                                source_bytes);
        for (auto const& f : *plan) {
            auto const target = root / f.bundle_path;
            fs::create_directories(target.parent_path(), ec);
            if (ec) {
                return failure::failure("cannot create " + target.parent_path().string() + ": " +
                                        ec.message());
            }
            if (!f.locked) {
                auto done = write_plain_file(f.source, target, f.size, piece_length, progress);
                if (!done) {
                    return failure::failure(done.error);
                }
                written.emplace(f.bundle_path, std::move(*done));
                continue;
            }
            auto const identity = protocol::item_identity(spec->id, f.bundle_path);
            auto const old = reusable.find(f.bundle_path);
            bool const reusing = old != reusable.end();
            auto key = reusing ? old->second.key : protocol::generate_item_key();
            auto done = write_locked_file(f.source, target, f.size, key, identity, piece_length, progress);
            if (done && reusing &&
                (done->plain_size != old->second.size || done->plain_sha256 != old->second.sha256)) {
                // Changed content under the old key would repeat its nonces: this copy is discarded unseen
                // (the staging folder is private) and the item sealed again under a fresh key.
                std::fprintf(
                    log,
                    "sluice-bundle: warning: %s changed since the earlier version; it gets a new key, so "
                    "unlock tokens issued for the earlier version do not open it\n",
                    f.bundle_path.c_str());
                fs::remove(target, ec);
                key = protocol::generate_item_key();
                progress.add_to_total(f.size);
                done = write_locked_file(f.source, target, f.size, key, identity, piece_length, progress);
            }
            if (!done) {
                return failure::failure(done.error);
            }
            written.emplace(f.bundle_path, std::move(*done));
            sealed_with[f.bundle_path] = key;
        }
        progress.finish();
    }

    // 3. The manifest, from the hashes just taken, signed over its exact bytes.
    auto manifest = draft_manifest(*spec, *publisher);
    item_keys keys{spec->id, spec->version, {}};
    // Every stored file signed by its pieces root, the hash a host checks the torrent's file tree with.
    auto const root_of = [&](written_file const& w) {
        protocol::sha256_digest root{};
        std::copy(w.pieces.root.begin(), w.pieces.root.end(), root.begin());
        return root;
    };
    if (manifest.cover) {
        auto const& w = written.at(manifest.cover->path);
        manifest.cover->size = w.stored_size;
        manifest.cover->sha256 = w.plain_sha256;
        manifest.cover->root = root_of(w);
    }
    for (auto& item : manifest.items) {
        auto const& w = written.at(item.path);
        item.size = w.plain_size;
        item.sha256 = w.plain_sha256;
        item.stored_size = w.stored_size;
        item.root = root_of(w);
        for (auto& track : item.subtitles) {
            auto const& t = written.at(track.path);
            track.size = t.stored_size;
            track.sha256 = t.plain_sha256;
            track.root = root_of(t);
        }
        if (item.locked()) {
            keys.items.push_back({item.path, sealed_with.at(item.path), *item.gate});
        }
    }
    auto const manifest_bytes = manifest_text(manifest);
    auto const signature = protocol::sign(manifest_bytes, *publisher);
    std::string const signature_bytes(reinterpret_cast<char const*>(signature.data()), signature.size());
    {
        // What a host will do with these bytes, done here first.
        auto const check = protocol::verify_bundle_manifest(manifest_bytes, signature_bytes);
        if (!check) {
            return failure::failure("internal error: the bundle.json just written does not verify: " +
                                    check.error);
        }
        if (protocol::to_json(*check.manifest) != protocol::to_json(manifest)) {
            return failure::failure("internal error: bundle.json does not read back as it was written");
        }
    }
    for (auto const& name : {protocol::manifest_file_name, protocol::signature_file_name}) {
        auto done = write_small_file(name == protocol::manifest_file_name ? manifest_bytes : signature_bytes,
                                     root / name, piece_length);
        if (!done) {
            return failure::failure(done.error);
        }
        written.emplace(std::string(name), std::move(*done));
    }
    // 4. The torrent. bundle.json and bundle.sig are listed first, but a hybrid torrent orders its files
    // canonically (by path), so where they end up is libtorrent's to decide; hosts ask for them by name.
    std::vector<torrent_file> torrent_files;
    torrent_files.push_back({std::string(protocol::manifest_file_name),
                             written.at(std::string(protocol::manifest_file_name)).pieces});
    torrent_files.push_back({std::string(protocol::signature_file_name),
                             written.at(std::string(protocol::signature_file_name)).pieces});
    std::uint64_t total_bytes = manifest_bytes.size() + signature_bytes.size();
    for (auto const& f : *plan) {
        auto const& w = written.at(f.bundle_path);
        torrent_files.push_back({f.bundle_path, w.pieces});
        total_bytes += w.stored_size;
    }
    auto const torrent_bytes = make_torrent(
        torrent_files, {spec->id, piece_length, spec->trackers, spec->web_seeds, creator_string()});
    if (!torrent_bytes) {
        return failure::failure(torrent_bytes.error);
    }
    auto const torrent = parse_torrent(*torrent_bytes);
    if (!torrent) {
        return failure::failure("internal error: the torrent just made does not load: " + torrent.error);
    }
    fileio::write_new_file(staging->path() / torrent_name, *torrent_bytes, 0644, ec);
    if (ec) {
        return failure::failure(fileio::describe(staging->path() / torrent_name, ec));
    }
    fileio::write_new_file(staging->path() / keys_name, item_keys_text(keys), 0600, ec);
    if (ec) {
        return failure::failure(fileio::describe(staging->path() / keys_name, ec));
    }
    if (interrupted()) {
        return failure::failure("interrupted");
    }

    // 5. Into place: the keys first, so that a published bundle never lacks them, the bundle folder last.
    auto committed = staging->commit({keys_name, torrent_name, bundle_name}, options.force);
    if (!committed) {
        return failure::failure(committed.error);
    }

    create_outcome outcome;
    outcome.bundle_id = spec->id;
    outcome.version = spec->version;
    outcome.bundle_dir = options.out_dir / bundle_name;
    outcome.torrent_file = options.out_dir / torrent_name;
    outcome.keys_file = options.out_dir / keys_name;
    outcome.magnet = lt::make_magnet_uri(**torrent);
    outcome.info_hash_v1 = v1_hex(**torrent);
    outcome.info_hash_v2 = v2_hex(**torrent);
    outcome.total_bytes = total_bytes;
    return outcome;
}

} // namespace sluice::publisher
