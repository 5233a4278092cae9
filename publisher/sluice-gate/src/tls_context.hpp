#pragma once

#include <boost/asio/ssl/context.hpp>

#include <filesystem>
#include <memory>
#include <string>

namespace sluice::gate {

// The server side of HTTPS (`serve --tls-cert --tls-key`): TLS 1.2 or later only, the certificate chain and
// its private key from PEM files. Payments and the admin token cross the network: a gate on a public address
// serves them over TLS, itself or behind a proxy.
//
// nullptr, with `error` saying which file and why, when a file cannot be read, is not PEM, or the key is not
// the certificate's.
std::unique_ptr<boost::asio::ssl::context> make_tls_context(std::filesystem::path const& certificate_chain,
                                                            std::filesystem::path const& private_key,
                                                            std::string& error);

} // namespace sluice::gate
