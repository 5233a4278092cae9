#include "support/lt_seed_process.hpp"

#include "support/bench_main.hpp"
#include "support/files.hpp"

#include <nlohmann/json.hpp>

#include <chrono>

namespace sluice::bench {

lt_seed_process::lt_seed_process(fs::path const& lt_seed, fs::path const& torrent_file,
                                 fs::path const& save_dir, fs::path const& log)
    : proc_({.name = "lt_seed",
             .exe = lt_seed,
             .args = {"seed", torrent_file.string(), save_dir.string()},
             .log = log,
             .read_stdout = true}) {
    auto const line = proc_.read_line(std::chrono::seconds(60));
    auto const ready = nlohmann::json::parse(line.value_or(""), nullptr, false);
    if (!ready.is_object() || ready.value("event", "") != "ready" || !ready["port"].is_number_integer()) {
        throw bench_error("lt_seed did not start: " + line.value_or("(nothing)") + " " +
                          tail_of_file(log, 2000));
    }
    port_ = ready["port"].get<int>();
}

} // namespace sluice::bench
