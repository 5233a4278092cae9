#pragma once

#include "sluice-gate/gate_store.hpp"

#include <memory>
#include <string>
#include <system_error>

namespace sluice::gate {

// The store on PostgreSQL, for several gates sharing one database (docs/postgresql.md): `url` as libpq reads
// it (postgresql://user@host/db, or a Unix socket's folder as ?host=/run/postgresql). Creates the schema in
// an empty database and brings an older one up to date, one gate at a time (under a lock: several gates start
// at once); refuses a database of a later schema than this gate knows.
std::unique_ptr<gate_store> open_pg_store(std::string const& url, std::error_code& ec,
                                          std::string* detail = nullptr);

} // namespace sluice::gate
