// Clocks: wall time between two points, CPU time of this process or thread, and the machine's load.
#pragma once

#include <chrono>
#include <string>

namespace sluice::bench {

using steady_time = std::chrono::steady_clock::time_point;

double ms_between(steady_time from, steady_time to);
double seconds_between(steady_time from, steady_time to);
double seconds_since(steady_time start);

// The calling thread's CPU time, at the clock's nanosecond resolution. `openssl speed` divides by the CPU
// time it used rather than the wall clock, so a figure compared with it is taken the same way.
double thread_cpu_seconds();
// User + system time from getrusage(who): RUSAGE_SELF or RUSAGE_THREAD, at microsecond resolution.
double rusage_cpu_seconds(int who);

// /proc/loadavg's three figures: the machine is shared, and every figure is printed with its load.
std::string load_average();

} // namespace sluice::bench
