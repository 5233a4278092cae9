#pragma once

#include "common/result.hpp"
#include "sluice-bundle/progress.hpp"

#include <libtorrent/hasher.hpp>
#include <libtorrent/sha1_hash.hpp>
#include <libtorrent/torrent_info.hpp>

#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace sluice::publisher {

namespace fs = std::filesystem;
namespace lt = libtorrent;

// The BitTorrent hashes of one file, gathered while the file is being written: `create` hashes each file
// as it streams past instead of reading the whole bundle again afterwards. In a hybrid v1+v2 torrent every
// file starts on a piece boundary and the gap to the next one is a pad file of zeros, so each v1 piece
// holds the bytes of a single file; these hashes are therefore the file's own, whatever comes before it.
struct file_piece_hashes {
    std::uint64_t size = 0;
    int piece_length = 0;
    // SHA-1 of each piece; the last one as if zero-padded to a whole piece (a pad file follows it).
    std::vector<lt::sha1_hash> v1;
    // The last piece hashed as it is, for when it is the torrent's last piece and nothing pads it.
    std::optional<lt::sha1_hash> v1_last_unpadded;
    // BEP 52 piece layer: the merkle root of each piece's 16 KiB blocks. A file of at most one piece has a
    // single entry, its root.
    std::vector<lt::sha256_hash> v2;
    // BEP 52 "pieces root" of the whole file; all zeros for an empty file.
    lt::sha256_hash root;
};

class file_piece_hasher {
public:
    static constexpr int block_size = 16 * 1024;

    // `piece_length`: a power of two of at least 16 KiB.
    explicit file_piece_hasher(int piece_length);

    void update(std::span<char const> data);
    file_piece_hashes finish();

private:
    void close_block();
    void close_piece();

    int piece_length_;
    int blocks_per_piece_;
    std::uint64_t size_ = 0;
    lt::hasher piece_sha1_;
    lt::hasher256 block_sha256_;
    int block_fill_ = 0;
    std::vector<lt::sha256_hash> blocks_; // of the current piece
    file_piece_hashes out_;
};

// The merkle root over `leaves` padded with zero hashes to a power of two of at least `min_leaves`.
lt::sha256_hash merkle_root(std::vector<lt::sha256_hash> leaves, std::size_t min_leaves = 1);

// Checks the files of `torrent` in `root` (the folder that plays the torrent's root folder, whatever its
// own name) against its v1 piece hashes and v2 file roots, reading each file once. Returns one sentence per
// bad file; an error only when the check itself could not run (interrupted).
result<std::vector<std::string>> check_torrent_data(lt::torrent_info const& torrent, fs::path const& root,
                                                    progress_mode progress);

} // namespace sluice::publisher
