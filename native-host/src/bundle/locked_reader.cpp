#include "bundle/locked_reader.hpp"

#include <sodium.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <utility>

namespace sluice::bundle {

namespace {

std::error_code last_error() {
    return {errno, std::generic_category()};
}

// pread until `out` is full; a short file is bad_message (the torrent says it is longer).
void read_at(int fd, std::uint64_t offset, std::string& out, std::error_code& ec) {
    std::size_t done = 0;
    while (done < out.size()) {
        auto const n = ::pread(fd, out.data() + done, out.size() - done, static_cast<off_t>(offset + done));
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0) {
            ec = last_error();
            return;
        }
        if (n == 0) {
            ec = std::make_error_code(std::errc::bad_message);
            return;
        }
        done += static_cast<std::size_t>(n);
    }
}

} // namespace

locked_reader::locked_reader(locked_reader&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)), header_(other.header_), key_(other.key_),
      identity_(other.identity_) {}

locked_reader& locked_reader::operator=(locked_reader&& other) noexcept {
    if (this != &other) {
        if (fd_ >= 0) {
            ::close(fd_);
        }
        fd_ = std::exchange(other.fd_, -1);
        header_ = other.header_;
        key_ = other.key_;
        identity_ = other.identity_;
    }
    return *this;
}

locked_reader::~locked_reader() {
    if (fd_ >= 0) {
        ::close(fd_);
    }
    sodium_memzero(key_.data(), key_.size());
}

void locked_reader::open(std::string const& path, std::uint64_t expected_plaintext_size,
                         protocol::item_key const& key, std::array<unsigned char, 32> const& identity,
                         std::error_code& ec) {
    ec.clear();
    int const fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0) {
        ec = last_error();
        return;
    }
    std::string bytes(protocol::locked_header::size, '\0');
    read_at(fd, 0, bytes, ec);
    struct stat st {};
    if (!ec && ::fstat(fd, &st) != 0) {
        ec = last_error();
    }
    std::optional<protocol::locked_header> header;
    if (!ec) {
        header = protocol::locked_header::decode(
            {reinterpret_cast<unsigned char const*>(bytes.data()), bytes.size()});
        if (!header || header->plaintext_size != expected_plaintext_size ||
            header->encrypted_size() != static_cast<std::uint64_t>(st.st_size)) {
            ec = std::make_error_code(std::errc::bad_message);
        }
    }
    if (ec) {
        ::close(fd);
        return;
    }
    if (fd_ >= 0) {
        ::close(fd_);
    }
    fd_ = fd;
    header_ = *header;
    key_ = key;
    identity_ = identity;
}

std::string locked_reader::read_chunk(std::uint64_t index, std::error_code& ec) {
    if (fd_ < 0 || index >= header_.chunk_count()) {
        ec = std::make_error_code(std::errc::invalid_argument);
        return {};
    }
    std::string plain(header_.chunk_plain_size(index), '\0');
    read_chunk_into(index, {reinterpret_cast<unsigned char*>(plain.data()), plain.size()}, sealed_, ec);
    return ec ? std::string() : plain;
}

void locked_reader::read_chunk_into(std::uint64_t index, std::span<unsigned char> out, std::string& sealed,
                                    std::error_code& ec) const {
    ec.clear();
    if (fd_ < 0 || index >= header_.chunk_count()) {
        ec = std::make_error_code(std::errc::invalid_argument);
        return;
    }
    sealed.resize(header_.chunk_plain_size(index) + protocol::locked_header::tag_size);
    read_at(fd_, header_.chunk_offset(index), sealed, ec);
    if (ec) {
        return;
    }
    protocol::open_chunk_into(header_, key_, identity_, index,
                              {reinterpret_cast<unsigned char const*>(sealed.data()), sealed.size()}, out,
                              ec);
}

std::pair<std::uint64_t, std::uint64_t> locked_reader::sealed_span(std::uint64_t first,
                                                                   std::uint64_t last) const {
    auto const first_chunk = first / header_.chunk_size;
    auto const last_chunk = last / header_.chunk_size;
    return {header_.chunk_offset(first_chunk), header_.chunk_offset(last_chunk) +
                                                   header_.chunk_plain_size(last_chunk) +
                                                   protocol::locked_header::tag_size - 1};
}

} // namespace sluice::bundle
