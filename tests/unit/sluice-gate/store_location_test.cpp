#include "sluice-gate/store_location.hpp"

#include <gtest/gtest.h>

namespace sluice::gate {
namespace {

TEST(StoreLocation, SqliteFolderOrPostgresqlUrlAndNothingElse) {
    std::string error;
    auto const sqlite = parse_store_location("sqlite:/var/lib/sluice-gate", error);
    ASSERT_TRUE(sqlite) << error;
    EXPECT_EQ(sqlite->kind, store_location::engine::sqlite);
    EXPECT_EQ(sqlite->folder, "/var/lib/sluice-gate");
    for (auto const* url : {"postgresql://gate@db.example/gate", "postgres:///gate?host=/run/postgresql"}) {
        auto const pg = parse_store_location(url, error);
        ASSERT_TRUE(pg) << url;
        EXPECT_EQ(pg->kind, store_location::engine::postgresql);
        EXPECT_EQ(pg->url, url);
    }
    for (auto const* bad : {"sqlite:", "mysql://x", "/var/lib/sluice-gate", ""}) {
        error.clear();
        EXPECT_FALSE(parse_store_location(bad, error)) << bad;
        EXPECT_FALSE(error.empty()) << bad;
    }
}

} // namespace
} // namespace sluice::gate
