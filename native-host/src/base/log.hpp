#pragma once

#include <cstdint>
#include <filesystem>
#include <string_view>

namespace sluice::base::log {

enum class level { debug, info, warning, error };

struct options {
    std::filesystem::path file; // empty: no log file
    bool to_stderr = true;      // never stdout: stdout is the native-messaging channel
    std::uint64_t max_file_bytes = 1024 * 1024;
    int keep_files = 3; // host.log.1 .. host.log.N are kept beside host.log
    level threshold = level::info;
    std::string_view role = "host"; // tells relay and owner lines apart in one terminal
};

// Sets where log lines go. Safe to call again (the daemon re-targets after detaching); thread-safe.
void configure(options const& opts);

void write(level lvl, std::string_view message);
// Whether lines of `lvl` go anywhere: for lines that cost something to build.
bool enabled(level lvl);

inline void debug(std::string_view m) {
    write(level::debug, m);
}
inline void info(std::string_view m) {
    write(level::info, m);
}
inline void warning(std::string_view m) {
    write(level::warning, m);
}
inline void error(std::string_view m) {
    write(level::error, m);
}

level parse_level(std::string_view name, level fallback);

} // namespace sluice::base::log
