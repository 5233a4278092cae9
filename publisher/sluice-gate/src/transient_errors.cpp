#include "sluice-gate/pg_connection.hpp"
#include "sluice-gate/sql_connection.hpp"
#include "sluice-gate/sqlite_connection.hpp"

#include <sqlite3.h>

namespace sluice::gate {

bool is_transient(std::error_code const& ec) {
    if (ec.category() == pg_category()) {
        return ec == pg_errc::connection_lost || ec == pg_errc::retry_transaction;
    }
    if (ec.category() == sqlite_category()) {
        // Another writer held the database past the busy timeout.
        return ec.value() == SQLITE_BUSY || ec.value() == SQLITE_LOCKED;
    }
    return false;
}

} // namespace sluice::gate
