#include "sluice-gate/store_location.hpp"

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

} // namespace sluice::gate
