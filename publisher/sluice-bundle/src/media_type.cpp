#include "sluice-bundle/media_type.hpp"

#include <sluice/protocol/media_types.hpp>

namespace sluice::publisher {

std::optional<std::string> media_type_for(std::string_view file_name) {
    auto const type = protocol::media_type_by_extension(file_name);
    return type ? std::optional<std::string>(*type) : std::nullopt;
}

} // namespace sluice::publisher
