#pragma once

// What the load tests share to report a storm: elapsed seconds, and the requests that went wrong.

#include <chrono>
#include <cstddef>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

namespace sluice::testing {

inline double seconds_since(std::chrono::steady_clock::time_point start) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// What went wrong with individual requests, reported as one failure with the count and the first few, so a
// broken gate does not print thousands of lines.
class problems {
public:
    void add(std::string what) { list_.push_back(std::move(what)); }
    bool empty() const { return list_.empty(); }
    friend std::ostream& operator<<(std::ostream& os, problems const& p) {
        os << p.list_.size() << " problem(s):";
        for (std::size_t i = 0; i < p.list_.size() && i < 10; ++i) {
            os << "\n  " << p.list_[i];
        }
        return os;
    }

private:
    std::vector<std::string> list_;
};

} // namespace sluice::testing
