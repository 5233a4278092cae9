// libFuzzer entry point: a receipt a gate signed for a backer (protocol/gate-api.md, "Receipts"), checked as
// the host checks one before keeping it: protocol::verify_gate_receipt, then gate_api::receipt_problem
// against what the pledge expects. The pledge-answer fuzzer meets receipts only inside a pledge's answer and
// against one fixed pledge; here the receipt is the whole input, the release a failed campaign hands out
// included. The first byte chooses what the rest is:
//   high bit clear: the receipt's text, as it arrives;
//   high bit set:   a signed body, which the fuzzer puts in an envelope signed with the gate's key (bit 0
//                   clear) or with a key the host does not trust (bit 0 set), so the checks behind the
//                   signature are reached as well.

#include "gate_fuzz_support.hpp"

#include <sluice/protocol/gate_receipt.hpp>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

namespace {

using namespace sluice;

void require(bool condition) {
    if (!condition) {
        std::abort();
    }
}

protocol::signing_keypair const& untrusted_key() {
    static protocol::signing_keypair const k = [] {
        fuzzing::fuzz_keys(); // sodium_init
        constexpr std::string_view seed = "sluice fuzzing: an untrusted key";
        protocol::signing_keypair kp;
        crypto_sign_seed_keypair(kp.public_key.data(), kp.secret_key.data(),
                                 reinterpret_cast<unsigned char const*>(seed.data()));
        return kp;
    }();
    return k;
}

std::string sign_receipt(std::string_view body, protocol::signing_keypair const& key) {
    auto const sig = protocol::sign(body, key);
    return nlohmann::json{{"format", protocol::gate_receipt_format},
                          {"gateKey", protocol::encode_public_key("ed25519", key.public_key)},
                          {"payload", protocol::to_base64(body)},
                          {"signature", protocol::to_base64(std::string_view(
                                            reinterpret_cast<char const*>(sig.data()), sig.size()))}}
        .dump();
}

bool fits(std::string const& text, std::size_t least, std::size_t most) {
    return text.size() >= least && text.size() <= most;
}

// What an accepted receipt promises, whatever the bytes were: the host keeps it and shows it to a person.
void check_accepted(protocol::gate_receipt const& r, std::string_view text,
                    std::vector<std::array<unsigned char, 32>> const& trusted) {
    require(text.size() <= 16 * 1024);
    require(r.kind == "pledge" || r.kind == "cancellation" || r.kind == "release");
    require(fits(r.pledge_id, 1, 128) && fits(r.campaign_id, 1, 64) && fits(r.bundle_id, 1, 64));
    require(fits(r.device, 1, 128) && r.currency.size() == 3 && r.at.size() == 20);
    require(std::find(trusted.begin(), trusted.end(), r.gate_key) != trusted.end());
    require(!protocol::verify_gate_receipt(text, {})); // nobody trusted, nothing accepted

    // The same receipt, held against the pledge it describes and against others.
    gate_api::expected_receipt expected{r.kind, r.pledge_id, r.campaign_id, r.device, r.amount};
    require(!gate_api::receipt_problem(text, expected, trusted));
    expected.amount = 0; // the host let the gate take the price
    require(!gate_api::receipt_problem(text, expected, trusted));
    auto const refused = [&](auto change) {
        auto other = expected;
        change(other);
        auto const problem = gate_api::receipt_problem(text, other, trusted);
        require(problem && !problem->empty());
    };
    refused([](auto& e) { e.pledge_id += "x"; });
    refused([](auto& e) { e.campaign_id += "x"; });
    refused([](auto& e) { e.device += "x"; });
    refused([&](auto& e) { e.kind = r.kind == "pledge" ? "cancellation" : "pledge"; });
    refused([&](auto& e) { e.amount = r.amount + 1; });
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size) {
    if (size == 0) {
        return 0;
    }
    auto const& k = fuzzing::fuzz_keys();
    std::string_view rest(reinterpret_cast<char const*>(data) + 1, size - 1);
    std::string text(rest);
    bool const signed_by_stranger = (data[0] & 0x81) == 0x81;
    if (data[0] & 0x80) {
        text = sign_receipt(rest, signed_by_stranger ? untrusted_key() : k.gate);
    }
    std::vector<std::array<unsigned char, 32>> const trusted = {k.gate.public_key};
    auto const checked = protocol::verify_gate_receipt(text, trusted);
    if (checked) {
        require(!signed_by_stranger);
        check_accepted(checked.receipt, text, trusted);
        return 0;
    }
    require(!checked.detail.empty()); // every refusal says why
    gate_api::expected_receipt const expected{"pledge", "p-1", "saison-2", k.device_text, 0};
    auto const problem = gate_api::receipt_problem(text, expected, trusted);
    require(problem && !problem->empty());
    return 0;
}
