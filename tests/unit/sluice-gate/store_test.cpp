#include "sandbox_dir.hpp"
#include "sluice-gate/gate_sql.hpp"
#include "sluice-gate/sqlite_store.hpp"
#include "store_engines.hpp"

#include <gtest/gtest.h>

#include <sqlite3.h>
#include <sys/stat.h>

namespace sluice::gate {
namespace {

using sluice::testing::sandbox_dir;

// The store keeps bundles as text and never parses them: any bytes do.
stored_bundle bundle_at(std::uint64_t version) {
    return {"les-veilleurs",
            version,
            "{\"version\":" + std::to_string(version) + "}",
            std::string(64, '\x01'),
            "{\"keys\":1}",
            "magnet:?xt=urn:btih:0123456789abcdef0123456789abcdef01234567",
            1'700'000'000};
}

class GateStore : public ::testing::TestWithParam<store_engine> {
protected:
    std::unique_ptr<gate_store> open() {
        std::error_code ec;
        std::string detail;
        auto store = place_.open(ec, &detail);
        EXPECT_FALSE(ec) << ec.message() << " " << detail << place_.server_log();
        return store;
    }

    unlock_record unlock(std::string token_id, std::string bundle = "les-veilleurs") {
        return {std::move(token_id), std::move(bundle), 1,    "email",
                "ada@example.org",   "x25519:AAAA",     "{}", 1};
    }

    sandbox_dir dir_;
    store_place place_{GetParam(), dir_.path()};
};

// What only the SQLite file has: its folder, its journal, its version in the header.
class GateSqliteStore : public ::testing::Test {
protected:
    std::unique_ptr<gate_store> open() {
        std::error_code ec;
        auto store = open_sqlite_store(dir_ / "data", ec);
        EXPECT_FALSE(ec) << ec.message();
        return store;
    }

    sandbox_dir dir_;
};

TEST_F(GateSqliteStore, CreatesOnePrivateDatabaseInWalMode) {
    auto store = open();
    ASSERT_TRUE(store);
    EXPECT_TRUE(std::filesystem::exists(dir_ / "data" / "gate.db"));
    EXPECT_TRUE(std::filesystem::exists(dir_ / "data" / "gate.db-wal"));
    struct stat st {};
    ASSERT_EQ(::stat((dir_ / "data").c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0700u);
}

TEST_P(GateStore, VersionsOnlyMoveForward) {
    auto store = open();
    auto v2 = bundle_at(2);
    std::error_code ec;
    EXPECT_EQ(store->put_bundle(v2, ec), import_outcome::inserted);
    EXPECT_EQ(store->put_bundle(v2, ec), import_outcome::unchanged);
    auto other_v2 = v2;
    other_v2.manifest += " ";
    EXPECT_EQ(store->put_bundle(other_v2, ec), import_outcome::refused);
    auto v1 = bundle_at(1);
    EXPECT_EQ(store->put_bundle(v1, ec), import_outcome::refused);
    auto v3 = bundle_at(3);
    EXPECT_EQ(store->put_bundle(v3, ec), import_outcome::replaced);
    EXPECT_FALSE(ec);
    auto const found = store->find_bundle("les-veilleurs", ec);
    ASSERT_TRUE(found);
    EXPECT_EQ(found->version, 3u);
    EXPECT_EQ(found->manifest, v3.manifest);
    EXPECT_EQ(found->signature, v3.signature);
    EXPECT_EQ(found->keys, v3.keys);
    EXPECT_EQ(found->magnet, v3.magnet);
    EXPECT_FALSE(store->find_bundle("nothing-here", ec));
    EXPECT_FALSE(ec);
}

// A version 2 database (one price per campaign) opens as version 3: the price becomes the campaign's one
// tier, and every pledge is in it.
TEST_F(GateSqliteStore, ASinglePriceCampaignOfVersionTwoBecomesOneTier) {
    std::filesystem::create_directories(dir_ / "data");
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open((dir_ / "data" / "gate.db").c_str(), &db), SQLITE_OK);
    auto const v2 =
        std::string(sql::schema) + sql::migration_2 +
        "PRAGMA user_version = 2;"
        "INSERT INTO bundles (id, version, manifest, signature, keys, magnet, imported_at) "
        "VALUES ('b', 1, '{}', '', '{}', '', 0);"
        "INSERT INTO campaigns VALUES ('c', 'b', 2, NULL, 1500, 'EUR', 1900000000, '2030-01-01', "
        "'Nothing.', 'open', NULL);"
        "INSERT INTO pledges (pledge_id, campaign_id, idempotency_key, request_hash, amount, device, "
        "state, response, created_at, confirmed_at) VALUES ('p', 'c', 'k', 'h', 1500, 'x25519:AAAA', "
        "'confirmed', '', 1, 2);";
    char* error = nullptr;
    ASSERT_EQ(sqlite3_exec(db, v2.c_str(), nullptr, nullptr, &error), SQLITE_OK) << (error ? error : "");
    sqlite3_close(db);

    auto store = open();
    ASSERT_TRUE(store);
    std::error_code ec;
    auto const campaign = store->find_campaign("c", ec);
    ASSERT_TRUE(campaign);
    ASSERT_EQ(campaign->tiers.size(), 1u);
    EXPECT_EQ(campaign->tiers[0].id, "pledge");
    EXPECT_EQ(campaign->tiers[0].price, 1500u);
    EXPECT_FALSE(campaign->tiers[0].items);
    EXPECT_FALSE(campaign->tiers[0].limit);
    EXPECT_EQ(store->find_pledge("p", ec)->tier_id, "pledge");
    auto const totals = store->totals("c", ec);
    EXPECT_EQ(totals.backers, 1u);
    EXPECT_EQ(totals.tier("pledge").amount, 1500u);
}

TEST_P(GateStore, KeepsEverythingAcrossReopening) {
    {
        auto store = open();
        std::error_code ec;
        store->put_bundle(bundle_at(1), ec);
        store->record_unlock(unlock("token-one-aaaaaaaaaaa"), ec);
        ASSERT_FALSE(ec);
    }
    auto store = open();
    std::error_code ec;
    EXPECT_EQ(store->count_unlocks("les-veilleurs", ec), 1u);
    auto const s = store->stats(ec);
    ASSERT_EQ(s.bundles.size(), 1u);
    EXPECT_EQ(s.bundles[0].unlocks, 1u);
    EXPECT_EQ(s.unlocks, 1u);
}

TEST_P(GateStore, AnUnlockIdIsRecordedOnce) {
    auto store = open();
    std::error_code ec;
    store->put_bundle(bundle_at(1), ec);
    store->record_unlock(unlock("same-id-aaaaaaaaaaaaa"), ec);
    EXPECT_FALSE(ec);
    store->record_unlock(unlock("same-id-aaaaaaaaaaaaa"), ec);
    EXPECT_TRUE(ec);
    // An unlock for a bundle the gate does not have breaks a foreign key.
    store->record_unlock(unlock("other-id-aaaaaaaaaaaa", "unknown"), ec);
    EXPECT_TRUE(ec);
}

TEST_P(GateStore, AnEmailRequestIsConfirmedOnceAndCountsWrongCodes) {
    auto store = open();
    std::error_code ec;
    store->put_bundle(bundle_at(1), ec);
    email_request r{"request-1", "les-veilleurs", "ada@example.org", "x25519:AAAA", "hash", 10, 910, 0, {}};
    store->create_email_request(r, ec);
    ASSERT_FALSE(ec);
    EXPECT_EQ(store->add_email_attempt("request-1", ec), 1);
    EXPECT_EQ(store->add_email_attempt("request-1", ec), 2);
    auto const found = store->find_email_request("request-1", ec);
    ASSERT_TRUE(found);
    EXPECT_EQ(found->attempts, 2);
    EXPECT_EQ(found->email, "ada@example.org");
    EXPECT_TRUE(found->unlock_token_id.empty());
    EXPECT_EQ(store->stats(ec).email_requests_pending, 1u);

    EXPECT_TRUE(store->confirm_email_request("request-1", unlock("token-a-aaaaaaaaaaaaa"), ec));
    EXPECT_FALSE(ec);
    // The second confirmation changes nothing, not even the unlock count.
    EXPECT_FALSE(store->confirm_email_request("request-1", unlock("token-b-aaaaaaaaaaaaa"), ec));
    EXPECT_FALSE(ec);
    EXPECT_EQ(store->count_unlocks("les-veilleurs", ec), 1u);
    EXPECT_EQ(store->find_email_request("request-1", ec)->unlock_token_id, "token-a-aaaaaaaaaaaaa");
    auto const s = store->stats(ec);
    EXPECT_EQ(s.email_requests_pending, 0u);
    EXPECT_EQ(s.email_requests_confirmed, 1u);
    EXPECT_FALSE(store->find_email_request("unknown", ec));
}

TEST_P(GateStore, APaymentPerKeyAndEachEventOnce) {
    auto store = open();
    std::error_code ec;
    store->put_bundle(bundle_at(1), ec);
    payment_record p;
    p.payment_id = "payment-1-aaaaaaaaaaaa";
    p.bundle_id = "les-veilleurs";
    p.idempotency_key = "key-1";
    p.request_hash = "hash-1";
    p.amount = 500;
    p.currency = "EUR";
    p.device = "x25519:AAAA";
    p.response = "{\"first\":true}";
    p.created_at = 10;
    std::optional<payment_record> existing;
    EXPECT_EQ(store->add_payment(p, existing, ec), payment_outcome::created);
    ASSERT_FALSE(ec);
    auto second = p;
    second.payment_id = "payment-2-aaaaaaaaaaaa";
    second.response = "{\"first\":false}";
    EXPECT_EQ(store->add_payment(second, existing, ec), payment_outcome::existing);
    ASSERT_TRUE(existing);
    EXPECT_EQ(existing->payment_id, p.payment_id);
    EXPECT_EQ(existing->response, p.response);
    EXPECT_EQ(existing->state, "pending");
    EXPECT_FALSE(store->find_payment("payment-2-aaaaaaaaaaaa", ec));
    EXPECT_TRUE(store->find_payment_by_key("les-veilleurs", "key-1", ec));

    using enum payment_event_type;
    EXPECT_EQ(store->apply_payment_event("evt-1", p.payment_id, succeeded, 20, ec),
              payment_event_outcome::applied);
    EXPECT_EQ(store->apply_payment_event("evt-1", p.payment_id, succeeded, 21, ec),
              payment_event_outcome::duplicate);
    EXPECT_EQ(store->apply_payment_event("evt-2", p.payment_id, failed, 22, ec),
              payment_event_outcome::conflict);
    EXPECT_EQ(store->apply_payment_event("evt-3", "no-such-payment-aaaaaa", failed, 22, ec),
              payment_event_outcome::no_payment);
    // A refused event is not recorded: sent again, it is refused again rather than called a duplicate.
    EXPECT_EQ(store->apply_payment_event("evt-2", p.payment_id, failed, 23, ec),
              payment_event_outcome::conflict);
    EXPECT_FALSE(ec);
    auto const paid = store->find_payment(p.payment_id, ec);
    EXPECT_EQ(paid->state, "paid");
    EXPECT_EQ(paid->settled_at, 20);
    EXPECT_TRUE(paid->token.empty());

    // The token is tied to the payment once; a second one is not recorded.
    auto first = unlock("token-pay-1-aaaaaaaaa");
    first.grantee_kind = "payment";
    first.token = "first token";
    EXPECT_EQ(store->record_payment_unlock(p.payment_id, first, ec), "first token");
    auto other = first;
    other.token_id = "token-pay-2-aaaaaaaaa";
    other.token = "second token";
    EXPECT_EQ(store->record_payment_unlock(p.payment_id, other, ec), "first token");
    EXPECT_FALSE(ec);
    EXPECT_EQ(store->count_unlocks("les-veilleurs", ec), 1u);
    EXPECT_EQ(store->find_payment(p.payment_id, ec)->token, "first token");
    auto const s = store->stats(ec);
    EXPECT_EQ(s.payments.paid, 1u);
    EXPECT_EQ(s.payments.pending, 0u);
}

TEST_P(GateStore, DeliveriesAreRecordedOnceAndUnlocksFoundPerBundle) {
    auto store = open();
    std::error_code ec;
    store->put_bundle(bundle_at(1), ec);
    auto episode = bundle_at(1);
    episode.id = "episode-2";
    episode.magnet.clear();
    store->put_bundle(episode, ec);
    store->ensure_campaign({"saison-2", "les-veilleurs", 1, std::nullopt, 100, "EUR", 1000, "2030-01-01",
                            "Nothing is charged.", "open", std::nullopt},
                           ec);
    ASSERT_FALSE(ec);
    EXPECT_TRUE(store->add_delivery("saison-2", "episode-2", 50, ec));
    EXPECT_FALSE(store->add_delivery("saison-2", "episode-2", 60, ec));
    EXPECT_FALSE(ec);
    auto const delivered = store->deliveries("saison-2", ec);
    ASSERT_EQ(delivered.size(), 1u);
    EXPECT_EQ(delivered[0].bundle_id, "episode-2");
    EXPECT_EQ(delivered[0].version, 1u);
    EXPECT_EQ(delivered[0].magnet, "");
    EXPECT_EQ(delivered[0].delivered_at, 50);
    EXPECT_TRUE(store->deliveries("other", ec).empty());
    store->add_delivery("saison-2", "not-imported", 50, ec);
    EXPECT_TRUE(ec);

    // One pledge, two bundles: each has its own token.
    auto own = unlock("token-own-aaaaaaaaaaaa");
    own.grantee_kind = "pledge";
    own.grantee_ref = "pledge-1";
    store->record_unlock(own, ec);
    EXPECT_FALSE(store->find_unlock("pledge", "pledge-1", "episode-2", ec));
    auto delivery = own;
    delivery.token_id = "token-ep2-aaaaaaaaaaaa";
    delivery.bundle_id = "episode-2";
    store->record_unlock(delivery, ec);
    EXPECT_EQ(store->find_unlock("pledge", "pledge-1", "episode-2", ec)->token_id, "token-ep2-aaaaaaaaaaaa");
    EXPECT_EQ(store->find_unlock("pledge", "pledge-1", "les-veilleurs", ec)->token_id,
              "token-own-aaaaaaaaaaaa");
}

INSTANTIATE_TEST_SUITE_P(Engines, GateStore,
                         ::testing::Values(store_engine::sqlite, store_engine::postgresql), engine_name);

} // namespace
} // namespace sluice::gate
