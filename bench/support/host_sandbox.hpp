// Fresh XDG directories for each sluice-host a benchmark starts, and the hunt for the owner it spawns.
#pragma once

#include "support/files.hpp"

#include <chrono>
#include <string_view>
#include <sys/types.h>
#include <vector>

namespace sluice::bench {

// Fresh XDG directories per run, so the owner that the run starts is ours alone and leaves nothing behind.
// `config_json` becomes $XDG_DATA_HOME/sluice/config.json.
class host_sandbox {
public:
    explicit host_sandbox(std::string_view config_json);
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
    // can only be owners this driver inherited (become_subreaper), and leaves the driver's other children
    // alone.
    void wait_for_owners(std::chrono::milliseconds limit = std::chrono::seconds(5)) const;

    // What the host had to say, for a failure report; the sandbox is deleted right after.
    void dump_logs() const;

private:
    temp_dir dir_;
};

} // namespace sluice::bench
