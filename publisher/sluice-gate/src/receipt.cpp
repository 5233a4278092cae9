#include "sluice-gate/receipt.hpp"

#include <sluice/protocol/gate_receipt.hpp>
#include <sluice/protocol/untrusted_json.hpp>

namespace sluice::gate {

std::string sign_receipt(nlohmann::json const& body, protocol::signing_keypair const& gate_key) {
    auto const bytes = protocol::dump_compact(body);
    auto const signature = protocol::sign(bytes, gate_key);
    nlohmann::json const envelope{
        {"format", protocol::gate_receipt_format},
        {"gateKey", protocol::encode_public_key("ed25519", gate_key.public_key)},
        {"payload", protocol::to_base64(bytes)},
        {"signature", protocol::to_base64(std::string_view(reinterpret_cast<char const*>(signature.data()),
                                                           signature.size()))},
    };
    return protocol::dump_compact(envelope);
}

} // namespace sluice::gate
