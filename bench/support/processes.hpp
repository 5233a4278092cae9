// What /proc says about processes: who is whose child, their CPU time and their memory.
#pragma once

#include <string>
#include <sys/types.h>
#include <vector>

namespace sluice::bench {

// The host's owner double-forks away from the relay, and the init of a container or microVM may be slow to
// reap what it inherits, leaving a zombie sluice-host after the run. As a subreaper the driver inherits the
// owner and host_sandbox::wait_for_owners reaps it, so when the benchmark exits, its owners are gone for
// good.
void become_subreaper();

// One line of /proc/PID/stat: "PID (COMM) STATE PPID ...".
struct process_entry {
    pid_t pid = 0;
    std::string comm;
    char state = 0;
    pid_t ppid = 0;
};
// Every process visible in /proc right now (those that vanish while being read are skipped).
std::vector<process_entry> list_processes();

// utime + stime of a process so far, in seconds (at the kernel's clock-tick resolution); NaN when it is gone.
double process_cpu_seconds(pid_t pid);

// VmHWM is the peak resident memory the kernel keeps for a process, but it counts every resident page the
// process maps, file pages included; RssAnon, the memory the process itself allocated, tells a large heap
// from a large mapped file. Both in MiB, 0 for a process that is gone.
struct memory_figures {
    double peak_rss_mib = 0;
    double anon_mib = 0;
};
memory_figures memory_of(pid_t pid);
// Summed over `root` and every process below it.
memory_figures tree_memory(pid_t root);
// utime + stime summed over `root` and the processes below it now: a server that forks a process per
// connection, measured across a stretch in which its connections stay open (the CPU of one that ended
// in between is lost with it).
double tree_cpu_seconds(pid_t root);

} // namespace sluice::bench
