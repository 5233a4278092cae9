#include "sluice-gate/tls_context.hpp"

#include <openssl/ssl.h>

namespace sluice::gate {

namespace asio = boost::asio;

std::unique_ptr<asio::ssl::context> make_tls_context(std::filesystem::path const& certificate_chain,
                                                     std::filesystem::path const& private_key,
                                                     std::string& error) {
    auto tls = std::make_unique<asio::ssl::context>(asio::ssl::context::tls_server);
    tls->set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                     asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 |
                     asio::ssl::context::no_tlsv1_1 | asio::ssl::context::no_compression |
                     asio::ssl::context::single_dh_use);
    // The options above name the old versions one by one; the floor also holds for any added later.
    if (SSL_CTX_set_min_proto_version(tls->native_handle(), TLS1_2_VERSION) != 1) {
        error = "TLS 1.2 is not available in this OpenSSL";
        return nullptr;
    }
    boost::system::error_code ec;
    // The key first: loaded after the certificate, a key of another certificate fails with OpenSSL's "key
    // values mismatch"; this way round the check below says it in words.
    tls->use_private_key_file(private_key.string(), asio::ssl::context::pem, ec);
    if (ec) {
        error = private_key.string() + ": not a PEM private key (" + ec.message() + ")";
        return nullptr;
    }
    tls->use_certificate_chain_file(certificate_chain.string(), ec);
    if (ec) {
        error = certificate_chain.string() + ": not a PEM certificate chain (" + ec.message() + ")";
        return nullptr;
    }
    if (SSL_CTX_check_private_key(tls->native_handle()) != 1) {
        error = private_key.string() + " is not the key of the certificate in " + certificate_chain.string();
        return nullptr;
    }
    return tls;
}

} // namespace sluice::gate
