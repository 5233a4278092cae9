#pragma once

#include "sluice-gate/gate_store.hpp"
#include "sluice-gate/sqlite_statement.hpp"

namespace sluice::gate {

// A pledge from a row of sql::find_pledge's columns (SLUICE_PLEDGE_COLUMNS), for each file of the store;
// a query that selects more after them reads them from `pledge_columns` on.
inline constexpr int pledge_columns = 22;
pledge_record read_pledge(statement const& row);

} // namespace sluice::gate
