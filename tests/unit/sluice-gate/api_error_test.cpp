#include "sluice-gate/api_error.hpp"
#include "sluice-gate/pg_connection.hpp"
#include "sluice-gate/sqlite_connection.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <sqlite3.h>

namespace sluice::gate {
namespace {

std::string header(gate_response const& res, std::string const& name) {
    for (auto const& [n, v] : res.headers) {
        if (n == name) {
            return v;
        }
    }
    return {};
}

std::string code_of(gate_response const& res) {
    return nlohmann::json::parse(res.body).at("error").at("code").get<std::string>();
}

TEST(GateStorageFailed, APassingFailureIsA503WithRetryAfter) {
    for (auto const& ec :
         {std::error_code(SQLITE_BUSY, sqlite_category()), std::error_code(SQLITE_LOCKED, sqlite_category()),
          make_error_code(pg_errc::connection_lost), make_error_code(pg_errc::retry_transaction)}) {
        auto const res = storage_failed(ec);
        EXPECT_EQ(res.status, 503u) << ec.message();
        EXPECT_EQ(code_of(res), "storage_unavailable") << ec.message();
        EXPECT_EQ(header(res, "Retry-After"), "1") << ec.message();
    }
}

TEST(GateStorageFailed, AnyOtherFailureIsA500AsBefore) {
    for (auto const& ec :
         {std::error_code(SQLITE_CORRUPT, sqlite_category()), std::error_code(SQLITE_FULL, sqlite_category()),
          make_error_code(pg_errc::failed), make_error_code(pg_errc::unique_violation),
          std::make_error_code(std::errc::io_error), std::error_code()}) {
        auto const res = storage_failed(ec);
        EXPECT_EQ(res.status, 500u) << ec.message();
        EXPECT_EQ(code_of(res), "internal_error") << ec.message();
        EXPECT_EQ(header(res, "Retry-After"), "") << ec.message();
        EXPECT_EQ(res.body, storage_failed().body);
    }
}

} // namespace
} // namespace sluice::gate
