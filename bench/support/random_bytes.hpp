// The benchmarks' test data: incompressible, reproducible bytes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>

namespace sluice::bench {

// splitmix64, fast enough that 1 GiB costs about a second. The files the benchmarks keep in their cache are
// made of it, and only their sizes are checked when they are reused: a change here must come with a fresh
// cache.
class splitmix64 {
public:
    explicit splitmix64(std::uint64_t seed) : state_(seed) {}

    // The output for the state `x`: a stateless hash of a counter, for a value that must depend on `x` alone.
    static std::uint64_t mix(std::uint64_t x) {
        x += increment;
        x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
        x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
        return x ^ (x >> 31);
    }

    std::uint64_t next() {
        auto const value = mix(state_);
        state_ += increment;
        return value;
    }

    // Whole words in native byte order; a size that is not a multiple of 8 ends in part of one word, and the
    // next call starts with a fresh word.
    void fill(unsigned char* out, std::size_t size);

private:
    static constexpr std::uint64_t increment = 0x9E3779B97F4A7C15ULL;
    std::uint64_t state_;
};

// Writes the first `size` bytes of splitmix64(seed) to `file`, through FILE.partial renamed into place, so
// that a file of the right size is a complete one.
void write_random_file(std::filesystem::path const& file, std::uint64_t size, std::uint64_t seed);

} // namespace sluice::bench
