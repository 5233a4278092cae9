#include "bundle/keystore.hpp"
#include "file_helpers.hpp"
#include "sandbox_dir.hpp"

#include <gtest/gtest.h>

#include <sys/stat.h>

namespace sluice::bundle {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

keystore open_ok(fs::path const& file) {
    std::error_code ec;
    auto store = keystore::open(file, ec);
    EXPECT_FALSE(ec) << ec.message();
    return store;
}

std::vector<fs::path> damaged_beside(fs::path const& file) {
    std::vector<fs::path> out;
    for (auto const& e : fs::directory_iterator(file.parent_path())) {
        if (e.path().filename().string().starts_with(file.filename().string() + ".damaged-")) {
            out.push_back(e.path());
        }
    }
    return out;
}

gate_api::pledge_record a_pledge(std::string campaign, std::string state) {
    gate_api::pledge_record p;
    p.campaign_id = std::move(campaign);
    p.bundle_id = "night-watch";
    p.gate_url = "https://gate.example/";
    p.gate_keys = {"ed25519:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="};
    p.idempotency_key = "key-" + p.campaign_id;
    p.amount = 1500;
    p.pledge_id = "p-1";
    p.state = std::move(state);
    p.checkout_url = "https://checkout.example/cs_1";
    p.receipts = {"r1"};
    p.deliveries = {"night-watch-2"};
    return p;
}

gate_api::payment_record a_payment(std::string key, std::string state) {
    gate_api::payment_record p;
    p.bundle_id = "night-watch";
    p.gate_url = "https://gate.example/";
    p.idempotency_key = std::move(key);
    p.amount = 500;
    p.currency = "EUR";
    p.payment_id = "pay-1";
    p.checkout_url = "https://pay.example/c/1";
    p.state = std::move(state);
    return p;
}

TEST(Keystore, ANewStoreIsWrittenAtOnceReadableOnlyByItsOwner) {
    testing::sandbox_dir dir;
    auto const store = open_ok(dir / "keystore.json");
    struct stat st {};
    ASSERT_EQ(::stat((dir / "keystore.json").c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600u);
    auto const file = json::parse(testing::read_file(dir / "keystore.json"));
    EXPECT_EQ(file.at("format"), "sluice-keystore/1");
    EXPECT_EQ(file.at("device").at("publicKey"), store.device_public_key());
    EXPECT_EQ(store.device_public_key().rfind("x25519:", 0), 0u);
    EXPECT_TRUE(store.pledges().empty());
    EXPECT_TRUE(store.payments().empty());
}

TEST(Keystore, EverythingKeptIsThereAfterAReopen) {
    testing::sandbox_dir dir;
    auto const file = dir / "keystore.json";
    std::string device;
    {
        auto store = open_ok(file);
        device = store.device_public_key();
        std::error_code ec;
        known_bundle known;
        known.publisher_key.fill(7);
        known.highest_version = 3;
        store.remember_bundle("night-watch", known, ec);
        ASSERT_FALSE(ec);
        store.add_token({"night-watch", "t-1", "token text"}, ec);
        ASSERT_FALSE(ec);
        store.put_pledge(a_pledge("saison-2", "charge_failed"), ec);
        ASSERT_FALSE(ec);
        store.put_payment(a_payment("k-1", "pending"), ec);
        ASSERT_FALSE(ec);
    }
    auto const store = open_ok(file);
    EXPECT_EQ(store.device_public_key(), device);
    auto const known = store.bundle("night-watch");
    ASSERT_TRUE(known);
    EXPECT_EQ(known->highest_version, 3u);
    EXPECT_EQ(known->publisher_key[31], 7);
    ASSERT_EQ(store.tokens_for("night-watch").size(), 1u);
    EXPECT_EQ(store.tokens_for("night-watch")[0].text, "token text");
    EXPECT_TRUE(store.tokens_for("other").empty());
    auto const pledge = store.pledge_for("saison-2");
    ASSERT_TRUE(pledge);
    EXPECT_EQ(gate_api::to_json(*pledge), gate_api::to_json(a_pledge("saison-2", "charge_failed")));
    auto const payment = store.payment_for("k-1");
    ASSERT_TRUE(payment);
    EXPECT_EQ(gate_api::to_json(*payment), gate_api::to_json(a_payment("k-1", "pending")));
    EXPECT_FALSE(store.pledge_for("saison-3"));
    EXPECT_FALSE(store.payment_for("k-2"));
    EXPECT_TRUE(damaged_beside(file).empty());
}

TEST(Keystore, ReadsAFileAsEarlierVersionsWroteIt) {
    testing::sandbox_dir dir;
    auto const file = dir / "keystore.json";
    // Written out by hand, as the file format is a promise to every earlier install.
    testing::write_file(file, R"({
  "format": "sluice-keystore/1",
  "device": {"publicKey": "x25519:9w0hHGhEDq+vZ8lnhhAdbyYc26JFpD0kqSDDRUTLeBc=",
             "secretKey": "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="},
  "bundles": {"night-watch": {"publisherKey": "ed25519:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
                              "highestVersion": 2}},
  "tokens": [{"bundleId": "night-watch", "tokenId": "t-1", "token": "{}"}],
  "pledges": [{"campaignId": "saison-2", "bundleId": "night-watch", "gateUrl": "https://gate.example/",
               "gateKeys": [], "idempotencyKey": "k", "amount": 0, "pledgeId": "p-1", "state": "active",
               "receipts": ["r"], "deliveries": []}],
  "payments": [{"bundleId": "night-watch", "gateUrl": "https://gate.example/", "idempotencyKey": "k-1",
                "amount": 500, "currency": "EUR", "paymentId": "pay-1", "checkoutUrl": "https://pay.example/",
                "state": "paid"}]
}
)");
    auto const store = open_ok(file);
    EXPECT_EQ(store.device_public_key(), "x25519:9w0hHGhEDq+vZ8lnhhAdbyYc26JFpD0kqSDDRUTLeBc=");
    EXPECT_EQ(store.device().secret_key[31], 31);
    EXPECT_EQ(store.bundle("night-watch")->highest_version, 2u);
    // A pledge that version kept "active" was counted by its gate: a confirmed pre-order now.
    EXPECT_EQ(store.pledge_for("saison-2")->state, "confirmed");
    EXPECT_EQ(store.pledge_for("saison-2")->checkout_url, "");
    EXPECT_EQ(store.pledge_for("saison-2")->receipts, std::vector<std::string>{"r"});
    EXPECT_EQ(store.payment_for("k-1")->state, "paid");
    EXPECT_TRUE(damaged_beside(file).empty());
}

TEST(Keystore, PledgesKeptBeforePreOrdersAreWrittenBackInTodaysStates) {
    testing::sandbox_dir dir;
    auto const file = dir / "keystore.json";
    testing::write_file(file, R"({"format": "sluice-keystore/1",
      "device": {"publicKey": "x25519:9w0hHGhEDq+vZ8lnhhAdbyYc26JFpD0kqSDDRUTLeBc=",
                 "secretKey": "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="},
      "bundles": {}, "tokens": [],
      "pledges": [{"campaignId": "a", "bundleId": "b", "gateUrl": "https://gate.example/", "gateKeys": [],
                   "idempotencyKey": "k-a", "amount": 0, "pledgeId": "p-a", "state": "funded",
                   "receipts": ["r"], "deliveries": ["b-2"]},
                  {"campaignId": "c", "bundleId": "b", "gateUrl": "https://gate.example/", "gateKeys": [],
                   "idempotencyKey": "k-c", "amount": 0, "pledgeId": "p-c", "state": "failed",
                   "receipts": ["r", "release"], "deliveries": []}]})");
    {
        auto store = open_ok(file);
        EXPECT_EQ(store.pledge_for("a")->state, "charged");
        EXPECT_EQ(store.pledge_for("a")->deliveries, std::vector<std::string>{"b-2"});
        EXPECT_EQ(store.pledge_for("c")->state, "released");
        std::error_code ec;
        store.put_pledge(a_pledge("d", "failed"), ec);
        ASSERT_FALSE(ec);
    }
    // Written back with a checkoutUrl: read again, "failed" is today's (never charged), not a release.
    auto const written = json::parse(testing::read_file(file));
    EXPECT_EQ(written["pledges"][0]["state"], "charged");
    EXPECT_EQ(written["pledges"][0]["checkoutUrl"], "");
    auto const store = open_ok(file);
    EXPECT_EQ(store.pledge_for("c")->state, "released");
    EXPECT_EQ(store.pledge_for("d")->state, "failed");
}

