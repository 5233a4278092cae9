#include "support/random_bytes.hpp"

#include "support/bench_main.hpp"

#include <algorithm>
#include <cstring>
#include <fstream>
#include <vector>

namespace sluice::bench {

void splitmix64::fill(unsigned char* out, std::size_t size) {
    while (size >= 8) {
        auto const word = next();
        std::memcpy(out, &word, 8);
        out += 8;
        size -= 8;
    }
    if (size > 0) {
        auto const word = next();
        std::memcpy(out, &word, size);
    }
}

void write_random_file(std::filesystem::path const& file, std::uint64_t size, std::uint64_t seed) {
    auto const partial = std::filesystem::path(file.string() + ".partial");
    {
        std::ofstream f(partial, std::ios::binary | std::ios::trunc);
        std::vector<unsigned char> chunk(4 << 20);
        splitmix64 bytes(seed);
        for (std::uint64_t written = 0; written < size;) {
            auto const n = static_cast<std::size_t>(std::min<std::uint64_t>(size - written, chunk.size()));
            bytes.fill(chunk.data(), n);
            f.write(reinterpret_cast<char const*>(chunk.data()), static_cast<std::streamsize>(n));
            written += n;
        }
        if (!f.flush()) {
            throw bench_error("cannot write " + partial.string());
        }
    }
    std::filesystem::rename(partial, file);
}

} // namespace sluice::bench
