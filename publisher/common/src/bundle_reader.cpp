#include "common/bundle_reader.hpp"

#include <sluice/fileio/file_io.hpp>
#include <sluice/protocol/bundle_manifest.hpp>

namespace sluice::publisher {

namespace {

constexpr std::size_t max_torrent_bytes = 64 * 1024 * 1024;

} // namespace

result<manifest_files> read_manifest_files(fs::path const& folder) {
    manifest_files files;
    files.folder = folder;
    auto const manifest_path = folder / protocol::manifest_file_name;
    std::error_code ec;
    files.manifest = fileio::read_small_file(manifest_path, protocol::bundle_manifest::max_bytes, ec);
    if (ec == std::errc::no_such_file_or_directory) {
        return result<manifest_files>::failure("bundle.json is missing from " + folder.string());
    }
    if (ec == std::errc::file_too_large) {
        return result<manifest_files>::failure(
            "bundle.json is larger than " + std::to_string(protocol::bundle_manifest::max_bytes) + " bytes");
    }
    if (ec) {
        return result<manifest_files>::failure(fileio::describe(manifest_path, ec));
    }
    // bundle.sig is 64 bytes; anything over a few KiB is certainly not a signature, and is not loaded whole.
    auto signature = fileio::read_small_file(folder / protocol::signature_file_name, 4096, ec);
    if (!ec) {
        files.signature = std::move(signature);
    } else if (ec == std::errc::file_too_large) {
        files.signature = std::string(4097, '\0'); // verify_bundle_manifest then says it is not 64 bytes
    }
    return files;
}

result<std::shared_ptr<lt::torrent_info const>> parse_torrent(std::string_view bytes) {
    using failure = result<std::shared_ptr<lt::torrent_info const>>;
    if (bytes.size() > max_torrent_bytes) {
        return failure::failure("the .torrent is larger than 64 MiB");
    }
    lt::load_torrent_limits limits;
    limits.max_buffer_size = static_cast<int>(max_torrent_bytes);
    try {
        return std::shared_ptr<lt::torrent_info const>(std::make_shared<lt::torrent_info>(
            lt::span<char const>(bytes.data(), bytes.size()), limits, lt::from_span));
    } catch (std::system_error const& e) {
        return failure::failure("not a valid .torrent: " + e.code().message());
    } catch (std::exception const& e) {
        return failure::failure(std::string("not a valid .torrent: ") + e.what());
    }
}

result<std::shared_ptr<lt::torrent_info const>> load_torrent(fs::path const& file) {
    std::error_code ec;
    auto const bytes = fileio::read_small_file(file, max_torrent_bytes, ec);
    if (ec) {
        return result<std::shared_ptr<lt::torrent_info const>>::failure(fileio::describe(file, ec));
    }
    auto torrent = parse_torrent(bytes);
    if (!torrent) {
        torrent.error = file.string() + ": " + torrent.error;
    }
    return torrent;
}

std::optional<fs::path> find_bundle_folder(fs::path const& torrent_file, std::string const& name,
                                           std::optional<fs::path> const& data) {
    std::error_code ec;
    auto const holds_manifest = [&](fs::path const& folder) {
        return fs::is_regular_file(folder / protocol::manifest_file_name, ec);
    };
    if (data) {
        if (holds_manifest(*data)) {
            return *data;
        }
        if (holds_manifest(*data / name)) {
            return *data / name;
        }
        return std::nullopt;
    }
    auto const beside = torrent_file.parent_path() / name;
    if (holds_manifest(beside)) {
        return beside;
    }
    return std::nullopt;
}

std::string path_in_root(lt::file_storage const& files, lt::file_index_t index) {
    auto path = files.file_path(index);
    if (files.num_files() > 1 || path.find('/') != std::string::npos) {
        auto const slash = path.find('/');
        path.erase(0, slash == std::string::npos ? path.size() : slash + 1);
    }
    return path;
}

std::vector<protocol::stored_file> torrent_stored_files(lt::torrent_info const& torrent) {
    auto const& files = torrent.files();
    std::vector<protocol::stored_file> out;
    for (auto const f : files.file_range()) {
        if (files.pad_file_at(f)) {
            continue;
        }
        protocol::stored_file file{
            path_in_root(files, f), static_cast<std::uint64_t>(files.file_size(f)), {}};
        auto const root = files.root(f);
        std::copy(root.begin(), root.end(), file.root.begin());
        out.push_back(std::move(file));
    }
    return out;
}

std::string v1_hex(lt::torrent_info const& torrent) {
    auto const& hashes = torrent.info_hashes();
    return hashes.has_v1() ? protocol::to_hex({reinterpret_cast<unsigned char const*>(hashes.v1.data()),
                                               static_cast<std::size_t>(hashes.v1.size())})
                           : std::string();
}

std::string v2_hex(lt::torrent_info const& torrent) {
    auto const& hashes = torrent.info_hashes();
    return hashes.has_v2() ? protocol::to_hex({reinterpret_cast<unsigned char const*>(hashes.v2.data()),
                                               static_cast<std::size_t>(hashes.v2.size())})
                           : std::string();
}

} // namespace sluice::publisher
