#include <sluice/protocol/xchacha_aead.hpp>

#include <gtest/gtest.h>
#include <sodium.h>

#include <string>
#include <vector>

namespace sluice::protocol {
namespace {

std::vector<unsigned char> random_bytes(std::size_t n) {
    std::vector<unsigned char> out(n);
    if (n > 0) { // an empty vector's data() may be null, which randombytes_buf does not take
        randombytes_buf(out.data(), out.size());
    }
    return out;
}

template <std::size_t N>
std::array<unsigned char, N> random_array() {
    std::array<unsigned char, N> out{};
    randombytes_buf(out.data(), out.size());
    return out;
}

// libsodium's own construction is the reference: the same key, nonce and data must give the same bytes,
// and each side must open what the other sealed.
TEST(XchachaAead, MatchesLibsodiumByteForByte) {
    ASSERT_GE(sodium_init(), 0);
    for (std::size_t size : {0u, 1u, 15u, 16u, 63u, 64u, 1000u, 65536u, 65539u}) {
        auto const key = random_array<xchacha_key_size>();
        auto const nonce = random_array<xchacha_nonce_size>();
        auto const plain = random_bytes(size);
        auto const ad = random_bytes(size % 97);

        std::vector<unsigned char> ours(size + xchacha_tag_size);
        xchacha_seal(ours, plain, ad, nonce, key);
        std::vector<unsigned char> theirs(size + xchacha_tag_size);
        unsigned long long written = 0;
        crypto_aead_xchacha20poly1305_ietf_encrypt(theirs.data(), &written, plain.data(), plain.size(),
                                                   ad.data(), ad.size(), nullptr, nonce.data(), key.data());
        EXPECT_EQ(ours, theirs) << size;

        std::vector<unsigned char> opened(size);
        ASSERT_TRUE(xchacha_open(opened, theirs, ad, nonce, key)) << size;
        EXPECT_EQ(opened, plain);
        std::vector<unsigned char> by_sodium(size);
        EXPECT_EQ(crypto_aead_xchacha20poly1305_ietf_decrypt(by_sodium.data(), &written, nullptr, ours.data(),
                                                             ours.size(), ad.data(), ad.size(), nonce.data(),
                                                             key.data()),
                  0);
        EXPECT_EQ(by_sodium, plain);
    }
}

TEST(XchachaAead, RefusesAnyChangeAndZeroesTheOutput) {
    auto const key = random_array<xchacha_key_size>();
    auto const nonce = random_array<xchacha_nonce_size>();
    auto const plain = random_bytes(4096);
    auto const ad = random_bytes(40);
    std::vector<unsigned char> sealed(plain.size() + xchacha_tag_size);
    xchacha_seal(sealed, plain, ad, nonce, key);

    std::vector<unsigned char> out(plain.size());
    for (std::size_t at : {std::size_t{0}, std::size_t{2000}, sealed.size() - 1}) {
        auto changed = sealed;
        changed[at] ^= 0x01;
        std::fill(out.begin(), out.end(), 0xAA);
        EXPECT_FALSE(xchacha_open(out, changed, ad, nonce, key)) << at;
        EXPECT_TRUE(std::all_of(out.begin(), out.end(), [](unsigned char c) { return c == 0; })) << at;
    }
    auto other_ad = ad;
    other_ad[0] ^= 1;
    EXPECT_FALSE(xchacha_open(out, sealed, other_ad, nonce, key));
    auto other_nonce = nonce;
    other_nonce[23] ^= 1; // the part that reaches the inner cipher, not HChaCha20
    EXPECT_FALSE(xchacha_open(out, sealed, ad, other_nonce, key));
    auto other_key = key;
    other_key[0] ^= 1;
    EXPECT_FALSE(xchacha_open(out, sealed, ad, nonce, other_key));
    std::vector<unsigned char> wrong_size(plain.size() + 1);
    EXPECT_FALSE(xchacha_open(wrong_size, sealed, ad, nonce, key));
    EXPECT_FALSE(xchacha_open({}, std::span<unsigned char const>(sealed.data(), 10), ad, nonce, key));
}

} // namespace
} // namespace sluice::protocol
