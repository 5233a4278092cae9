#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace sluice::publisher {

// The media type a bundle item gets when its spec names none, from the file name's extension (case does
// not matter). nullopt for an extension this table does not know: the spec must then say, because a wrong
// guess would make a player refuse the item.
std::optional<std::string> media_type_for(std::string_view file_name);

} // namespace sluice::publisher
