#pragma once

#include <sluice/protocol/keys.hpp>

#include <nlohmann/json.hpp>

#include <string>

namespace sluice::gate {

// A statement the gate signs for a backer: a pledge taken, a pledge cancelled, a campaign that failed
// (the release: nothing will be charged, no token will be issued). The same envelope as an unlock token,
// for the same reason (the signature covers the exact body bytes, nothing is canonicalised):
//     {"format":"sluice-receipt/1","gateKey":"ed25519:…","payload":"<base64 body>","signature":"<base64>"}
// The body is `body` as compact JSON; its "kind" says which statement it is (protocol/gate-api.md). Hosts
// read it with protocol::verify_gate_receipt, which names the format.

std::string sign_receipt(nlohmann::json const& body, protocol::signing_keypair const& gate_key);

} // namespace sluice::gate
