#include "sluice-bundle/verify_command.hpp"

#include "common/bundle_reader.hpp"
#include "common/key_files.hpp"
#include "sluice-bundle/interrupt.hpp"
#include "sluice-bundle/torrent_hashes.hpp"

#include <sluice/fileio/file_io.hpp>
#include <sluice/protocol/bundle_manifest.hpp>
#include <sluice/protocol/locked_item.hpp>

#include <libtorrent/hasher.hpp>

#include <map>
#include <set>

namespace sluice::publisher {

namespace {

using protocol::bundle_manifest;
using protocol::locked_header;

std::string in_quotes(std::string_view s) {
    // Appended piece by piece: `"\"" + std::string(s)` trips GCC 12's -Wrestrict at -O3 (a false alarm).
    std::string out;
    out.reserve(s.size() + 2);
    out += '"';
    out += s;
    out += '"';
    return out;
}

std::string bytes_text(std::uint64_t n) {
    return std::to_string(n) + (n == 1 ? " byte" : " bytes");
}

// bundle.json against the manifest rules, and bundle.sig against it. The manifest is returned even when
// the signature is bad, so that the files are still checked and every problem shows in one run.
std::optional<bundle_manifest> check_manifest(manifest_files const& files, verify_report& report) {
    auto parsed = protocol::parse_bundle_manifest(files.manifest);
    if (!parsed) {
        report.problems.push_back(parsed.error);
        return std::nullopt;
    }
    if (!files.signature) {
        report.problems.push_back("bundle.sig is missing: nothing shows who published this bundle");
    } else if (auto const verified = protocol::verify_bundle_manifest(files.manifest, *files.signature);
               !verified) {
        report.problems.push_back(verified.error);
    }
    report.subject = parsed.manifest->id + " version " + std::to_string(parsed.manifest->version);
    return std::move(parsed.manifest);
}

// Reads a whole file through `consume`, `buffer`-sized piece by piece; an error in words, or "interrupted".
template <typename Consume>
std::string stream_file(fs::path const& path, std::uint64_t size, progress_meter& meter, Consume&& consume) {
    std::error_code ec;
    auto fd = fileio::open_for_reading(path, ec);
    if (ec) {
        return fileio::describe(path, ec);
    }
    std::vector<char> buffer(1 << 20);
    for (std::uint64_t left = size; left > 0;) {
        if (interrupted()) {
            return "interrupted";
        }
        auto const want = static_cast<std::size_t>(std::min<std::uint64_t>(left, buffer.size()));
        auto const n = fileio::read_full(fd.get(), {buffer.data(), want}, ec);
        if (ec) {
            return fileio::describe(path, ec);
        }
        if (n != want) {
            return path.string() + " shrank while it was being read";
        }
        consume(std::span<char const>(buffer.data(), n));
        left -= n;
        meter.advance(n);
    }
    return {};
}

// A stored file read once: the SHA-256 of its bytes and its BEP 52 pieces root (which does not depend on the
// torrent's piece length, so any power of two will do).
struct stored_hashes {
    std::string problem;
    lt::sha256_hash sha256;
    lt::sha256_hash root;
};

stored_hashes hash_stored_file(fs::path const& path, std::uint64_t size, progress_meter& meter) {
    lt::hasher256 whole;
    file_piece_hasher pieces(4 * 1024 * 1024);
    stored_hashes out;
    out.problem = stream_file(path, size, meter, [&](std::span<char const> data) {
        whole.update(data.data(), static_cast<int>(data.size()));
        pieces.update(data);
    });
    out.sha256 = whole.final();
    out.root = pieces.finish().root;
    return out;
}

bool same_digest(lt::sha256_hash const& a, protocol::sha256_digest const& b) {
    return std::equal(b.begin(), b.end(), reinterpret_cast<unsigned char const*>(a.data()));
}

// Decrypts a locked item chunk by chunk with its key; the plaintext's SHA-256, or the problem in words.
std::string check_locked_content(fs::path const& path, bundle_manifest const& m,
                                 protocol::bundle_item const& item, locked_header const& header,
                                 protocol::item_key const& key, fs::path const& keys_file,
                                 progress_meter& meter) {
    std::error_code ec;
    auto fd = fileio::open_for_reading(path, ec);
    if (ec) {
        return fileio::describe(path, ec);
    }
    auto const identity = protocol::item_identity(m.id, item.path);
    lt::hasher256 plain;
    std::vector<unsigned char> sealed(header.chunk_size + locked_header::tag_size);
    std::array<char, locked_header::size> skipped{};
    fileio::read_full(fd.get(), skipped, ec);
    for (std::uint64_t i = 0; i < header.chunk_count(); ++i) {
        if (interrupted()) {
            return "interrupted";
        }
        auto const length = static_cast<std::size_t>(header.chunk_plain_size(i) + locked_header::tag_size);
        auto const n = fileio::read_full(fd.get(), {reinterpret_cast<char*>(sealed.data()), length}, ec);
        if (ec || n != length) {
            return ec ? fileio::describe(path, ec) : item.path + " ends before its last chunk";
        }
        auto const opened = protocol::open_chunk(header, key, identity, i, {sealed.data(), length}, ec);
        if (ec) {
            return item.path + ": chunk " + std::to_string(i) + " does not open with its key from " +
                   keys_file.string() + " (a wrong key, or bytes changed after it was sealed)";
        }
        plain.update(opened.data(), static_cast<int>(opened.size()));
        meter.advance(opened.size());
    }
    auto const digest = plain.final();
    if (!std::equal(digest.begin(), digest.end(), item.sha256.begin())) {
        return item.path + " decrypts, but not to the plaintext bundle.json describes (its SHA-256 differs)";
    }
    return {};
}

fs::path normalized(fs::path const& folder) {
    auto p = fs::absolute(folder).lexically_normal();
    return p.has_filename() ? p : p.parent_path();
}

// The folder checks; returns the manifest when bundle.json could be read, for the torrent checks.
result<std::optional<bundle_manifest>> verify_folder(fs::path const& given_folder, item_keys const* keys,
                                                     fs::path const& keys_file, progress_mode mode,
                                                     verify_report& report) {
    using failure = result<std::optional<bundle_manifest>>;
    auto const folder = normalized(given_folder);
    auto files = read_manifest_files(folder);
    if (!files) {
        report.problems.push_back(files.error);
        return std::optional<bundle_manifest>();
    }
    auto m = check_manifest(*files, report);
    if (!m) {
        return std::optional<bundle_manifest>();
    }
    if (keys && keys->bundle_id != m->id) {
        return failure::failure(keys_file.string() + " holds the keys of bundle " +
                                in_quotes(keys->bundle_id) + ", not " + in_quotes(m->id));
    }
    if (auto const name = folder.filename().string(); name != m->id) {
        report.problems.push_back("the folder is named " + in_quotes(name) + " but the bundle id is " +
                                  in_quotes(m->id) +
                                  ": the torrent's root folder, and so a web seed's path, is the id");
    }

    std::set<std::string> expected{std::string(protocol::manifest_file_name),
                                   std::string(protocol::signature_file_name)};
    std::uint64_t total = 0;
    bool any_locked = false;
    for (auto const& file : m->stored_files()) {
        expected.insert(file.path);
        total += file.size;
    }
    for (auto const& item : m->items) {
        any_locked = any_locked || item.locked();
        total += item.locked() && keys ? item.size : 0;
    }
    std::error_code ec;
    for (auto it = fs::recursive_directory_iterator(folder, ec);
         !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
        auto const rel = it->path().lexically_relative(folder).generic_string();
        if (it->is_symlink()) {
            report.problems.push_back(rel + " is a symbolic link; a bundle holds regular files only");
        } else if (!it->is_directory() && !expected.contains(rel)) {
            report.problems.push_back(rel + " is in the folder but bundle.json does not name it");
        }
    }
    if (ec) {
        report.problems.push_back("cannot list " + folder.string() + ": " + ec.message());
    }

    progress_meter meter(mode, keys ? "checking and decrypting" : "checking", total);
    for (auto const& item : m->items) {
        auto const path = folder / item.path;
        auto const status = fs::symlink_status(path, ec);
        if (status.type() == fs::file_type::not_found) {
            report.problems.push_back(item.path + " is missing");
            continue;
        }
        if (status.type() != fs::file_type::regular) {
            continue; // reported by the listing above, or not a file at all
        }
        auto const size = fs::file_size(path, ec);
        ++report.files_checked;
        if (!item.locked()) {
            if (size != item.size) {
                report.problems.push_back(item.path + " is " + bytes_text(size) + " long; bundle.json says " +
                                          std::to_string(item.size));
                continue;
            }
            auto const hashes = hash_stored_file(path, size, meter);
            if (hashes.problem == "interrupted") {
                return failure::failure(hashes.problem);
            }
            if (!hashes.problem.empty()) {
                report.problems.push_back(hashes.problem);
            } else if (!same_digest(hashes.sha256, item.sha256) || !same_digest(hashes.root, item.root)) {
                report.problems.push_back(item.path +
                                          " does not match its SHA-256 or pieces root in bundle.json: it was "
                                          "changed or damaged after the bundle was made");
            }
            continue;
        }
        std::array<unsigned char, locked_header::size> head{};
        auto fd = fileio::open_for_reading(path, ec);
        auto const n =
            ec ? 0 : fileio::read_full(fd.get(), {reinterpret_cast<char*>(head.data()), head.size()}, ec);
        auto const header = n == head.size() ? locked_header::decode(head) : std::nullopt;
        if (!header) {
            report.problems.push_back(item.path +
                                      " is not in the locked-item format (its header does not decode)");
            continue;
        }
        if (header->plaintext_size != item.size) {
            report.problems.push_back(item.path + " holds " + bytes_text(header->plaintext_size) +
                                      " of plaintext by its header; bundle.json says " +
                                      std::to_string(item.size));
            continue;
        }
        if (size != header->encrypted_size() || size != item.stored_size) {
            report.problems.push_back(item.path + " is " + bytes_text(size) + " long; a locked item of " +
                                      bytes_text(item.size) + " takes " +
                                      std::to_string(header->encrypted_size()) + " and bundle.json signs " +
                                      std::to_string(item.stored_size));
            continue;
        }
        auto const stored = hash_stored_file(path, size, meter);
        if (stored.problem == "interrupted") {
            return failure::failure(stored.problem);
        }
        if (!stored.problem.empty()) {
            report.problems.push_back(stored.problem);
            continue;
        }
        // Decrypted below all the same (with --keys): which chunks changed tells the creator more.
        if (!same_digest(stored.root, item.root)) {
            report.problems.push_back(
                item.path + " does not match its pieces root in bundle.json: the encrypted file was "
                            "changed or damaged after the bundle was made");
        }
        if (!keys) {
            continue;
        }
        auto const* entry = keys->find(item.path);
        if (!entry) {
            report.problems.push_back(keys_file.string() + " has no key for " + item.path +
                                      ": the gate server could not unlock it");
            continue;
        }
        if (entry->gate != *item.gate) {
            report.problems.push_back(keys_file.string() + " puts " + item.path + " behind the " +
                                      std::string(protocol::to_string(entry->gate)) +
                                      " gate; bundle.json says " +
                                      std::string(protocol::to_string(*item.gate)));
        }
        auto const problem = check_locked_content(path, *m, item, *header, entry->key, keys_file, meter);
        if (problem == "interrupted") {
            return failure::failure(problem);
        }
        if (!problem.empty()) {
            report.problems.push_back(problem);
        }
    }
    // Subtitles and the cover, unless a free item is the same file (checked above).
    auto const check_plain = [&](std::string const& path, std::uint64_t signed_size,
                                 protocol::sha256_digest const& sha256, protocol::sha256_digest const& root,
                                 std::string const& what) -> std::string {
        if (auto const* item = m->find_item(path); item && !item->locked()) {
            return {};
        }
        auto const file = folder / path;
        auto const type = fs::symlink_status(file, ec).type();
        if (type == fs::file_type::not_found) {
            report.problems.push_back(path + " (" + what + ") is missing");
            return {};
        }
        if (type != fs::file_type::regular) {
            return {};
        }
        ++report.files_checked;
        auto const size = fs::file_size(file, ec);
        if (size != signed_size) {
            report.problems.push_back(path + " (" + what + ") is " + bytes_text(size) +
                                      " long; bundle.json says " + std::to_string(signed_size));
            return {};
        }
        auto const hashes = hash_stored_file(file, size, meter);
        if (!hashes.problem.empty()) {
            return hashes.problem;
        }
        if (!same_digest(hashes.sha256, sha256) || !same_digest(hashes.root, root)) {
            report.problems.push_back(path + " (" + what +
                                      ") does not match its SHA-256 or pieces root in bundle.json: it was "
                                      "changed or damaged after the bundle was made");
        }
        return {};
    };
    std::set<std::string> plain_checked;
    for (auto const& item : m->items) {
        for (auto const& track : item.subtitles) {
            if (!plain_checked.insert(track.path).second) {
                continue;
            }
            auto const problem = check_plain(track.path, track.size, track.sha256, track.root,
                                             track.lang + " subtitles of " + item.path);
            if (problem == "interrupted") {
                return failure::failure(problem);
            }
            if (!problem.empty()) {
                report.problems.push_back(problem);
            }
        }
    }
    if (m->cover && plain_checked.insert(m->cover->path).second) {
        auto const problem =
            check_plain(m->cover->path, m->cover->size, m->cover->sha256, m->cover->root, "the cover");
        if (problem == "interrupted") {
            return failure::failure(problem);
        }
        if (!problem.empty()) {
            report.problems.push_back(problem);
        }
    }
    meter.finish();
    if (any_locked && !keys) {
        report.notes.push_back(
            "locked items were checked by size and header only; pass --keys <id>.keys.json to "
            "decrypt them and check their contents");
    }
    return m;
}

// Whether `bytes` are the torrent's file `index` (bundle.json next to a .torrent may be another version's).
bool is_torrent_file(lt::torrent_info const& torrent, lt::file_index_t index, std::string_view bytes) {
    auto const& files = torrent.files();
    if (static_cast<std::uint64_t>(files.file_size(index)) != bytes.size()) {
        return false;
    }
    file_piece_hasher hasher(torrent.piece_length());
    hasher.update({bytes.data(), bytes.size()});
    auto const hashes = hasher.finish();
    if (torrent.info_hashes().has_v2()) {
        return bytes.empty() || hashes.root == files.root(index);
    }
    auto const offset = files.file_offset(index);
    if (offset % torrent.piece_length() != 0) {
        return true; // a v1-only torrent whose pieces span files: --data checks it with the others
    }
    for (std::size_t k = 0; k < hashes.v1.size(); ++k) {
        lt::piece_index_t const piece(static_cast<int>(offset / torrent.piece_length()) +
                                      static_cast<int>(k));
        bool const whole = torrent.piece_size(piece) == torrent.piece_length();
        auto const& expected = whole || !hashes.v1_last_unpadded ? hashes.v1[k] : *hashes.v1_last_unpadded;
        if (torrent.hash_for_piece(piece) != expected) {
            return false;
        }
    }
    return true;
}

result<verify_report> verify_torrent(verify_options const& options, item_keys const* keys) {
    verify_report report;
    report.subject = options.target.string();
    auto loaded = load_torrent(options.target);
    if (!loaded) {
        report.problems.push_back(loaded.error);
        return report;
    }
    auto const& torrent = **loaded;
    auto const& files = torrent.files();
    auto const name = torrent.name();
    std::map<std::string, lt::file_index_t> in_torrent;
    bool single_file = false;
    for (auto const f : files.file_range()) {
        if (!files.pad_file_at(f)) {
            in_torrent.emplace(path_in_root(files, f), f);
            single_file = single_file || files.file_path(f).find('/') == std::string::npos;
        }
    }
    if (single_file) {
        report.problems.push_back("the torrent holds a single file, not a bundle folder");
        return report;
    }
    if (!protocol::is_bundle_slug(name)) {
        report.problems.push_back("the torrent's root folder " + in_quotes(name) + " is not a bundle id");
    }
    auto const root_file = [&](std::string_view file) -> std::optional<lt::file_index_t> {
        auto const it = in_torrent.find(std::string(file));
        if (it == in_torrent.end()) {
            report.problems.push_back("the torrent has no " + std::string(file) + " in its root folder");
            return std::nullopt;
        }
        return it->second;
    };
    auto const manifest_index = root_file(protocol::manifest_file_name);
    auto const signature_index = root_file(protocol::signature_file_name);
    if (signature_index && files.file_size(*signature_index) != 64) {
        report.problems.push_back("bundle.sig in the torrent is " +
                                  bytes_text(files.file_size(*signature_index)) +
                                  " long; an Ed25519 signature is 64");
    }
    if (!torrent.info_hashes().has_v1()) {
        report.notes.push_back(
            "the torrent has no v1 info-hash: clients without BitTorrent v2 cannot fetch it");
    }
    if (!torrent.info_hashes().has_v2()) {
        report.notes.push_back(
            "the torrent has no v2 info-hash (per-file hashes); sluice-bundle makes hybrid ones");
    }

    if (options.data && !fs::is_directory(*options.data)) {
        return result<verify_report>::failure("--data " + options.data->string() + " is not a folder");
    }
    auto const folder = find_bundle_folder(options.target, name, options.data);
    if (!folder) {
        if (options.data) {
            report.problems.push_back("neither " + options.data->string() + " nor " +
                                      (*options.data / name).string() + " holds a bundle.json");
        } else {
            report.notes.push_back("no bundle folder " + in_quotes(name) +
                                   " next to the torrent, so only its layout "
                                   "was checked; pass --data <folder> to check the manifest and the data");
        }
        return report;
    }
    auto const manifest = read_manifest_files(*folder);
    if (manifest && manifest_index && !is_torrent_file(torrent, *manifest_index, manifest->manifest)) {
        report.problems.push_back((*folder / "bundle.json").string() +
                                  " is not the bundle.json this torrent carries");
    }
    if (manifest && signature_index && manifest->signature &&
        !is_torrent_file(torrent, *signature_index, *manifest->signature)) {
        report.problems.push_back((*folder / "bundle.sig").string() +
                                  " is not the bundle.sig this torrent carries");
    }
    std::optional<bundle_manifest> m;
    if (options.data) {
        auto checked = verify_folder(*folder, keys, options.keys.value_or(""), options.progress, report);
        if (!checked) {
            return result<verify_report>::failure(checked.error);
        }
        m = std::move(*checked);
    } else if (manifest) {
        m = check_manifest(*manifest, report);
    } else {
        report.problems.push_back(manifest.error);
    }
    if (m) {
        if (m->id != name) {
            report.problems.push_back("the torrent's root folder is " + in_quotes(name) +
                                      " but bundle.json's id is " + in_quotes(m->id));
        }
        auto const problems =
            protocol::compare_with_torrent(*m, torrent_stored_files(torrent), torrent.info_hashes().has_v2());
        report.problems.insert(report.problems.end(), problems.begin(), problems.end());
        if (problems.empty() && !options.data) {
            report.files_checked += m->stored_files().size(); // with --data, the folder check counts
        }
    }
    if (options.data) {
        auto checked = check_torrent_data(torrent, *folder, options.progress);
        if (!checked) {
            return result<verify_report>::failure(checked.error);
        }
        report.problems.insert(report.problems.end(), checked->begin(), checked->end());
    } else {
        report.notes.push_back("the data was not checked against the torrent's piece hashes; pass --data " +
                               folder->string() + " to check it");
        if (keys) {
            report.notes.push_back("--keys was not used: the locked items are decrypted only with --data");
        }
    }
    return report;
}

} // namespace

result<verify_report> verify_bundle(verify_options const& options) {
    std::error_code ec;
    if (fs::symlink_status(options.target, ec).type() == fs::file_type::not_found) {
        return result<verify_report>::failure(options.target.string() + " does not exist");
    }
    std::optional<item_keys> keys;
    if (options.keys) {
        auto loaded = load_item_keys(*options.keys);
        if (!loaded) {
            return result<verify_report>::failure(loaded.error);
        }
        keys = std::move(*loaded);
    }
    if (!fs::is_directory(options.target)) {
        return verify_torrent(options, keys ? &*keys : nullptr);
    }
    verify_report report;
    report.subject = options.target.string();
    auto checked = verify_folder(options.target, keys ? &*keys : nullptr, options.keys.value_or(""),
                                 options.progress, report);
    if (!checked) {
        return result<verify_report>::failure(checked.error);
    }
    return report;
}

} // namespace sluice::publisher
