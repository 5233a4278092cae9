#include "bench_support.hpp"

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

namespace sluice::bench {

using std::chrono::steady_clock;

namespace {

// The driver's children named sluice-host, and whether each is already a zombie.
std::vector<std::pair<pid_t, bool>> host_children() {
    std::vector<std::pair<pid_t, bool>> found;
    auto const self = ::getpid();
    for (auto const& p : list_processes()) {
        if (p.ppid == self && p.comm == "sluice-host") {
            found.emplace_back(p.pid, p.state == 'Z');
        }
    }
    return found;
}

// An owner that has just left may take a moment to turn into a zombie; give it up to a second.
void reap_owner_zombies() {
    auto const deadline = steady_clock::now() + std::chrono::seconds(1);
    for (;;) {
        auto const children = host_children();
        if (children.empty() || steady_clock::now() > deadline) {
            return;
        }
        for (auto const& [pid, zombie] : children) {
            if (zombie) {
                int status = 0;
                ::waitpid(pid, &status, WNOHANG);
            }
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
}

} // namespace

std::vector<process_entry> list_processes() {
    std::vector<process_entry> out;
    std::error_code ec;
    for (auto const& entry : fs::directory_iterator("/proc", ec)) {
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

void become_subreaper() {
    ::prctl(PR_SET_CHILD_SUBREAPER, 1);
}

std::vector<std::string> read_nul_separated(fs::path const& file) {
    std::ifstream in(file, std::ios::binary);
    std::vector<std::string> items;
    std::string item;
    while (std::getline(in, item, '\0')) {
        items.push_back(item);
    }
    return items;
}

std::string tail_of_file(fs::path const& file, std::size_t bytes) {
    std::ifstream in(file, std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    auto s = text.str();
    return s.size() > bytes ? "..." + s.substr(s.size() - bytes) : s;
}

temp_dir::temp_dir(std::string_view prefix) {
    auto pattern = (fs::temp_directory_path() / (std::string(prefix) + "-XXXXXX")).string();
    if (::mkdtemp(pattern.data()) == nullptr) {
        throw bench_error("cannot create a temporary directory: " + std::string(std::strerror(errno)));
    }
    root_ = pattern;
}

temp_dir::~temp_dir() {
    std::error_code ec;
    fs::remove_all(root_, ec);
}

host_sandbox::host_sandbox(std::string_view config_json, std::string program)
    : dir_("sluice-bench"), program_(std::move(program)) {
    fs::create_directories(data_home() / "sluice");
    fs::create_directory(runtime_dir());
    fs::permissions(runtime_dir(), fs::perms::owner_all, fs::perm_options::replace);
    std::ofstream config(data_home() / "sluice" / "config.json", std::ios::binary);
    config << config_json << '\n';
    if (!config.flush()) {
        throw bench_error("cannot write " + (data_home() / "sluice" / "config.json").string());
    }
}

std::vector<pid_t> host_sandbox::owners() const {
    std::string const marker = "XDG_RUNTIME_DIR=" + runtime_dir().string();
    std::vector<pid_t> found;
    std::error_code ec;
    for (auto const& entry : fs::directory_iterator("/proc", ec)) {
        auto const name = entry.path().filename().string();
        if (name.empty() ||
            !std::all_of(name.begin(), name.end(), [](char c) { return c >= '0' && c <= '9'; })) {
            continue;
        }
        auto const args = read_nul_separated(entry.path() / "cmdline");
        if (args.size() < 2 || args[1] != "--serve") {
            continue;
        }
        auto const env = read_nul_separated(entry.path() / "environ");
        if (std::find(env.begin(), env.end(), marker) != env.end()) {
            found.push_back(static_cast<pid_t>(std::stol(name)));
        }
    }
    return found;
}

void host_sandbox::wait_for_owners(std::chrono::milliseconds limit) const {
    auto const deadline = steady_clock::now() + limit;
    while (!owners().empty() && steady_clock::now() < deadline) {
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    for (int const signo : {SIGTERM, SIGKILL}) {
        auto const left = owners();
        if (left.empty()) {
            break;
        }
        for (pid_t const pid : left) {
            std::fprintf(stderr, "%s: the session owner %ld did not exit; sending %s\n", program_.c_str(),
                         static_cast<long>(pid), signo == SIGTERM ? "SIGTERM" : "SIGKILL");
            ::kill(pid, signo);
        }
        auto const until = steady_clock::now() + std::chrono::seconds(2);
        while (!owners().empty() && steady_clock::now() < until) {
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
    }
    reap_owner_zombies();
}

void host_sandbox::dump_logs() const {
    std::vector<fs::path> files{stderr_file()};
    std::error_code ec;
    for (auto const& entry : fs::recursive_directory_iterator(data_home(), ec)) {
        if (entry.is_regular_file() && entry.path().extension() == ".log") {
            files.push_back(entry.path());
        }
    }
    for (auto const& f : files) {
        auto const text = tail_of_file(f, 4096);
        if (!text.empty()) {
            std::fprintf(stderr, "---- %s\n%s\n", f.filename().c_str(), text.c_str());
        }
    }
}

std::string make_frame(std::string const& body) {
    auto const length = static_cast<std::uint32_t>(body.size());
    std::string frame(sizeof length, '\0');
    std::memcpy(frame.data(), &length, sizeof length);
    return frame + body;
}

void write_all(boost::process::pipe& to_child, std::string const& bytes) {
    std::size_t done = 0;
    while (done < bytes.size()) {
        done += static_cast<std::size_t>(
            to_child.write(bytes.data() + done, static_cast<int>(bytes.size() - done)));
    }
}

void read_exact(boost::process::pipe& from_child, char* data, std::size_t size) {
    std::size_t done = 0;
    while (done < size) {
        auto const n = from_child.read(data + done, static_cast<int>(size - done));
        if (n == 0) {
            throw bench_error("the program closed its stdout in the middle of the run");
        }
        done += static_cast<std::size_t>(n);
    }
}

void read_frame(boost::process::pipe& from_child, std::string& body, std::uint32_t max_bytes) {
    std::uint32_t length = 0;
    read_exact(from_child, reinterpret_cast<char*>(&length), sizeof length);
    if (length > max_bytes) {
        throw bench_error("a reply announced " + std::to_string(length) + " bytes");
    }
    body.resize(length);
    read_exact(from_child, body.data(), length);
}

} // namespace sluice::bench
