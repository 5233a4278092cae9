#include "keys.hpp"

#include <sodium.h>

namespace sluice::protocol {

bool sodium_ready() {
    static bool const ready = sodium_init() >= 0;
    return ready;
}

namespace {

unsigned char const* as_bytes(std::string_view s) {
    return reinterpret_cast<unsigned char const*>(s.data());
}

} // namespace

signing_keypair generate_signing_keypair() {
    sodium_ready();
    signing_keypair k;
    crypto_sign_keypair(k.public_key.data(), k.secret_key.data());
    return k;
}

box_keypair generate_box_keypair() {
    sodium_ready();
    box_keypair k;
    crypto_box_keypair(k.public_key.data(), k.secret_key.data());
    return k;
}

std::array<unsigned char, 64> sign(std::string_view message, signing_keypair const& keys) {
    sodium_ready();
    std::array<unsigned char, 64> sig{};
    crypto_sign_detached(sig.data(), nullptr, as_bytes(message), message.size(), keys.secret_key.data());
    return sig;
}

bool verify(std::string_view message, std::array<unsigned char, 64> const& signature,
            std::array<unsigned char, 32> const& public_key) {
    sodium_ready();
    return crypto_sign_verify_detached(signature.data(), as_bytes(message), message.size(),
                                       public_key.data()) == 0;
}

std::string seal_to(std::string_view secret, std::array<unsigned char, 32> const& recipient) {
    sodium_ready();
    std::string out(secret.size() + crypto_box_SEALBYTES, '\0');
    crypto_box_seal(reinterpret_cast<unsigned char*>(out.data()), as_bytes(secret), secret.size(),
                    recipient.data());
    return out;
}

std::optional<std::string> open_sealed(std::string_view sealed, box_keypair const& recipient) {
    sodium_ready();
    if (sealed.size() < crypto_box_SEALBYTES) {
        return std::nullopt;
    }
    std::string out(sealed.size() - crypto_box_SEALBYTES, '\0');
    if (crypto_box_seal_open(reinterpret_cast<unsigned char*>(out.data()), as_bytes(sealed), sealed.size(),
                             recipient.public_key.data(), recipient.secret_key.data()) != 0) {
        return std::nullopt;
    }
    return out;
}

std::string to_base64(std::string_view bytes) {
    sodium_ready();
    std::string out(sodium_base64_ENCODED_LEN(bytes.size(), sodium_base64_VARIANT_ORIGINAL), '\0');
    sodium_bin2base64(out.data(), out.size(), as_bytes(bytes), bytes.size(), sodium_base64_VARIANT_ORIGINAL);
    out.resize(std::char_traits<char>::length(out.c_str()));
    return out;
}

std::optional<std::string> from_base64(std::string_view text) {
    sodium_ready();
    std::string out(text.size() / 4 * 3 + 3, '\0');
    std::size_t length = 0;
    if (sodium_base642bin(reinterpret_cast<unsigned char*>(out.data()), out.size(), text.data(), text.size(),
                          nullptr, &length, nullptr, sodium_base64_VARIANT_ORIGINAL) != 0) {
        return std::nullopt;
    }
    out.resize(length);
    return out;
}

std::string encode_public_key(std::string_view kind, std::array<unsigned char, 32> const& key) {
    return std::string(kind) + ":" + to_base64({reinterpret_cast<char const*>(key.data()), key.size()});
}

std::optional<std::array<unsigned char, 32>> decode_public_key(std::string_view kind, std::string_view text) {
    if (text.size() <= kind.size() + 1 || text.substr(0, kind.size()) != kind || text[kind.size()] != ':') {
        return std::nullopt;
    }
    auto const raw = from_base64(text.substr(kind.size() + 1));
    if (!raw || raw->size() != 32) {
        return std::nullopt;
    }
    std::array<unsigned char, 32> key{};
    std::copy(raw->begin(), raw->end(), key.begin());
    return key;
}

} // namespace sluice::protocol
