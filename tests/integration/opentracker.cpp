#include "opentracker.hpp"

#include "file_helpers.hpp"
#include "gate_fixture.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <stdexcept>
#include <thread>
#include <unistd.h>

namespace sluice::testing {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

opentracker::opentracker(fs::path const& folder, int port, std::vector<std::string> const& hex_hashes)
    : port_(port) {
    auto const exe = find_tool("opentracker");
    if (exe.empty()) {
        ADD_FAILURE() << "opentracker is not installed; installer/setup-deps.sh installs it";
        throw std::runtime_error("no opentracker");
    }
    fs::create_directories(folder);
    std::string list;
    for (auto const& h : hex_hashes) {
        list += h + "\n";
    }
    write_file(folder / "whitelist.txt", list);
    // Under root it chroots into `folder` before reading its whitelist, which is then at its root.
    bool const root = ::geteuid() == 0;
    process_ = std::make_unique<third_party_process>(
        exe,
        std::vector<std::string>{"-i", "127.0.0.1", "-p", std::to_string(port), "-P", std::to_string(port),
                                 "-d", folder.string(), "-u", "nobody", "-w",
                                 root ? "/whitelist.txt" : (folder / "whitelist.txt").string()},
        folder / "opentracker.out", folder);
    auto const deadline = std::chrono::steady_clock::now() + 10s;
    for (;;) {
        try {
            if (request(port_, "GET", "/scrape").status == 200) {
                break;
            }
        } catch (std::exception const&) {
        }
        if (!process_->running() || std::chrono::steady_clock::now() > deadline) {
            ADD_FAILURE() << "opentracker does not answer\n" << process_->output();
            throw std::runtime_error("opentracker did not start");
        }
        std::this_thread::sleep_for(20ms);
    }
}

} // namespace sluice::testing
