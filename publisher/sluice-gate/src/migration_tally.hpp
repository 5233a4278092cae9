#pragma once

#include "sluice-gate/migration_tables.hpp"

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <system_error>
#include <vector>

namespace sluice::gate {

// The rows of one state of a table that holds money, and what their amounts add up to.
struct state_amounts {
    std::uint64_t rows = 0;
    std::int64_t amount = 0;

    bool operator==(state_amounts const&) const = default;
};

// What a table holds, as a migration compares it on both sides before it commits: its rows, and for a table
// of money (gate_table::holds_amounts) its rows and amounts state by state.
struct table_tally {
    std::string table;
    std::uint64_t rows = 0;
    std::map<std::string, state_amounts> by_state;
};

// Runs one query on one side and answers its rows, each of its first `columns` columns as text.
using text_query = std::function<std::vector<std::vector<std::string>>(std::string const& sql, int columns,
                                                                       std::error_code& ec)>;

// The tally of `table` through `query`, in the dialect both engines share.
table_tally tally_table(gate_table const& table, text_query const& query, std::error_code& ec);

// The first way the two tallies of a table differ, in words naming the table and both numbers; "" when
// they agree.
std::string tally_difference(table_tally const& sqlite, table_tally const& postgresql);

} // namespace sluice::gate
