// What the benchmarks that drive sluice-host share: a sandbox of fresh XDG directories, the hunt for the
// session owner that a run started, and native-messaging framing over Boost.Process pipes.
#pragma once

#include <boost/process/pipe.hpp>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <string_view>
#include <sys/types.h>
#include <vector>

namespace sluice::bench {

namespace fs = std::filesystem;

struct bench_error : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// The owner double-forks away from the relay, and the init of a container or microVM may be slow to reap what
// it inherits, leaving a zombie sluice-host after the run. As a subreaper the driver inherits the owner and
// host_sandbox::wait_for_owners reaps it, so when the benchmark exits, its owners are gone for good.
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

std::vector<std::string> read_nul_separated(fs::path const& file);
std::string tail_of_file(fs::path const& file, std::size_t bytes);

// A fresh directory under the system's temporary folder, removed with everything in it on destruction.
class temp_dir {
public:
    explicit temp_dir(std::string_view prefix);
    temp_dir(temp_dir const&) = delete;
    temp_dir& operator=(temp_dir const&) = delete;
    ~temp_dir();

    fs::path const& path() const { return root_; }
    fs::path operator/(fs::path const& rel) const { return root_ / rel; }

private:
    fs::path root_;
};

// Fresh XDG directories per run, so the owner that the run starts is ours alone and leaves nothing behind.
// `config_json` becomes $XDG_DATA_HOME/sluice/config.json; `program` names the benchmark in its messages.
class host_sandbox {
public:
    host_sandbox(std::string_view config_json, std::string program);
    host_sandbox(host_sandbox const&) = delete;
    host_sandbox& operator=(host_sandbox const&) = delete;

    fs::path const& root() const { return dir_.path(); }
    fs::path runtime_dir() const { return root() / "runtime"; }
    fs::path data_home() const { return root() / "data"; }
    fs::path stderr_file() const { return root() / "host-stderr.txt"; }

    // Session owners started for this sandbox: they are the sluice-host --serve processes whose
    // environment names our runtime directory. Owners of real sessions never match.
    std::vector<pid_t> owners() const;

    // The owner leaves by itself once the relay detaches; only one that hangs past `limit` gets signalled.
    // Call it after the relay itself has been waited for: it then reaps every sluice-host child left, which
    // can only be owners this driver inherited, and leaves the driver's other children alone.
    void wait_for_owners(std::chrono::milliseconds limit = std::chrono::seconds(5)) const;

    // What the host had to say, for a failure report; the sandbox is deleted right after.
    void dump_logs() const;

private:
    temp_dir dir_;
    std::string program_;
};

// Native-messaging framing: a 32-bit length in native byte order, then that many bytes of UTF-8 JSON.
std::string make_frame(std::string const& body);
void write_all(boost::process::pipe& to_child, std::string const& bytes);
void read_exact(boost::process::pipe& from_child, char* data, std::size_t size);
// Reads one frame into `body`; a frame announcing more than `max_bytes` is a broken stream, not a reply.
void read_frame(boost::process::pipe& from_child, std::string& body, std::uint32_t max_bytes);

} // namespace sluice::bench
