#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace sluice::protocol {

// A statement a gate signs for a backer (protocol/gate-api.md, "Receipts"): a pledge taken, cancelled, or
// released when its campaign failed. The envelope is an unlock token's, with its own format name.
inline constexpr std::string_view gate_receipt_format = "sluice-receipt/1";

struct gate_receipt {
    std::string kind; // "pledge", "cancellation" or "release"
    std::string pledge_id;
    std::string campaign_id;
    std::string bundle_id;
    std::uint64_t amount = 0;
    std::string currency;
    std::string device; // "x25519:<base64>"
    std::string at;
    std::array<unsigned char, 32> gate_key{};
};

struct gate_receipt_result {
    gate_receipt receipt; // only meaningful when detail is empty
    std::string detail;   // for a person: why the receipt was refused

    explicit operator bool() const { return detail.empty(); }
};

// Checks a receipt nobody vouches for: at most 16 KiB, the envelope, a gate key among `trusted`, the
// signature over the payload's exact bytes, then the signed body. Never throws.
gate_receipt_result verify_gate_receipt(std::string_view text,
                                        std::vector<std::array<unsigned char, 32>> const& trusted);

} // namespace sluice::protocol
