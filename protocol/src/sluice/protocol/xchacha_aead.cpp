#include "xchacha_aead.hpp"

#include <sodium.h>

#include <cstring>
#include <limits>
#include <memory>
#include <openssl/evp.h>
#include <stdexcept>

namespace sluice::protocol {

namespace {

struct cipher_ctx_free {
    void operator()(EVP_CIPHER_CTX* ctx) const { EVP_CIPHER_CTX_free(ctx); }
};

// One context per thread, reused: creating one per chunk costs more than decrypting a small chunk.
EVP_CIPHER_CTX* thread_context() {
    thread_local std::unique_ptr<EVP_CIPHER_CTX, cipher_ctx_free> const ctx(EVP_CIPHER_CTX_new());
    if (!ctx) {
        throw std::bad_alloc();
    }
    return ctx.get();
}

// The subkey and the 12-byte IETF nonce of the inner ChaCha20-Poly1305.
struct inner_params {
    std::array<unsigned char, 32> subkey{};
    std::array<unsigned char, 12> iv{};

    inner_params(std::array<unsigned char, xchacha_nonce_size> const& nonce,
                 std::array<unsigned char, xchacha_key_size> const& key) {
        static bool const ready = sodium_init() >= 0;
        (void)ready;
        crypto_core_hchacha20(subkey.data(), nonce.data(), key.data(), nullptr);
        std::memcpy(iv.data() + 4, nonce.data() + 16, 8);
    }
    ~inner_params() { sodium_memzero(subkey.data(), subkey.size()); }
    inner_params(inner_params const&) = delete;
    inner_params& operator=(inner_params const&) = delete;
};

int as_int(std::size_t n) {
    if (n > static_cast<std::size_t>(std::numeric_limits<int>::max())) {
        throw std::length_error("AEAD input too large");
    }
    return static_cast<int>(n);
}

} // namespace

void xchacha_seal(std::span<unsigned char> out, std::span<unsigned char const> plain,
                  std::span<unsigned char const> ad,
                  std::array<unsigned char, xchacha_nonce_size> const& nonce,
                  std::array<unsigned char, xchacha_key_size> const& key) {
    if (out.size() != plain.size() + xchacha_tag_size) {
        throw std::length_error("xchacha_seal: output size");
    }
    inner_params const params(nonce, key);
    auto* ctx = thread_context();
    int n = 0;
    bool const ok = EVP_EncryptInit_ex(ctx, EVP_chacha20_poly1305(), nullptr, params.subkey.data(),
                                       params.iv.data()) == 1 &&
                    EVP_EncryptUpdate(ctx, nullptr, &n, ad.data(), as_int(ad.size())) == 1 &&
                    EVP_EncryptUpdate(ctx, out.data(), &n, plain.data(), as_int(plain.size())) == 1 &&
                    EVP_EncryptFinal_ex(ctx, out.data() + n, &n) == 1 &&
                    EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_GET_TAG, static_cast<int>(xchacha_tag_size),
                                        out.data() + plain.size()) == 1;
    if (!ok) {
        // Only a broken OpenSSL fails here; a sealed chunk must never be written half-done.
        throw std::runtime_error("ChaCha20-Poly1305 encryption failed");
    }
}

bool xchacha_open(std::span<unsigned char> out, std::span<unsigned char const> sealed,
                  std::span<unsigned char const> ad,
                  std::array<unsigned char, xchacha_nonce_size> const& nonce,
                  std::array<unsigned char, xchacha_key_size> const& key) {
    if (sealed.size() < xchacha_tag_size || out.size() != sealed.size() - xchacha_tag_size) {
        return false;
    }
    inner_params const params(nonce, key);
    auto* ctx = thread_context();
    auto const length = sealed.size() - xchacha_tag_size;
    // OpenSSL's tag control takes a non-const pointer but only reads it.
    std::array<unsigned char, xchacha_tag_size> tag{};
    std::memcpy(tag.data(), sealed.data() + length, tag.size());
    int n = 0;
    bool const ok =
        EVP_DecryptInit_ex(ctx, EVP_chacha20_poly1305(), nullptr, params.subkey.data(), params.iv.data()) ==
            1 &&
        EVP_DecryptUpdate(ctx, nullptr, &n, ad.data(), as_int(ad.size())) == 1 &&
        EVP_DecryptUpdate(ctx, out.data(), &n, sealed.data(), as_int(length)) == 1 &&
        EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_TAG, static_cast<int>(tag.size()), tag.data()) == 1 &&
        EVP_DecryptFinal_ex(ctx, out.data() + n, &n) == 1;
    if (!ok) {
        sodium_memzero(out.data(), out.size());
    }
    return ok;
}

} // namespace sluice::protocol
