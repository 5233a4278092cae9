#pragma once

// The store's tests run on each engine the gate keeps its data in: SQLite in the test's folder, and a
// database of the test's own on PostgreSQL: on the server the ctest run shares, or one the test starts in
// that folder (pg_cluster.hpp: pg_test_database).

#include "pg_cluster.hpp"
#include "sluice-gate/pg_store.hpp"
#include "sluice-gate/sqlite_store.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <optional>
#include <string>

namespace sluice::gate {

enum class store_engine { sqlite, postgresql };

inline std::string engine_name(::testing::TestParamInfo<store_engine> const& info) {
    return info.param == store_engine::sqlite ? "SQLite" : "PostgreSQL";
}

// Where a test's store lives; open() opens it again (a restart, or another gate's connection).
class store_place {
public:
    store_place(store_engine engine, std::filesystem::path folder)
        : engine_(engine), folder_(std::move(folder)) {}

    std::unique_ptr<gate_store> open(std::error_code& ec, std::string* detail = nullptr) {
        if (engine_ == store_engine::sqlite) {
            return open_sqlite_store(folder_ / "data", ec, detail);
        }
        if (!database_) {
            database_.emplace(folder_); // a server's own folder, if it starts one (its user's, under root)
        }
        return open_pg_store(database_->url(), ec, detail);
    }
    std::string server_log() const { return database_ ? database_->log() : std::string(); }

private:
    store_engine engine_;
    std::filesystem::path folder_;
    std::optional<sluice::testing::pg_test_database> database_;
};

} // namespace sluice::gate
