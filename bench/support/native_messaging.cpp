#include "support/native_messaging.hpp"

#include "support/bench_main.hpp"

#include <cstring>

namespace sluice::bench {

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
