#include "sluice-gate/migration_tally.hpp"

#include "sluice-gate/pg_connection.hpp"

#include <charconv>

namespace sluice::gate {

namespace {

std::int64_t to_integer(std::string const& text) {
    std::int64_t value = 0;
    std::from_chars(text.data(), text.data() + text.size(), value);
    return value;
}

std::string numbers(state_amounts const& s) {
    return std::to_string(s.rows) + " rows summing to " + std::to_string(s.amount);
}

} // namespace

table_tally tally_table(gate_table const& table, text_query const& query, std::error_code& ec) {
    auto const name = quoted_identifier(table.name);
    table_tally tally{table.name, 0, {}};
    auto const count = query("SELECT COUNT(*) FROM " + name, 1, ec);
    if (ec || count.size() != 1 || count[0].empty()) {
        return tally;
    }
    tally.rows = static_cast<std::uint64_t>(to_integer(count[0][0]));
    if (!table.holds_amounts()) {
        return tally;
    }
    // SUM is numeric on PostgreSQL and an integer on SQLite: both answer its digits as text.
    auto const states =
        query("SELECT state, COUNT(*), COALESCE(SUM(amount), 0) FROM " + name + " GROUP BY state", 3, ec);
    for (auto const& row : states) {
        if (row.size() == 3) {
            tally.by_state[row[0]] = {static_cast<std::uint64_t>(to_integer(row[1])), to_integer(row[2])};
        }
    }
    return tally;
}

std::string tally_difference(table_tally const& sqlite, table_tally const& postgresql) {
    if (sqlite.rows != postgresql.rows) {
        return sqlite.table + ": " + std::to_string(sqlite.rows) + " rows in SQLite, " +
               std::to_string(postgresql.rows) + " in PostgreSQL";
    }
    // Every state of either side, so that one missing on the other is named too.
    auto states = sqlite.by_state;
    states.insert(postgresql.by_state.begin(), postgresql.by_state.end());
    for (auto const& entry : states) {
        auto const& state =
            entry.first; // a plain reference: lambdas may not capture a structured binding (clang)
        auto const in = [&](table_tally const& t) {
            auto const found = t.by_state.find(state);
            return found == t.by_state.end() ? state_amounts{} : found->second;
        };
        if (in(sqlite) != in(postgresql)) {
            return sqlite.table + " in state " + state + ": " + numbers(in(sqlite)) + " in SQLite, " +
                   numbers(in(postgresql)) + " in PostgreSQL";
        }
    }
    return {};
}

} // namespace sluice::gate
