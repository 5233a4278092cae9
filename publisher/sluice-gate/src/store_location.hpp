#pragma once

#include "sluice-gate/gate_store.hpp"

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>

namespace sluice::gate {

// Where a gate keeps its data, as `--db` names it: `sqlite:PATH` (the embedded default: a folder holding
// gate.db, which `--data PATH` names too) or a PostgreSQL URL as libpq reads it (`postgresql://...`,
// `postgres://...`), for several gates sharing one database.
struct store_location {
    enum class engine { sqlite, postgresql };
    engine kind = engine::sqlite;
    std::filesystem::path folder; // sqlite
    std::string url;              // postgresql

    // For messages: the SQLite file, or the URL without its password.
    std::string describe() const;
};

// nullopt and `error` (for a person) when the text is neither.
std::optional<store_location> parse_store_location(std::string_view text, std::string& error);

// The store there, its schema brought up to date; nullptr, `ec` and `detail` (the engine's words) when it
// cannot be opened.
std::unique_ptr<gate_store> open_store(store_location const& where, std::error_code& ec, std::string* detail);

} // namespace sluice::gate
