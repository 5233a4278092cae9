#include "support/processes.hpp"

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string_view>
#include <sys/prctl.h>
#include <unistd.h>

namespace sluice::bench {

namespace {

// A "Field:   N kB" line of /proc/PID/status, in MiB.
double status_mib(pid_t pid, std::string_view field) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/status");
    std::string line;
    while (std::getline(in, line)) {
        if (line.starts_with(field)) {
            return std::stod(line.substr(field.size())) / 1024.0;
        }
    }
    return 0;
}

} // namespace

void become_subreaper() {
    ::prctl(PR_SET_CHILD_SUBREAPER, 1);
}

std::vector<process_entry> list_processes() {
    std::vector<process_entry> out;
    std::error_code ec;
    for (auto const& entry : std::filesystem::directory_iterator("/proc", ec)) {
        std::ifstream in(entry.path() / "stat");
        std::string stat;
        if (!std::getline(in, stat)) {
            continue;
        }
        // COMM may itself hold spaces or parentheses, hence the last ')'.
        auto const open = stat.find('(');
        auto const close = stat.rfind(')');
        if (open == std::string::npos || close == std::string::npos || close + 4 >= stat.size()) {
            continue;
        }
        process_entry p;
        long ppid = 0;
        if (std::sscanf(stat.c_str() + close + 2, "%c %ld", &p.state, &ppid) != 2) {
            continue;
        }
        p.pid = static_cast<pid_t>(std::stol(stat.substr(0, open)));
        p.ppid = static_cast<pid_t>(ppid);
        p.comm = stat.substr(open + 1, close - open - 1);
        out.push_back(std::move(p));
    }
    return out;
}

double process_cpu_seconds(pid_t pid) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
    std::string stat;
    std::getline(in, stat);
    auto const close = stat.rfind(')');
    if (close == std::string::npos) {
        return std::nan("");
    }
    std::istringstream fields(stat.substr(close + 2));
    std::string skip;
    for (int i = 3; i <= 13; ++i) { // state .. cmajflt
        fields >> skip;
    }
    unsigned long long utime = 0, stime = 0;
    fields >> utime >> stime;
    return static_cast<double>(utime + stime) / static_cast<double>(::sysconf(_SC_CLK_TCK));
}

memory_figures memory_of(pid_t pid) {
    return {.peak_rss_mib = status_mib(pid, "VmHWM:"), .anon_mib = status_mib(pid, "RssAnon:")};
}

namespace {

// `root` and every process below it, as /proc shows them now.
std::vector<pid_t> process_tree(pid_t root) {
    std::map<pid_t, pid_t> parent_of;
    for (auto const& p : list_processes()) {
        parent_of[p.pid] = p.ppid;
    }
    std::vector<pid_t> tree{root};
    for (std::size_t i = 0; i < tree.size(); ++i) {
        for (auto const& [pid, ppid] : parent_of) {
            if (ppid == tree[i]) {
                tree.push_back(pid);
            }
        }
    }
    return tree;
}

} // namespace

memory_figures tree_memory(pid_t root) {
    memory_figures total;
    for (pid_t const pid : process_tree(root)) {
        auto const m = memory_of(pid);
        total.peak_rss_mib += m.peak_rss_mib;
        total.anon_mib += m.anon_mib;
    }
    return total;
}

double tree_cpu_seconds(pid_t root) {
    double total = 0;
    for (pid_t const pid : process_tree(root)) {
        if (auto const cpu = process_cpu_seconds(pid); !std::isnan(cpu)) {
            total += cpu;
        }
    }
    return total;
}

} // namespace sluice::bench
