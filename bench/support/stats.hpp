// The few statistics the benchmarks report: medians of runs, percentiles of latencies, rounded figures.
#pragma once

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <vector>

namespace sluice::bench {

// Throughput is in MB/s of 10^6 bytes, as curl and `openssl speed` (1000s of bytes) give it.
inline constexpr double mega = 1e6;

// The middle value, or the mean of the two middle ones; NaN for no values.
double median(std::vector<double> values);

// Nearest rank of sorted values: a figure some sample really had, never an interpolation between two.
template <typename T>
T nearest_rank(std::vector<T> const& sorted, double q) {
    auto const rank = static_cast<std::size_t>(std::ceil(q * static_cast<double>(sorted.size())));
    return sorted[std::max<std::size_t>(rank, 1) - 1];
}

// The value at index floor(p * (n - 1)) of the sorted values, also never interpolated; NaN for none.
double percentile_at_index(std::vector<double> values, double p);

// Rounds to `decimals` places by dividing last, so 5.1 comes out as 5.1 and not as 5.1000000000000005.
double round_to(double value, int decimals);
// Every value rounded so, as a JSON array.
nlohmann::json rounded(std::vector<double> const& values, int decimals);

} // namespace sluice::bench
