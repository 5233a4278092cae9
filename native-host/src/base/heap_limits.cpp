#include "base/heap_limits.hpp"

#include <malloc.h>

namespace sluice::base {

void limit_heap_growth() {
    constexpr int arenas = 2;
    constexpr int own_mapping_from = 256 * 1024;
    // Setting these fixes them: glibc no longer moves the thresholds as blocks are freed.
    mallopt(M_ARENA_MAX, arenas);
    mallopt(M_MMAP_THRESHOLD, own_mapping_from);
    mallopt(M_TRIM_THRESHOLD, 2 * own_mapping_from);
}

} // namespace sluice::base
