// CPU time that includes the children a process has reaped: a server that runs a tool per request, or the
// driver's own one-shot programs.
#pragma once

#include <sys/types.h>

namespace sluice::bench {

// From /proc/PID/stat, in seconds (clock ticks): the process's own CPU time (utime + stime) and that of
// every child it has waited for (cutime + cstime). The kernel adds a child's CPU to its parent's cutime and
// cstime only once the parent reaps it, so across a stretch in which the process starts and reaps a child,
// the growth of the second is the child's whole run. NaN in both when the process is gone.
struct cpu_with_children {
    double self = 0;
    double reaped_children = 0;

    double total() const { return self + reaped_children; }
};
cpu_with_children cpu_with_reaped_children(pid_t pid);

// getrusage(RUSAGE_CHILDREN) of this process, user + system, in seconds (microseconds): the CPU of every
// child it has reaped so far. Its growth across run_measured is that program's CPU time, as long as nothing
// else is reaped meanwhile.
double reaped_children_cpu_seconds();

} // namespace sluice::bench
