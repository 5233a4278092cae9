#include "support/reaped_cpu.hpp"

#include <cmath>
#include <fstream>
#include <sstream>
#include <string>
#include <sys/resource.h>
#include <unistd.h>

namespace sluice::bench {

cpu_with_children cpu_with_reaped_children(pid_t pid) {
    auto const gone = cpu_with_children{std::nan(""), std::nan("")};
    std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
    std::string stat;
    std::getline(in, stat);
    // COMM may itself hold spaces or parentheses, hence the last ')'.
    auto const close = stat.rfind(')');
    if (close == std::string::npos) {
        return gone;
    }
    std::istringstream fields(stat.substr(close + 2));
    std::string skip;
    for (int i = 3; i <= 13; ++i) { // state .. cmajflt
        fields >> skip;
    }
    long long utime = 0, stime = 0, cutime = 0, cstime = 0;
    if (!(fields >> utime >> stime >> cutime >> cstime)) {
        return gone;
    }
    auto const tick = static_cast<double>(::sysconf(_SC_CLK_TCK));
    return {static_cast<double>(utime + stime) / tick, static_cast<double>(cutime + cstime) / tick};
}

double reaped_children_cpu_seconds() {
    rusage usage{};
    ::getrusage(RUSAGE_CHILDREN, &usage);
    auto const seconds = [](timeval const& tv) {
        return static_cast<double>(tv.tv_sec) + static_cast<double>(tv.tv_usec) / 1e6;
    };
    return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

} // namespace sluice::bench
