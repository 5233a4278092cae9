#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace sluice::gate {

// Where a gate keeps its data, as `--db` names it: `sqlite:PATH` (the embedded default: a folder holding
// gate.db, which `--data PATH` names too) or a PostgreSQL URL as libpq reads it (`postgresql://...`,
// `postgres://...`), for several gates sharing one database.
struct store_location {
    enum class engine { sqlite, postgresql };
    engine kind = engine::sqlite;
    std::filesystem::path folder; // sqlite
    std::string url;              // postgresql
};

// nullopt and `error` (for a person) when the text is neither.
std::optional<store_location> parse_store_location(std::string_view text, std::string& error);

} // namespace sluice::gate
