#include "bundle/item_export.hpp"

#include "bundle/locked_reader.hpp"

#include <sluice/fileio/file_io.hpp>

#include <sodium.h>

#include <fcntl.h>
#include <random>
#include <stdio.h>
#include <unistd.h>

namespace sluice::bundle {

namespace {

constexpr std::size_t copy_block = 1024 * 1024;

std::string errno_text() {
    return std::generic_category().message(errno);
}

// The temporary file's descriptor, removed unless commit() renamed it into place.
class partial_file {
public:
    explicit partial_file(std::filesystem::path const& destination) : destination_(destination) {
        std::random_device rd;
        temp_ = destination.parent_path() /
                ("." + destination.filename().string() + ".partial-" + std::to_string(rd() % 1000000));
        fd_ = ::open(temp_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    }
    ~partial_file() {
        if (fd_ >= 0) {
            ::close(fd_);
        }
        if (!committed_) {
            ::unlink(temp_.c_str());
        }
    }
    int fd() const { return fd_; }

    // fsync, then a rename that refuses to replace an existing file.
    std::string commit() {
        if (::fsync(fd_) != 0) {
            return "could not sync " + temp_.string() + ": " + errno_text();
        }
        ::close(fd_);
        fd_ = -1;
        if (::renameat2(AT_FDCWD, temp_.c_str(), AT_FDCWD, destination_.c_str(), RENAME_NOREPLACE) != 0) {
            return errno == EEXIST ? destination_.string() + " already exists; choose another name"
                                   : "could not rename into " + destination_.string() + ": " + errno_text();
        }
        committed_ = true;
        return {};
    }

private:
    std::filesystem::path destination_;
    std::filesystem::path temp_;
    int fd_ = -1;
    bool committed_ = false;
};

} // namespace

export_result export_item(std::string const& source_file, file_access const& access,
                          std::filesystem::path const& destination) {
    export_result result;
    if (access.what == file_access::kind::locked) {
        result.error = "the item is locked: redeem an unlock token first";
        return result;
    }
    std::error_code ec;
    if (std::filesystem::exists(std::filesystem::symlink_status(destination, ec))) {
        result.error = destination.string() + " already exists; choose another name";
        return result;
    }
    partial_file out(destination);
    if (out.fd() < 0) {
        result.error = "cannot write in " + destination.parent_path().string() + ": " + errno_text();
        return result;
    }
    crypto_hash_sha256_state hash;
    crypto_hash_sha256_init(&hash);
    auto take = [&](std::string_view bytes) {
        crypto_hash_sha256_update(&hash, reinterpret_cast<unsigned char const*>(bytes.data()), bytes.size());
        result.bytes += bytes.size();
        std::error_code write_ec;
        fileio::write_all(out.fd(), bytes, write_ec);
        return !write_ec;
    };

    if (access.what == file_access::kind::unlocked) {
        locked_reader reader;
        reader.open(source_file, access.plaintext_size, access.key, access.identity, ec);
        if (ec) {
            result.error = "cannot read the encrypted item " + source_file + ": " + ec.message();
            return result;
        }
        for (std::uint64_t i = 0; i < reader.header().chunk_count(); ++i) {
            auto const plain = reader.read_chunk(i, ec);
            if (ec) {
                result.error = "chunk " + std::to_string(i) + " of the item does not decrypt (" +
                               ec.message() + "): the download is damaged or the key is wrong";
                return result;
            }
            if (!take(plain)) {
                result.error = "could not write " + destination.string() + ": " + errno_text();
                return result;
            }
        }
    } else {
        int const in = ::open(source_file.c_str(), O_RDONLY | O_CLOEXEC);
        if (in < 0) {
            result.error = "cannot read " + source_file + ": " + errno_text();
            return result;
        }
        std::string block(copy_block, '\0');
        for (;;) {
            auto const n = ::read(in, block.data(), block.size());
            if (n < 0 && errno == EINTR) {
                continue;
            }
            if (n < 0 || (n > 0 && !take(std::string_view(block.data(), static_cast<std::size_t>(n))))) {
                result.error = "could not copy " + source_file + ": " + errno_text();
                ::close(in);
                return result;
            }
            if (n == 0) {
                break;
            }
        }
        ::close(in);
    }
    std::array<unsigned char, 32> digest{};
    crypto_hash_sha256_final(&hash, digest.data());
    if (access.sha256 && digest != *access.sha256) {
        result.error = "the exported bytes do not match the SHA-256 in bundle.json; nothing was written";
        return result;
    }
    if (auto const error = out.commit(); !error.empty()) {
        result.error = error;
        return result;
    }
    result.ok = true;
    return result;
}

} // namespace sluice::bundle
