#include "sluice-gate/migration_tables.hpp"

#include "sluice-gate/sql_statement.hpp"

#include <algorithm>
#include <set>

namespace sluice::gate {

namespace {

// In the order they were made: a schema's parents usually come first already, and the output is the same
// from one run to the next.
constexpr char const* list_tables = "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE "
                                    "'sqlite\\_%' ESCAPE '\\' ORDER BY rowid";
constexpr char const* list_columns = "SELECT name FROM pragma_table_info(?) ORDER BY cid";
constexpr char const* list_parents = "SELECT DISTINCT \"table\" FROM pragma_foreign_key_list(?)";

std::string first_column(statement const& row) {
    return row.text(0);
}

bool contains(std::vector<std::string> const& names, std::string_view name) {
    return std::find(names.begin(), names.end(), name) != names.end();
}

} // namespace

bool gate_table::holds_amounts() const {
    return contains(columns, "state") && contains(columns, "amount");
}

bool is_version_table(std::string_view name) {
    return name == "schema_version" || name == "gate_schema";
}

publisher::result<std::vector<gate_table>> sqlite_gate_tables(sqlite_connection& db) {
    std::error_code ec;
    auto const names = statement(db, list_tables).query_all(first_column, ec);
    std::vector<gate_table> tables;
    for (auto const& name : names) {
        if (ec) {
            break;
        }
        if (is_version_table(name)) {
            continue;
        }
        gate_table t{name, statement(db, list_columns).bind(name).query_all(first_column, ec), {}};
        if (!ec) {
            t.parents = statement(db, list_parents).bind(name).query_all(first_column, ec);
        }
        tables.push_back(std::move(t));
    }
    if (ec) {
        return publisher::result<std::vector<gate_table>>::failure("cannot read the tables: " +
                                                                   db.last_error());
    }
    auto ordered = parents_first(std::move(tables));
    if (!ordered) {
        return publisher::result<std::vector<gate_table>>::failure(
            "the tables' foreign keys make a cycle: no order to copy them in");
    }
    return std::move(*ordered);
}

std::optional<std::vector<gate_table>> parents_first(std::vector<gate_table> tables) {
    std::set<std::string, std::less<>> among;
    for (auto const& t : tables) {
        among.insert(t.name);
    }
    std::set<std::string, std::less<>> placed;
    std::vector<gate_table> ordered;
    while (!tables.empty()) {
        auto const ready = std::find_if(tables.begin(), tables.end(), [&](gate_table const& t) {
            return std::all_of(t.parents.begin(), t.parents.end(), [&](std::string const& parent) {
                return parent == t.name || !among.contains(parent) || placed.contains(parent);
            });
        });
        if (ready == tables.end()) {
            return std::nullopt;
        }
        placed.insert(ready->name);
        ordered.push_back(std::move(*ready));
        tables.erase(ready);
    }
    return ordered;
}

} // namespace sluice::gate
