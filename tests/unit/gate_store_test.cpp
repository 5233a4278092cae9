#include "sandbox_dir.hpp"

#include <gtest/gtest.h>

#include <sqlite_store.hpp>
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

class GateStore : public ::testing::Test {
protected:
    std::unique_ptr<sqlite_store> open() {
        std::error_code ec;
        auto store = sqlite_store::open(dir_ / "data", ec);
        EXPECT_FALSE(ec) << ec.message();
        return store;
    }

    unlock_record unlock(std::string token_id, std::string bundle = "les-veilleurs") {
        return {std::move(token_id), std::move(bundle), 1,    "email",
                "ada@example.org",   "x25519:AAAA",     "{}", 1};
    }

    sandbox_dir dir_;
};

TEST_F(GateStore, CreatesOnePrivateDatabaseInWalMode) {
    auto store = open();
    ASSERT_TRUE(store);
    EXPECT_TRUE(std::filesystem::exists(dir_ / "data" / "gate.db"));
    EXPECT_TRUE(std::filesystem::exists(dir_ / "data" / "gate.db-wal"));
    struct stat st {};
    ASSERT_EQ(::stat((dir_ / "data").c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0700u);
}

TEST_F(GateStore, VersionsOnlyMoveForward) {
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

TEST_F(GateStore, KeepsEverythingAcrossReopening) {
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

TEST_F(GateStore, AnUnlockIdIsRecordedOnce) {
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

TEST_F(GateStore, AnEmailRequestIsConfirmedOnceAndCountsWrongCodes) {
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

} // namespace
} // namespace sluice::gate
