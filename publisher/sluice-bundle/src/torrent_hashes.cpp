#include "sluice-bundle/torrent_hashes.hpp"

#include "common/bundle_reader.hpp"
#include "sluice-bundle/interrupt.hpp"

#include <sluice/fileio/file_io.hpp>

#include <algorithm>
#include <array>
#include <bit>
#include <map>
#include <set>

namespace sluice::publisher {

namespace {

lt::sha256_hash hash_pair(lt::sha256_hash const& left, lt::sha256_hash const& right) {
    lt::hasher256 h;
    h.update(left);
    h.update(right);
    return h.final();
}

// The root of a subtree of `leaves` zero leaves: what stands in for the pieces past the end of a file.
lt::sha256_hash zero_subtree_root(std::size_t leaves) {
    lt::sha256_hash h; // all zeros
    for (std::size_t n = leaves; n > 1; n /= 2) {
        h = hash_pair(h, h);
    }
    return h;
}

std::array<char, 64 * 1024> const zeros{};

} // namespace

lt::sha256_hash merkle_root(std::vector<lt::sha256_hash> leaves, std::size_t min_leaves) {
    auto const width = std::bit_ceil(std::max<std::size_t>({leaves.size(), min_leaves, 1}));
    leaves.resize(width); // BEP 52: leaves past the end of the file are zero
    while (leaves.size() > 1) {
        for (std::size_t i = 0; i < leaves.size() / 2; ++i) {
            leaves[i] = hash_pair(leaves[2 * i], leaves[2 * i + 1]);
        }
        leaves.resize(leaves.size() / 2);
    }
    return leaves.front();
}

file_piece_hasher::file_piece_hasher(int piece_length)
    : piece_length_(piece_length), blocks_per_piece_(piece_length / block_size) {
    out_.piece_length = piece_length;
    blocks_.reserve(static_cast<std::size_t>(blocks_per_piece_));
}

void file_piece_hasher::update(std::span<char const> data) {
    // Pieces are whole numbers of blocks, so a block never straddles two pieces.
    while (!data.empty()) {
        auto const n = std::min<std::size_t>(data.size(), static_cast<std::size_t>(block_size - block_fill_));
        piece_sha1_.update(data.data(), static_cast<int>(n));
        block_sha256_.update(data.data(), static_cast<int>(n));
        block_fill_ += static_cast<int>(n);
        size_ += n;
        data = data.subspan(n);
        if (block_fill_ == block_size) {
            close_block();
            if (static_cast<int>(blocks_.size()) == blocks_per_piece_) {
                close_piece();
            }
        }
    }
}

void file_piece_hasher::close_block() {
    blocks_.push_back(block_sha256_.final());
    block_sha256_.reset();
    block_fill_ = 0;
}

void file_piece_hasher::close_piece() {
    out_.v1.push_back(piece_sha1_.final());
    piece_sha1_.reset();
    out_.v2.push_back(merkle_root(blocks_, static_cast<std::size_t>(blocks_per_piece_)));
    blocks_.clear();
}

file_piece_hashes file_piece_hasher::finish() {
    out_.size = size_;
    if (block_fill_ > 0) {
        close_block();
    }
    if (!blocks_.empty()) {
        // A partial last piece: v1 wants it both as it is and padded with the pad file's zeros.
        auto const in_piece = size_ % static_cast<std::uint64_t>(piece_length_);
        auto unpadded = piece_sha1_;
        out_.v1_last_unpadded = unpadded.final();
        for (auto missing = static_cast<std::uint64_t>(piece_length_) - in_piece; missing > 0;) {
            auto const n = std::min<std::uint64_t>(missing, zeros.size());
            piece_sha1_.update(zeros.data(), static_cast<int>(n));
            missing -= n;
        }
        out_.v1.push_back(piece_sha1_.final());
        if (out_.v1.size() == 1) {
            // A file of less than one piece: its tree is only as wide as its own blocks need (BEP 52).
            out_.v2.push_back(merkle_root(blocks_));
        } else {
            out_.v2.push_back(merkle_root(blocks_, static_cast<std::size_t>(blocks_per_piece_)));
        }
        blocks_.clear();
    }
    if (out_.v2.size() == 1) {
        out_.root = out_.v2.front();
    } else if (out_.v2.size() > 1) {
        // Pieces past the end are whole subtrees of zero leaves.
        auto layer = out_.v2;
        layer.resize(std::bit_ceil(layer.size()),
                     zero_subtree_root(static_cast<std::size_t>(blocks_per_piece_)));
        out_.root = merkle_root(std::move(layer));
    }
    return std::move(out_);
}

result<std::vector<std::string>> check_torrent_data(lt::torrent_info const& torrent, fs::path const& root,
                                                    progress_mode progress) {
    auto const& files = torrent.files();
    bool const has_v1 = torrent.info_hashes().has_v1();
    bool const has_v2 = torrent.info_hashes().has_v2();
    std::uint64_t total = 0;
    for (auto const f : files.file_range()) {
        if (!files.pad_file_at(f)) {
            total += static_cast<std::uint64_t>(files.file_size(f));
        }
    }
    progress_meter meter(progress, "checking piece hashes", total);

    struct file_state {
        std::string problem; // missing, wrong size: its pieces are not blamed again
        int bad_pieces = 0;
        int first_bad_piece = -1;
        bool bad_root = false;
    };
    std::map<int, file_state> state;

    // v1 pieces run across file boundaries in general (a v1-only torrent has no pad files), so they are
    // hashed over the concatenation of the files, pad files read as zeros.
    lt::hasher piece;
    std::int64_t in_piece = 0;
    int piece_index = 0;
    std::set<int> piece_files; // the files whose bytes are in the current piece
    auto const feed = [&](char const* data, std::int64_t n, int file) {
        while (has_v1 && n > 0) {
            auto const piece_size = files.piece_size(lt::piece_index_t(piece_index));
            auto const take = std::min<std::int64_t>(n, piece_size - in_piece);
            piece.update(data, static_cast<int>(take));
            if (file >= 0) {
                piece_files.insert(file);
            }
            in_piece += take;
            n -= take;
            data += take;
            if (in_piece == piece_size) {
                if (piece.final() != torrent.hash_for_piece(lt::piece_index_t(piece_index))) {
                    for (int const f : piece_files) {
                        auto& s = state[f];
                        if (s.first_bad_piece < 0) {
                            s.first_bad_piece = piece_index;
                        }
                        ++s.bad_pieces;
                    }
                }
                piece.reset();
                piece_files.clear();
                in_piece = 0;
                ++piece_index;
            }
        }
    };
    auto const feed_zeros = [&](std::int64_t n, int file) {
        while (has_v1 && n > 0) {
            auto const take = std::min<std::int64_t>(n, static_cast<std::int64_t>(zeros.size()));
            feed(zeros.data(), take, file);
            n -= take;
        }
    };

    std::vector<char> buffer(1 << 20);
    for (auto const f : files.file_range()) {
        int const index = static_cast<int>(f);
        auto const size = files.file_size(f);
        if (files.pad_file_at(f)) {
            feed_zeros(size, -1);
            continue;
        }
        auto const name = path_in_root(files, f);
        auto const path = root / name;
        std::error_code ec;
        auto const on_disk = fs::file_size(path, ec);
        if (ec || static_cast<std::int64_t>(on_disk) != size) {
            state[index].problem = ec ? name + " is missing"
                                      : name + " is " + std::to_string(on_disk) +
                                            " bytes long; the torrent says " + std::to_string(size);
            feed_zeros(size, -1); // keeps the following pieces aligned; this file's are not blamed twice
            meter.advance(static_cast<std::uint64_t>(size));
            continue;
        }
        auto fd = fileio::open_for_reading(path, ec);
        if (ec) {
            state[index].problem = fileio::describe(path, ec);
            feed_zeros(size, -1);
            continue;
        }
        file_piece_hasher v2(torrent.piece_length());
        std::int64_t left = size;
        while (left > 0) {
            if (interrupted()) {
                return result<std::vector<std::string>>::failure("interrupted");
            }
            auto const want = std::min<std::int64_t>(left, static_cast<std::int64_t>(buffer.size()));
            auto const n = fileio::read_full(fd.get(), {buffer.data(), static_cast<std::size_t>(want)}, ec);
            if (ec || static_cast<std::int64_t>(n) != want) {
                state[index].problem = ec ? fileio::describe(path, ec) : name + " shrank while being read";
                feed_zeros(left, -1);
                break;
            }
            feed(buffer.data(), want, index);
            if (has_v2) {
                v2.update({buffer.data(), n});
            }
            left -= want;
            meter.advance(n);
        }
        if (has_v2 && state[index].problem.empty() && size > 0 && v2.finish().root != files.root(f)) {
            state[index].bad_root = true;
        }
    }
    meter.finish();

    std::vector<std::string> problems;
    for (auto const& [index, s] : state) {
        auto const name = path_in_root(files, lt::file_index_t(index));
        if (!s.problem.empty()) {
            problems.push_back(s.problem);
        } else if (s.bad_pieces > 0) {
            problems.push_back(name + ": " + std::to_string(s.bad_pieces) +
                               (s.bad_pieces == 1 ? " piece does" : " pieces do") +
                               " not match the torrent's v1 hashes (first: piece " +
                               std::to_string(s.first_bad_piece) + ")");
        } else if (s.bad_root) {
            problems.push_back(name + ": does not match the torrent's v2 hash (pieces root)");
        }
    }
    return problems;
}

} // namespace sluice::publisher