TEST(Keystore, AFileFromBeforePledgesWereKeptIsRead) {
    testing::sandbox_dir dir;
    auto const file = dir / "keystore.json";
    testing::write_file(file, R"({"format": "sluice-keystore/1",
      "device": {"publicKey": "x25519:9w0hHGhEDq+vZ8lnhhAdbyYc26JFpD0kqSDDRUTLeBc=",
                 "secretKey": "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="},
      "bundles": {}, "tokens": []})");
    auto const store = open_ok(file);
    EXPECT_EQ(store.device_public_key(), "x25519:9w0hHGhEDq+vZ8lnhhAdbyYc26JFpD0kqSDDRUTLeBc=");
    EXPECT_TRUE(store.pledges().empty());
}

TEST(Keystore, AnUnreadableFileIsMovedAsideAndANewStoreMade) {
    for (std::string const damaged :
         {"not json", R"({"format": "sluice-keystore/2", "device": {}})",
          R"({"format": "sluice-keystore/1", "device": {"publicKey": "x25519:short", "secretKey": ""}})",
          // A pledge missing its state: the whole file is set aside, not half read.
          R"({"format": "sluice-keystore/1",
              "device": {"publicKey": "x25519:9w0hHGhEDq+vZ8lnhhAdbyYc26JFpD0kqSDDRUTLeBc=",
                         "secretKey": "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="},
              "bundles": {}, "tokens": [], "pledges": [{"campaignId": "c"}]})"}) {
        testing::sandbox_dir dir;
        auto const file = dir / "keystore.json";
        testing::write_file(file, damaged);
        auto const store = open_ok(file);
        auto const aside = damaged_beside(file);
        ASSERT_EQ(aside.size(), 1u) << damaged;
        EXPECT_EQ(testing::read_file(aside[0]), damaged);
        EXPECT_NE(store.device_public_key(), "x25519:9w0hHGhEDq+vZ8lnhhAdbyYc26JFpD0kqSDDRUTLeBc=");
        EXPECT_TRUE(store.pledges().empty());
        auto const fresh = json::parse(testing::read_file(file));
        EXPECT_EQ(fresh.at("device").at("publicKey"), store.device_public_key());
    }
}

