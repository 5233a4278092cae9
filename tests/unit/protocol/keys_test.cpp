#include <sluice/protocol/keys.hpp>

#include <gtest/gtest.h>

namespace sluice::protocol {
namespace {

TEST(Keys, SignaturesCoverExactlyTheBytes) {
    auto const publisher = generate_signing_keypair();
    std::string const manifest = R"({"id":"b1","version":3})";
    auto const sig = sign(manifest, publisher);
    EXPECT_TRUE(verify(manifest, sig, publisher.public_key));
    EXPECT_FALSE(verify(manifest + " ", sig, publisher.public_key)) << "one more byte";
    EXPECT_FALSE(verify(manifest, sig, generate_signing_keypair().public_key)) << "another key";
    auto bent = sig;
    bent[10] ^= 1;
    EXPECT_FALSE(verify(manifest, bent, publisher.public_key));
}

TEST(Keys, SealedItemKeysOpenOnlyForTheirDevice) {
    auto const device = generate_box_keypair();
    std::string const item_key(32, '\x5a');
    auto const sealed = seal_to(item_key, device.public_key);
    EXPECT_EQ(sealed.find(item_key), std::string::npos) << "the key must not appear in the clear";
    EXPECT_EQ(open_sealed(sealed, device), item_key);
    EXPECT_FALSE(open_sealed(sealed, generate_box_keypair()));
    auto bent = sealed;
    bent.back() = static_cast<char>(bent.back() ^ 1);
    EXPECT_FALSE(open_sealed(bent, device));
    EXPECT_FALSE(open_sealed("short", device));
    EXPECT_NE(seal_to(item_key, device.public_key), sealed) << "each seal uses a fresh ephemeral key";
}

TEST(Keys, PublicKeysAsText) {
    auto const k = generate_signing_keypair();
    auto const text = encode_public_key("ed25519", k.public_key);
    EXPECT_EQ(text.rfind("ed25519:", 0), 0u);
    EXPECT_EQ(decode_public_key("ed25519", text), k.public_key);
    EXPECT_FALSE(decode_public_key("x25519", text));
    EXPECT_FALSE(decode_public_key("ed25519", "ed25519:AAAA"));
    EXPECT_FALSE(decode_public_key("ed25519", "ed25519:not base64!"));
    EXPECT_EQ(from_base64(to_base64("hello")), "hello");
}

} // namespace
} // namespace sluice::protocol
