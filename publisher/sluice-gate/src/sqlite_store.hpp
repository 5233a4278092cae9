#pragma once

#include "sluice-gate/gate_store.hpp"

#include <filesystem>
#include <memory>
#include <string>
#include <system_error>

namespace sluice::gate {

// The gate's default store: one SQLite file, `gate.db`, in the data folder, in WAL mode with
// synchronous=FULL so that a transaction that returned has reached the disk (an acknowledged unlock survives
// kill -9 and power loss). Several processes may open the same folder (`serve` and `import` at once): writers
// wait for each other up to a few seconds. Creates the folder (0700) and the database if needed and brings
// the schema up to date; refuses a database of a later schema than this gate knows.
std::unique_ptr<gate_store> open_sqlite_store(std::filesystem::path const& data_dir, std::error_code& ec,
                                              std::string* detail = nullptr);

} // namespace sluice::gate
