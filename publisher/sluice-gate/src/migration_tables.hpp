#pragma once

#include "common/result.hpp"
#include "sluice-gate/sqlite_connection.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sluice::gate {

// A table of the gate's data as `sluice-gate migrate` copies it: by the names of the columns the source has,
// whatever the schema version added, so that a new column or table needs nothing here.
struct gate_table {
    std::string name;
    std::vector<std::string> columns; // the source's, in its order
    std::vector<std::string> parents; // the tables its foreign keys name

    // A state and an amount (pledges, charges, refunds, payments): money, checked state by state.
    bool holds_amounts() const;
};

// The tables that keep the schema's version, not the gate's data: each store writes its own (schema_version
// by the schema itself, gate_schema on PostgreSQL only), so they are not copied.
bool is_version_table(std::string_view name);

// The gate's tables in an SQLite database, SQLite's own and the version's left out, parents first; read
// within the caller's transaction. The engine's words on a failure.
publisher::result<std::vector<gate_table>> sqlite_gate_tables(sqlite_connection& db);

// `tables` with each after the tables its foreign keys name, in their order otherwise; nullopt when the
// keys make a cycle. A table naming itself or a table not among them waits for nothing.
std::optional<std::vector<gate_table>> parents_first(std::vector<gate_table> tables);

} // namespace sluice::gate