TEST(Keystore, AFileThatCannotBeReadNowIsMovedAsideNeverWrittenOver) {
    // Not a regular file (the same path as EACCES or EIO takes): only a missing keystore starts afresh; any
    // other is kept beside the new one, whatever it holds.
    testing::sandbox_dir dir;
    auto const file = dir / "keystore.json";
    fs::create_directory(file);
    testing::write_file(file / "tokens-of-another-day", "kept");
    auto const store = open_ok(file);
    auto const aside = damaged_beside(file);
    ASSERT_EQ(aside.size(), 1u);
    EXPECT_EQ(testing::read_file(aside[0] / "tokens-of-another-day"), "kept");
    EXPECT_EQ(json::parse(testing::read_file(file)).at("device").at("publicKey"), store.device_public_key());
}

TEST(Keystore, AFileItsOwnerMayNotReadIsMovedAsideNeverWrittenOver) {
    if (::geteuid() == 0) {
        GTEST_SKIP() << "root reads a file of mode 0000";
    }
    testing::sandbox_dir dir;
    auto const file = dir / "keystore.json";
    testing::write_file(file, "the tokens of another day");
    ASSERT_EQ(::chmod(file.c_str(), 0), 0);
    auto const store = open_ok(file);
    auto const aside = damaged_beside(file);
    ASSERT_EQ(aside.size(), 1u);
    ASSERT_EQ(::chmod(aside[0].c_str(), 0600), 0);
    EXPECT_EQ(testing::read_file(aside[0]), "the tokens of another day");
    EXPECT_EQ(json::parse(testing::read_file(file)).at("device").at("publicKey"), store.device_public_key());
}

