#pragma once

#include <cstddef>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <random>
#include <string>

namespace sluice::testing {

// The whole file, or "" if it cannot be read.
inline std::string read_file(std::filesystem::path const& file) {
    std::ifstream in(file, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), {}};
}

// Writes `bytes` to `file`, replacing it, creating its folders.
inline void write_file(std::filesystem::path const& file, std::string const& bytes) {
    std::filesystem::create_directories(file.parent_path());
    std::ofstream(file, std::ios::binary | std::ios::trunc) << bytes;
}

// Every path under `dir` with its contents ("<dir>" for a folder): equal snapshots are the same tree, so a
// test can say "uninstall left exactly what was there before".
inline std::map<std::string, std::string> tree_snapshot(std::filesystem::path const& dir) {
    std::map<std::string, std::string> out;
    for (auto const& e : std::filesystem::recursive_directory_iterator(dir)) {
        out[e.path().lexically_relative(dir).string()] = e.is_directory() ? "<dir>" : read_file(e.path());
    }
    return out;
}

// `n` pseudo-random bytes, the same for the same seed.
inline std::string random_bytes(std::size_t n, unsigned seed) {
    std::mt19937 gen(seed);
    std::string s(n, '\0');
    for (auto& c : s) {
        c = static_cast<char>(gen());
    }
    return s;
}

} // namespace sluice::testing
