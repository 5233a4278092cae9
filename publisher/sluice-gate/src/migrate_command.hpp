#pragma once

#include "common/result.hpp"
#include "sluice-gate/migration_tally.hpp"
#include "sluice-gate/store_location.hpp"

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace sluice::gate {

struct migration_report {
    std::string from;                // the SQLite file
    std::string to;                  // the URL without its password
    std::vector<table_tally> tables; // as copied, parents first
};

// `sluice-gate migrate`: copies a gate's SQLite data into an empty PostgreSQL database. The source is read in
// one read transaction, one snapshot even while a gate serves from it (what it writes afterwards stays
// behind), and nothing is written there; its schema must be this gate's version (any other command of this
// gate brings it up to date). The target's schema is made as open_pg_store makes it; a target whose gate
// tables hold a row is refused before anything is written. Every table is copied by column name in one
// transaction, committed only once both sides have the same rows in each table and the same amounts in each
// state of the tables of money; a difference, or any failure, leaves the target as it was, and the error
// says why.
publisher::result<migration_report> migrate_to_postgresql(store_location const& from,
                                                          store_location const& to);

// The report as the command prints it: rows per table in the order copied, amounts per state.
nlohmann::ordered_json migration_summary(migration_report const& report);

} // namespace sluice::gate
