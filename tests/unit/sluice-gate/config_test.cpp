#include "file_helpers.hpp"
#include "sandbox_dir.hpp"
#include "sluice-gate/admin_handlers.hpp"
#include "sluice-gate/secret_file.hpp"
#include "sluice-gate/tls_context.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <openssl/evp.h>
#include <openssl/pem.h>

namespace sluice::gate {
namespace {

using sluice::testing::sandbox_dir;
using sluice::testing::write_file;

TEST(GateSecretFile, TrimsAndRefusesWeakOrOddSecrets) {
    sandbox_dir dir;
    std::string error;
    write_file(dir / "token", "  0123456789abcdef0123456789abcdef\n");
    EXPECT_EQ(read_secret_file(dir / "token", 32, error), "0123456789abcdef0123456789abcdef");
    write_file(dir / "short", "0123456789abcdef0123456789abcde\n");
    EXPECT_FALSE(read_secret_file(dir / "short", 32, error));
    EXPECT_NE(error.find("at least 32"), std::string::npos) << error;
    write_file(dir / "inner", "0123456789abcdef 0123456789abcdef");
    EXPECT_FALSE(read_secret_file(dir / "inner", 16, error));
    write_file(dir / "large", std::string(5000, 'x'));
    EXPECT_FALSE(read_secret_file(dir / "large", 16, error));
    EXPECT_FALSE(read_secret_file(dir / "missing", 16, error));
    EXPECT_NE(error.find("cannot be read"), std::string::npos) << error;
}

TEST(GateAdminToken, OnlyTheBearerTokenItself) {
    std::string const token = "0123456789abcdef0123456789abcdef";
    auto const ok = "Bearer " + token;
    auto const lower = "bearer " + token;
    EXPECT_TRUE(bearer_matches(&ok, token));
    EXPECT_TRUE(bearer_matches(&lower, token));
    EXPECT_FALSE(bearer_matches(nullptr, token));
    for (std::string const& bad :
         {std::string("Bearer"), std::string("Bearer "), "Basic " + token, "Bearer  " + token,
          "Bearer " + token + " ", "Bearer " + token.substr(1), token}) {
        EXPECT_FALSE(bearer_matches(&bad, token)) << bad;
    }
    // No token configured: nothing matches, not even an empty one.
    std::string const empty = "Bearer ";
    EXPECT_FALSE(bearer_matches(&empty, ""));
}

TEST(GateTlsContext, RefusesWhatIsNotACertificateAndItsKey) {
    sandbox_dir dir;
    write_file(dir / "cert.pem", "not a certificate\n");
    write_file(dir / "garbage-key.pem", "not a key\n");
    // A real key, so that the certificate is what is wrong.
    EVP_PKEY* key = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256");
    ASSERT_TRUE(key);
    FILE* out = std::fopen((dir / "key.pem").c_str(), "w");
    ASSERT_TRUE(out);
    PEM_write_PrivateKey(out, key, nullptr, nullptr, 0, nullptr, nullptr);
    std::fclose(out);
    EVP_PKEY_free(key);

    std::string error;
    EXPECT_FALSE(make_tls_context(dir / "cert.pem", dir / "garbage-key.pem", error));
    EXPECT_NE(error.find("garbage-key.pem"), std::string::npos) << error;
    EXPECT_FALSE(make_tls_context(dir / "cert.pem", dir / "key.pem", error));
    EXPECT_NE(error.find("cert.pem: not a PEM certificate chain"), std::string::npos) << error;
    EXPECT_FALSE(make_tls_context(dir / "missing.pem", dir / "key.pem", error));
    EXPECT_NE(error.find("missing.pem"), std::string::npos) << error;
}

} // namespace
} // namespace sluice::gate
