#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/process/async_pipe.hpp>

#include <array>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <system_error>
#include <vector>

namespace sluice::ffmpeg {

// What a child may take. A hostile file can make a decoder allocate or loop; the kernel ends it at these.
struct child_limits {
    std::uint64_t memory_bytes = std::uint64_t{2} << 30; // address space
    unsigned cpu_seconds = 0;                            // 0: no limit (a film converted as it plays)
};

// ffmpeg or ffprobe run as a child (Boost.Process): stdin from /dev/null, stdout a pipe the owner reads,
// stderr read here (its last 4 KiB kept for the message when it fails), none of the parent's other
// descriptors (the native-messaging pipes, sockets), no core file, and the limits above. Made with
// make_shared; ended by kill() or by its own exit, and reaped when the last reference goes.
class tool_child : public std::enable_shared_from_this<tool_child> {
public:
    static std::shared_ptr<tool_child> start(boost::asio::io_context& io,
                                             std::filesystem::path const& program,
                                             std::vector<std::string> const& arguments, child_limits limits,
                                             std::error_code& ec);
    tool_child(boost::asio::io_context& io, std::filesystem::path const& program,
               std::vector<std::string> const& arguments, child_limits limits, std::error_code& ec);
    ~tool_child();
    tool_child(tool_child const&) = delete;
    tool_child& operator=(tool_child const&) = delete;

    boost::process::async_pipe& output() { return out_; }
    void kill();
    // Once its output has ended: how it ended, 0 for success, -1 ended by a signal (a limit, or kill()). It
    // is exiting then; it gets two seconds to, asked every 5 ms without holding the thread, then it is
    // killed. Its stderr is read to its end first (within those two seconds), so error_line() has its last
    // words however the pipes' reads were ordered.
    void finish(std::function<void(int)> done);
    // One line from what it wrote on stderr, for a person: its last non-empty line, printable.
    std::string error_line() const;

private:
    void read_errors();
    bool reaped_now();
    void wait_exit(std::shared_ptr<boost::asio::steady_timer> timer, int waited_ms,
                   std::function<void(int)> done);

    boost::asio::io_context& io_;
    boost::process::async_pipe out_;
    boost::process::async_pipe err_;
    // The child is detached from Boost.Process once started and reaped here, so that no pid is waited for
    // (or signalled) after it was reaped and could have been reused.
    int pid_ = -1;
    bool reaped_ = false;
    std::array<char, 1024> err_chunk_{};
    std::string err_tail_;
    bool errors_ended_ = false;
    int status_ = -1;
};

// Runs a child to its end and hands over what it wrote on stdout. Fails (with a sentence in `error`) when it
// exits with an error, writes more than `max_output` bytes, or runs past `timeout`.
struct tool_result {
    bool ok = false;
    std::string output;
    std::string error;
};
void run_tool(boost::asio::io_context& io, std::filesystem::path const& program,
              std::vector<std::string> const& arguments, child_limits limits, std::size_t max_output,
              std::chrono::milliseconds timeout, std::function<void(tool_result)> done);

} // namespace sluice::ffmpeg
