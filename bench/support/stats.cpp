#include "support/stats.hpp"

namespace sluice::bench {

double median(std::vector<double> values) {
    if (values.empty()) {
        return std::nan("");
    }
    std::sort(values.begin(), values.end());
    auto const n = values.size();
    return n % 2 == 1 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
}

double percentile_at_index(std::vector<double> values, double p) {
    if (values.empty()) {
        return std::nan("");
    }
    std::sort(values.begin(), values.end());
    return values[static_cast<std::size_t>(p * static_cast<double>(values.size() - 1))];
}

double round_to(double value, int decimals) {
    auto const scale = std::pow(10.0, decimals);
    return std::round(value * scale) / scale;
}

nlohmann::json rounded(std::vector<double> const& values, int decimals) {
    auto list = nlohmann::json::array();
    for (double const v : values) {
        list.push_back(round_to(v, decimals));
    }
    return list;
}

} // namespace sluice::bench
