// Receipts as the host checks them, signed as sluice-gate signs them.

#include "sluice-gate/receipt.hpp"

#include <sluice/protocol/gate_receipt.hpp>
#include <sluice/protocol/keys.hpp>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace sluice::testing {
namespace {

using nlohmann::json;

class GateReceipt : public ::testing::Test {
protected:
    json body = {
        {"kind", "pledge"}, {"pledgeId", "p-1"}, {"campaignId", "saison-2"}, {"bundleId", "les-veilleurs"},
        {"amount", 1500},   {"currency", "EUR"}, {"device", "x25519:AAAA"},  {"at", "2027-01-02T03:04:05Z"}};
    protocol::signing_keypair gate = protocol::generate_signing_keypair();
    std::vector<std::array<unsigned char, 32>> trusted{gate.public_key};
};

TEST_F(GateReceipt, AReceiptFromATrustedGateIsRead) {
    auto const checked = protocol::verify_gate_receipt(gate::sign_receipt(body, gate), trusted);
    ASSERT_TRUE(checked) << checked.detail;
    EXPECT_EQ(checked.receipt.kind, "pledge");
    EXPECT_EQ(checked.receipt.pledge_id, "p-1");
    EXPECT_EQ(checked.receipt.campaign_id, "saison-2");
    EXPECT_EQ(checked.receipt.amount, 1500u);
    EXPECT_EQ(checked.receipt.gate_key, gate.public_key);
}

TEST_F(GateReceipt, AnotherGatesKeyIsRefused) {
    auto const other = protocol::generate_signing_keypair();
    auto const checked = protocol::verify_gate_receipt(gate::sign_receipt(body, other), trusted);
    ASSERT_FALSE(checked);
    EXPECT_NE(checked.detail.find("does not trust"), std::string::npos) << checked.detail;
}

TEST_F(GateReceipt, AChangedBodyIsRefused) {
    auto envelope = json::parse(gate::sign_receipt(body, gate));
    auto changed = body;
    changed["amount"] = 1;
    envelope["payload"] = protocol::to_base64(changed.dump());
    auto const checked = protocol::verify_gate_receipt(envelope.dump(), trusted);
    ASSERT_FALSE(checked);
    EXPECT_NE(checked.detail.find("signature"), std::string::npos) << checked.detail;
}

TEST_F(GateReceipt, MalformedReceiptsAreRefusedWithoutThrowing) {
    auto const good = json::parse(gate::sign_receipt(body, gate));
    auto wrong_format = good;
    wrong_format["format"] = "sluice-unlock/1";
    auto extra = good;
    extra["note"] = "x";
    auto short_signature = good;
    short_signature["signature"] = protocol::to_base64("abc");
    auto unknown_kind = body;
    unknown_kind["kind"] = "refund";
    for (auto const& text :
         {std::string(), std::string("{"), std::string("[]"), wrong_format.dump(), extra.dump(),
          short_signature.dump(), gate::sign_receipt(unknown_kind, gate), std::string(20000, ' ')}) {
        auto const checked = protocol::verify_gate_receipt(text, trusted);
        EXPECT_FALSE(checked) << text.substr(0, 80);
        EXPECT_FALSE(checked.detail.empty());
    }
}

} // namespace
} // namespace sluice::testing
