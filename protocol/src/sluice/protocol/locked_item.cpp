#include "locked_item.hpp"

#include "keys.hpp"
#include "xchacha_aead.hpp"

#include <sodium.h>

#include <cstring>

namespace sluice::protocol {

namespace {

constexpr unsigned char magic[16] = {'S', 'L', 'U', 'I', 'C', 'E', '-', 'L',
                                     'O', 'C', 'K', 'E', 'D', 0,   0,   0};
constexpr std::uint32_t format_version = 1;
constexpr std::uint32_t min_chunk_size = 4 * 1024;
constexpr std::uint32_t max_chunk_size = 16 * 1024 * 1024;
constexpr char ad_label[] = "sluice locked chunk v1";

void put_u32(unsigned char* p, std::uint32_t v) {
    for (int i = 0; i < 4; ++i) {
        p[i] = static_cast<unsigned char>(v >> (8 * i));
    }
}

void put_u64(unsigned char* p, std::uint64_t v) {
    for (int i = 0; i < 8; ++i) {
        p[i] = static_cast<unsigned char>(v >> (8 * i));
    }
}

std::uint32_t get_u32(unsigned char const* p) {
    std::uint32_t v = 0;
    for (int i = 3; i >= 0; --i) {
        v = (v << 8) | p[i];
    }
    return v;
}

std::uint64_t get_u64(unsigned char const* p) {
    std::uint64_t v = 0;
    for (int i = 7; i >= 0; --i) {
        v = (v << 8) | p[i];
    }
    return v;
}

// label || header || identity || index || last-flag
std::string associated_data(locked_header const& header, std::array<unsigned char, 32> const& identity,
                            std::uint64_t index) {
    auto const encoded = header.encode();
    std::string ad(ad_label, sizeof ad_label - 1);
    ad.append(reinterpret_cast<char const*>(encoded.data()), encoded.size());
    ad.append(reinterpret_cast<char const*>(identity.data()), identity.size());
    unsigned char tail[9];
    put_u64(tail, index);
    tail[8] = index + 1 == header.chunk_count() ? 1 : 0;
    ad.append(reinterpret_cast<char const*>(tail), sizeof tail);
    return ad;
}

std::array<unsigned char, crypto_aead_xchacha20poly1305_ietf_NPUBBYTES> nonce_for(std::uint64_t index) {
    std::array<unsigned char, crypto_aead_xchacha20poly1305_ietf_NPUBBYTES> nonce{};
    put_u64(nonce.data(), index);
    return nonce;
}

} // namespace

std::uint64_t locked_header::chunk_count() const {
    return plaintext_size == 0 ? 1 : (plaintext_size + chunk_size - 1) / chunk_size;
}

std::uint64_t locked_header::encrypted_size() const {
    return size + plaintext_size + chunk_count() * tag_size;
}

std::uint64_t locked_header::chunk_offset(std::uint64_t index) const {
    return size + index * (static_cast<std::uint64_t>(chunk_size) + tag_size);
}

std::uint64_t locked_header::chunk_plain_size(std::uint64_t index) const {
    if (index + 1 < chunk_count()) {
        return chunk_size;
    }
    return plaintext_size - index * chunk_size;
}

std::array<unsigned char, locked_header::size> locked_header::encode() const {
    std::array<unsigned char, size> out{};
    std::memcpy(out.data(), magic, sizeof magic);
    put_u32(out.data() + 16, format_version);
    put_u32(out.data() + 20, chunk_size);
    put_u64(out.data() + 24, plaintext_size);
    return out;
}

std::optional<locked_header> locked_header::decode(std::span<unsigned char const> bytes) {
    if (bytes.size() < size || std::memcmp(bytes.data(), magic, sizeof magic) != 0 ||
        get_u32(bytes.data() + 16) != format_version) {
        return std::nullopt;
    }
    locked_header h;
    h.chunk_size = get_u32(bytes.data() + 20);
    h.plaintext_size = get_u64(bytes.data() + 24);
    if (h.chunk_size < min_chunk_size || h.chunk_size > max_chunk_size ||
        h.plaintext_size > (std::uint64_t{1} << 50)) {
        return std::nullopt;
    }
    for (std::size_t i = 32; i < size; ++i) {
        if (bytes[i] != 0) {
            return std::nullopt; // reserved bytes: a later version's header, not ours
        }
    }
    return h;
}

item_key generate_item_key() {
    sodium_ready();
    item_key key{};
    crypto_aead_xchacha20poly1305_ietf_keygen(key.data());
    return key;
}

std::array<unsigned char, 32> item_identity(std::string_view bundle_id, std::string_view item_path) {
    sodium_ready();
    std::string input(bundle_id);
    input.push_back('\0');
    input.append(item_path);
    std::array<unsigned char, 32> out{};
    crypto_hash_sha256(out.data(), reinterpret_cast<unsigned char const*>(input.data()), input.size());
    return out;
}

std::string seal_chunk(locked_header const& header, item_key const& key,
                       std::array<unsigned char, 32> const& identity, std::uint64_t index,
                       std::span<unsigned char const> plain) {
    auto const ad = associated_data(header, identity, index);
    std::string out(plain.size() + locked_header::tag_size, '\0');
    xchacha_seal({reinterpret_cast<unsigned char*>(out.data()), out.size()}, plain,
                 {reinterpret_cast<unsigned char const*>(ad.data()), ad.size()}, nonce_for(index), key);
    return out;
}

void open_chunk_into(locked_header const& header, item_key const& key,
                     std::array<unsigned char, 32> const& identity, std::uint64_t index,
                     std::span<unsigned char const> sealed, std::span<unsigned char> out,
                     std::error_code& ec) {
    ec.clear();
    if (index >= header.chunk_count() ||
        sealed.size() != header.chunk_plain_size(index) + locked_header::tag_size ||
        out.size() != sealed.size() - locked_header::tag_size) {
        ec = std::make_error_code(std::errc::bad_message);
        return;
    }
    auto const ad = associated_data(header, identity, index);
    if (!xchacha_open(out, sealed, {reinterpret_cast<unsigned char const*>(ad.data()), ad.size()},
                      nonce_for(index), key)) {
        ec = std::make_error_code(std::errc::bad_message);
    }
}

std::string open_chunk(locked_header const& header, item_key const& key,
                       std::array<unsigned char, 32> const& identity, std::uint64_t index,
                       std::span<unsigned char const> sealed, std::error_code& ec) {
    std::string out(sealed.size() - std::min(sealed.size(), locked_header::tag_size), '\0');
    open_chunk_into(header, key, identity, index, sealed,
                    {reinterpret_cast<unsigned char*>(out.data()), out.size()}, ec);
    return ec ? std::string() : out;
}

std::string seal_item(std::string_view plaintext, item_key const& key,
                      std::array<unsigned char, 32> const& identity, std::uint32_t chunk_size) {
    locked_header header;
    header.chunk_size = chunk_size;
    header.plaintext_size = plaintext.size();
    auto const encoded = header.encode();
    std::string out(reinterpret_cast<char const*>(encoded.data()), encoded.size());
    for (std::uint64_t i = 0; i < header.chunk_count(); ++i) {
        auto const begin = i * chunk_size;
        auto const length = header.chunk_plain_size(i);
        out += seal_chunk(header, key, identity, i,
                          {reinterpret_cast<unsigned char const*>(plaintext.data()) + begin,
                           static_cast<std::size_t>(length)});
    }
    return out;
}

std::string open_item(std::string_view sealed, item_key const& key,
                      std::array<unsigned char, 32> const& identity, std::error_code& ec) {
    auto const bytes =
        std::span<unsigned char const>(reinterpret_cast<unsigned char const*>(sealed.data()), sealed.size());
    auto const header = locked_header::decode(bytes);
    if (!header || header->encrypted_size() != sealed.size()) {
        ec = std::make_error_code(std::errc::bad_message);
        return {};
    }
    std::string out;
    for (std::uint64_t i = 0; i < header->chunk_count(); ++i) {
        auto const offset = header->chunk_offset(i);
        auto const length = header->chunk_plain_size(i) + locked_header::tag_size;
        out += open_chunk(*header, key, identity, i, bytes.subspan(offset, length), ec);
        if (ec) {
            return {};
        }
    }
    return out;
}

} // namespace sluice::protocol
