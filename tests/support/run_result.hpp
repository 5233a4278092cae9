#pragma once

#include <ostream>
#include <string>

namespace sluice::testing {

// What one run of a command-line tool left: its exit code and what it printed, shown whole when a test
// fails on it.
struct run_result {
    int exit_code = -1;
    std::string out;
    std::string err;
};

inline std::ostream& operator<<(std::ostream& os, run_result const& r) {
    return os << "exit " << r.exit_code << "\n--- stdout ---\n" << r.out << "--- stderr ---\n" << r.err;
}

} // namespace sluice::testing
