#include "base/log.hpp"

#include <chrono>
#include <cstdio>
#include <ctime>
#include <mutex>
#include <string>
#include <unistd.h>

namespace sluice::base::log {

namespace {

struct sink_state {
    std::mutex mutex;
    options opts;
    std::string role;
    std::FILE* file = nullptr;
    std::uint64_t file_bytes = 0;
};

sink_state& state() {
    static sink_state s;
    return s;
}

std::string_view level_name(level lvl) {
    switch (lvl) {
    case level::debug:
        return "DEBUG";
    case level::info:
        return "INFO";
    case level::warning:
        return "WARN";
    case level::error:
        return "ERROR";
    }
    return "?";
}

std::string timestamp() {
    using namespace std::chrono;
    auto const now = system_clock::now();
    auto const t = system_clock::to_time_t(now);
    auto const ms = duration_cast<milliseconds>(now.time_since_epoch()).count() % 1000;
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[64];
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1,
                  tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(ms));
    return buf;
}

void open_file(sink_state& s) {
    if (s.opts.file.empty()) {
        return;
    }
    std::error_code ec;
    std::filesystem::create_directories(s.opts.file.parent_path(), ec);
    s.file = std::fopen(s.opts.file.c_str(), "a");
    s.file_bytes = s.file ? std::filesystem::file_size(s.opts.file, ec) : 0;
    if (ec) {
        s.file_bytes = 0;
    }
}

// host.log -> host.log.1 -> ... -> host.log.N (dropped). Runs under the sink mutex.
void rotate(sink_state& s) {
    std::fclose(s.file);
    s.file = nullptr;
    std::error_code ec;
    auto const numbered = [&](int i) {
        return std::filesystem::path(s.opts.file.string() + "." + std::to_string(i));
    };
    std::filesystem::remove(numbered(s.opts.keep_files), ec);
    for (int i = s.opts.keep_files - 1; i >= 1; --i) {
        std::filesystem::rename(numbered(i), numbered(i + 1), ec);
    }
    if (s.opts.keep_files > 0) {
        std::filesystem::rename(s.opts.file, numbered(1), ec);
    } else {
        std::filesystem::remove(s.opts.file, ec);
    }
    open_file(s);
}

} // namespace

void configure(options const& opts) {
    auto& s = state();
    std::lock_guard lock(s.mutex);
    if (s.file) {
        std::fclose(s.file);
        s.file = nullptr;
    }
    s.opts = opts;
    s.role = std::string(opts.role);
    s.opts.role = s.role;
    open_file(s);
}

bool enabled(level lvl) {
    auto& s = state();
    std::lock_guard lock(s.mutex);
    return lvl >= s.opts.threshold;
}

void write(level lvl, std::string_view message) {
    auto& s = state();
    std::lock_guard lock(s.mutex);
    if (lvl < s.opts.threshold) {
        return;
    }
    std::string line = timestamp();
    line += ' ';
    line += level_name(lvl);
    line += " [";
    line += s.role.empty() ? "host" : s.role;
    line += ' ';
    line += std::to_string(::getpid());
    line += "] ";
    line += message;
    line += '\n';
    if (s.opts.to_stderr) {
        std::fwrite(line.data(), 1, line.size(), stderr);
        std::fflush(stderr);
    }
    if (s.file) {
        if (s.file_bytes + line.size() > s.opts.max_file_bytes && s.file_bytes > 0) {
            rotate(s);
        }
        if (s.file) {
            std::fwrite(line.data(), 1, line.size(), s.file);
            std::fflush(s.file);
            s.file_bytes += line.size();
        }
    }
}

level parse_level(std::string_view name, level fallback) {
    if (name == "debug") {
        return level::debug;
    }
    if (name == "info") {
        return level::info;
    }
    if (name == "warning") {
        return level::warning;
    }
    if (name == "error") {
        return level::error;
    }
    return fallback;
}

} // namespace sluice::base::log
