#pragma once

#include <string_view>

namespace sluice::gate {

// Whether two secrets are equal, in a time that depends on neither their bytes nor where they differ.
// Both are first hashed (SHA-256) and the digests compared with sodium_memcmp, so a length that differs is
// not revealed by an early exit either. For the admin token and webhook signatures: anything an attacker
// may guess at byte by byte over the network.
bool equal_in_constant_time(std::string_view a, std::string_view b);

} // namespace sluice::gate
