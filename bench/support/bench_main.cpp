#include "support/bench_main.hpp"

#include <csignal>
#include <cstdio>
#include <exception>

namespace sluice::bench {

namespace {

std::string& name() {
    static std::string program = "bench";
    return program;
}

} // namespace

std::string const& program_name() {
    return name();
}

int run_main(std::string_view program, std::string_view usage, int argc, char** argv,
             std::function<int()> const& body) {
    name() = std::string(program);
    for (int i = 1; i < argc; ++i) {
        if (std::string_view(argv[i]) == "--help" || std::string_view(argv[i]) == "-h") {
            std::fwrite(usage.data(), 1, usage.size(), stdout);
            return 0;
        }
    }
    std::signal(SIGPIPE, SIG_IGN);
    try {
        return body();
    } catch (usage_error const& e) {
        std::fprintf(stderr, "%s: %s\n%.*s", name().c_str(), e.what(), static_cast<int>(usage.size()),
                     usage.data());
        return 2;
    } catch (std::exception const& e) {
        std::fprintf(stderr, "%s: error: %s\n", name().c_str(), e.what());
        return 1;
    }
}

} // namespace sluice::bench
