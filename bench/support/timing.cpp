#include "support/timing.hpp"

#include <ctime>
#include <fstream>
#include <sys/resource.h>

namespace sluice::bench {

double ms_between(steady_time from, steady_time to) {
    return std::chrono::duration<double, std::milli>(to - from).count();
}

double seconds_between(steady_time from, steady_time to) {
    return std::chrono::duration<double>(to - from).count();
}

double seconds_since(steady_time start) {
    return seconds_between(start, std::chrono::steady_clock::now());
}

double thread_cpu_seconds() {
    timespec t{};
    ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) / 1e9;
}

double rusage_cpu_seconds(int who) {
    rusage u{};
    ::getrusage(who, &u);
    return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
           static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

std::string load_average() {
    std::ifstream in("/proc/loadavg");
    std::string one, five, fifteen;
    in >> one >> five >> fifteen;
    return one + " " + five + " " + fifteen;
}

} // namespace sluice::bench
