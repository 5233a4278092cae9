#pragma once

#include <chrono>

namespace sluice::base {

// Now, to the whole second: gates and manifests speak of times in seconds.
inline std::chrono::sys_seconds now_seconds() {
    return std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
}

} // namespace sluice::base
