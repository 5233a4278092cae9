#include "sluice-gate/store_location.hpp"

#include "sluice-gate/pg_store.hpp"
#include "sluice-gate/sqlite_store.hpp"

namespace sluice::gate {

std::optional<store_location> parse_store_location(std::string_view text, std::string& error) {
    if (text.starts_with("sqlite:")) {
        auto const folder = text.substr(7);
        if (folder.empty()) {
            error = "sqlite: needs the data folder after it (sqlite:/var/lib/sluice-gate)";
            return std::nullopt;
        }
        return store_location{store_location::engine::sqlite, std::filesystem::path(folder), {}};
    }
    if (text.starts_with("postgresql://") || text.starts_with("postgres://")) {
        return store_location{store_location::engine::postgresql, {}, std::string(text)};
    }
    error = "--db must be sqlite:FOLDER or a postgresql:// URL, not " + std::string(text.substr(0, 40));
    return std::nullopt;
}

std::string store_location::describe() const {
    if (kind == engine::sqlite) {
        return (folder / "gate.db").string();
    }
    // postgresql://user:password@host/...: the password stays out of logs and messages.
    auto const scheme_end = url.find("://");
    auto const at = url.find('@', scheme_end);
    auto const colon = url.find(':', scheme_end + 3);
    if (scheme_end == std::string::npos || at == std::string::npos || colon == std::string::npos ||
        colon > at) {
        return url;
    }
    return url.substr(0, colon) + url.substr(at);
}

std::unique_ptr<gate_store> open_store(store_location const& where, std::error_code& ec,
                                       std::string* detail) {
    return where.kind == store_location::engine::sqlite ? open_sqlite_store(where.folder, ec, detail)
                                                        : open_pg_store(where.url, ec, detail);
}

} // namespace sluice::gate
