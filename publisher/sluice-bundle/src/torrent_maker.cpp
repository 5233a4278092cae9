#include "sluice-bundle/torrent_maker.hpp"

#include <libtorrent/create_torrent.hpp>
#include <libtorrent/file_storage.hpp>

#include <algorithm>
#include <array>
#include <bit>
#include <map>

namespace sluice::publisher {

int automatic_piece_length(std::uint64_t total_size) {
    // The table in libtorrent's create_torrent (2.0): a total size up to each bound gets 16 KiB doubled
    // that many times, so the piece list stays near 2·sqrt(total_size) bytes of hashes.
    static constexpr std::array<std::uint64_t, 10> bounds{
        2684355ull,    10737418ull,    42949673ull,    171798692ull,    687194767ull,
        2748779069ull, 10995116278ull, 43980465111ull, 175921860444ull, 703687441777ull};
    int doublings = 0;
    for (auto const bound : bounds) {
        if (bound >= total_size) {
            break;
        }
        ++doublings;
    }
    return (16 * 1024) << doublings;
}

result<std::string> make_torrent(std::vector<torrent_file> const& files, torrent_settings const& settings) {
    using failure = result<std::string>;
    int const piece_length = settings.piece_length;
    if (piece_length < 16 * 1024 || !std::has_single_bit(static_cast<unsigned>(piece_length))) {
        return failure::failure("the piece size must be a power of two of at least 16 KiB");
    }
    lt::file_storage storage;
    std::map<std::string, torrent_file const*> by_path;
    for (auto const& f : files) {
        auto const path = settings.name + "/" + f.path;
        if (f.hashes.piece_length != piece_length) {
            return failure::failure("internal error: " + f.path + " was hashed with another piece size");
        }
        storage.add_file(path, static_cast<std::int64_t>(f.hashes.size));
        by_path.emplace(path, &f);
    }
    try {
        // The constructor puts the files in the v2 canonical order and inserts the pad files; the hashes
        // are placed by each file's final position, read back from `ct.files()`.
        lt::create_torrent ct(storage, piece_length);
        auto const& laid = ct.files();
        std::vector<bool> have_v1(static_cast<std::size_t>(laid.num_pieces()));
        for (auto const f : laid.file_range()) {
            if (laid.pad_file_at(f) || laid.file_size(f) == 0) {
                continue;
            }
            auto const found = by_path.find(laid.file_path(f));
            if (found == by_path.end()) {
                return failure::failure("internal error: the torrent lists " + laid.file_path(f) +
                                        ", which was not hashed");
            }
            auto const& hashes = found->second->hashes;
            auto const offset = laid.file_offset(f);
            if (offset % piece_length != 0) {
                return failure::failure("internal error: " + laid.file_path(f) + " does not start a piece");
            }
            auto const first = static_cast<int>(offset / piece_length);
            for (std::size_t k = 0; k < hashes.v1.size(); ++k) {
                lt::piece_index_t const piece(first + static_cast<int>(k));
                auto const piece_size = laid.piece_size(piece);
                auto const in_file = std::min<std::uint64_t>(
                    piece_length, hashes.size - k * static_cast<std::uint64_t>(piece_length));
                if (piece_size == piece_length) {
                    ct.set_hash(piece, hashes.v1[k]);
                } else if (k + 1 == hashes.v1.size() && hashes.v1_last_unpadded &&
                           static_cast<std::uint64_t>(piece_size) == in_file) {
                    ct.set_hash(piece, *hashes.v1_last_unpadded);
                } else {
                    return failure::failure("internal error: piece " + std::to_string(first + k) +
                                            " does not line up with " + laid.file_path(f));
                }
                have_v1[static_cast<std::size_t>(first) + k] = true;
            }
            for (std::size_t k = 0; k < hashes.v2.size(); ++k) {
                ct.set_hash2(f, lt::piece_index_t::diff_type(static_cast<int>(k)), hashes.v2[k]);
            }
        }
        if (std::find(have_v1.begin(), have_v1.end(), false) != have_v1.end()) {
            return failure::failure("internal error: a piece of the torrent holds no file's data");
        }
        ct.set_creator(settings.creator.c_str());
        int tier = 0;
        for (auto const& url : settings.trackers) {
            ct.add_tracker(url, tier++);
        }
        for (auto const& url : settings.web_seeds) {
            ct.add_url_seed(url);
        }
        auto const bytes = ct.generate_buf();
        return std::string(bytes.begin(), bytes.end());
    } catch (std::system_error const& e) {
        return failure::failure("making the torrent failed: " + e.code().message());
    } catch (std::exception const& e) {
        return failure::failure(std::string("making the torrent failed: ") + e.what());
    }
}

} // namespace sluice::publisher