TEST(Keystore, ATokenIsKeptOnce) {
    testing::sandbox_dir dir;
    auto store = open_ok(dir / "keystore.json");
    std::error_code ec;
    store.add_token({"night-watch", "t-1", "first"}, ec);
    store.add_token({"night-watch", "t-1", "second"}, ec);
    store.add_token({"night-watch", "t-2", "third"}, ec);
    ASSERT_FALSE(ec);
    auto const tokens = store.tokens_for("night-watch");
    ASSERT_EQ(tokens.size(), 2u);
    EXPECT_EQ(tokens[0].text, "first");
    EXPECT_EQ(tokens[1].text, "third");
}

TEST(Keystore, APledgeReplacesTheOneKeptForItsCampaign) {
    testing::sandbox_dir dir;
    auto store = open_ok(dir / "keystore.json");
    std::error_code ec;
    store.put_pledge(a_pledge("saison-2", "sending"), ec);
    store.put_pledge(a_pledge("saison-3", "sending"), ec);
    store.put_pledge(a_pledge("saison-2", "pending"), ec);
    ASSERT_FALSE(ec);
    ASSERT_EQ(store.pledges().size(), 2u);
    EXPECT_EQ(store.pledge_for("saison-2")->state, "pending");
    EXPECT_EQ(store.pledge_for("saison-3")->state, "sending");
}

TEST(Keystore, APaymentReplacesTheOneWithItsKey) {
    testing::sandbox_dir dir;
    auto store = open_ok(dir / "keystore.json");
    std::error_code ec;
    store.put_payment(a_payment("k-1", "sending"), ec);
    store.put_payment(a_payment("k-2", "sending"), ec);
    store.put_payment(a_payment("k-1", "paid"), ec);
    ASSERT_FALSE(ec);
    ASSERT_EQ(store.payments().size(), 2u);
    EXPECT_EQ(store.payment_for("k-1")->state, "paid");
    EXPECT_EQ(store.payment_for("k-2")->state, "sending");
}

TEST(Keystore, WhatCannotBeWrittenIsNotKept) {
    testing::sandbox_dir dir;
    auto const folder = dir / "data";
    fs::create_directories(folder);
    auto store = open_ok(folder / "keystore.json");
    std::error_code ec;
    store.put_pledge(a_pledge("saison-2", "sending"), ec);
    ASSERT_FALSE(ec);
    fs::remove_all(folder); // every later write fails
    store.put_pledge(a_pledge("saison-2", "pending"), ec);
    EXPECT_TRUE(ec);
    EXPECT_EQ(store.pledge_for("saison-2")->state, "sending");
    store.put_pledge(a_pledge("saison-3", "sending"), ec);
    EXPECT_TRUE(ec);
    EXPECT_FALSE(store.pledge_for("saison-3"));
    store.put_payment(a_payment("k-1", "sending"), ec);
    EXPECT_TRUE(ec);
    EXPECT_TRUE(store.payments().empty());
    store.add_token({"night-watch", "t-1", "text"}, ec);
    EXPECT_TRUE(ec);
    EXPECT_TRUE(store.tokens_for("night-watch").empty());
}

TEST(Keystore, RememberingWhatIsKnownAlreadyWritesNothing) {
    testing::sandbox_dir dir;
    auto const folder = dir / "data";
    fs::create_directories(folder);
    auto store = open_ok(folder / "keystore.json");
    known_bundle known;
    known.highest_version = 1;
    std::error_code ec;
    store.remember_bundle("night-watch", known, ec);
    ASSERT_FALSE(ec);
    fs::remove_all(folder);
    store.remember_bundle("night-watch", known, ec);
    EXPECT_FALSE(ec);
    known.highest_version = 2;
    store.remember_bundle("night-watch", known, ec);
    EXPECT_TRUE(ec);
}

} // namespace
} // namespace sluice::bundle
