#include <sluice/ffmpeg/tool_child.hpp>

#include <boost/asio/read.hpp>
#include <boost/process/args.hpp>
#include <boost/process/child.hpp>
#include <boost/process/exe.hpp>
#include <boost/process/extend.hpp>
#include <boost/process/io.hpp>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

namespace sluice::ffmpeg {

namespace asio = boost::asio;
namespace bp = boost::process;

namespace {

constexpr std::size_t max_error_tail = 4096;

// Runs in the child between fork and exec, so only async-signal-safe calls: limits, then every descriptor
// above stderr marked close-on-exec (the executor's own error pipe is already).
struct child_setup : bp::extend::handler {
    child_limits limits;

    template <typename Executor>
    void on_exec_setup(Executor&) const {
        auto const set = [](int resource, rlim_t value) {
            rlimit r{value, value};
            ::setrlimit(resource, &r);
        };
        set(RLIMIT_AS, static_cast<rlim_t>(limits.memory_bytes));
        set(RLIMIT_CORE, 0);
        if (limits.cpu_seconds > 0) {
            set(RLIMIT_CPU, limits.cpu_seconds);
        }
#ifdef SYS_close_range
        if (::syscall(SYS_close_range, 3U, ~0U, 4U /* CLOSE_RANGE_CLOEXEC */) == 0) {
            return;
        }
#endif
        rlimit files{};
        ::getrlimit(RLIMIT_NOFILE, &files);
        auto const top = static_cast<int>(std::min<rlim_t>(files.rlim_cur, 65536));
        for (int fd = 3; fd < top; ++fd) {
            ::fcntl(fd, F_SETFD, FD_CLOEXEC);
        }
    }
};

} // namespace

std::shared_ptr<tool_child> tool_child::start(asio::io_context& io, std::filesystem::path const& program,
                                              std::vector<std::string> const& arguments, child_limits limits,
                                              std::error_code& ec) {
    auto child = std::make_shared<tool_child>(io, program, arguments, limits, ec);
    if (ec) {
        return nullptr;
    }
    child->read_errors();
    return child;
}

tool_child::tool_child(asio::io_context& io, std::filesystem::path const& program,
                       std::vector<std::string> const& arguments, child_limits limits, std::error_code& ec)
    : io_(io), out_(io), err_(io) {
    child_setup setup;
    setup.limits = limits;
    bp::child child(bp::exe = program.string(), bp::args = arguments, bp::std_in<bp::null, bp::std_out> out_,
                    bp::std_err > err_, setup, ec);
    if (!ec) {
        pid_ = child.id();
        child.detach();
    }
}

tool_child::~tool_child() {
    kill();
}

void tool_child::kill() {
    if (pid_ > 0 && !reaped_) {
        ::kill(pid_, SIGKILL);
        int status = 0;
        while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
        }
        reaped_ = true;
    }
    boost::system::error_code closed;
    out_.close(closed);
}

void tool_child::read_errors() {
    err_.async_read_some(asio::buffer(err_chunk_),
                         [self = shared_from_this()](boost::system::error_code ec, std::size_t n) {
                             self->err_tail_.append(self->err_chunk_.data(), n);
                             if (self->err_tail_.size() > max_error_tail) {
                                 self->err_tail_.erase(0, self->err_tail_.size() - max_error_tail);
                             }
                             if (!ec) {
                                 self->read_errors();
                             } else {
                                 self->errors_ended_ = true;
                             }
                         });
}

bool tool_child::reaped_now() {
    if (pid_ <= 0 || reaped_) {
        return true;
    }
    int status = 0;
    auto const r = ::waitpid(pid_, &status, WNOHANG);
    if (r == pid_ || (r < 0 && errno != EINTR)) {
        reaped_ = true;
        status_ = r == pid_ && WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    }
    return reaped_;
}

void tool_child::finish(std::function<void(int)> done) {
    wait_exit(std::make_shared<asio::steady_timer>(io_), 0, std::move(done));
}

void tool_child::wait_exit(std::shared_ptr<asio::steady_timer> timer, int waited_ms,
                           std::function<void(int)> done) {
    if ((reaped_now() && errors_ended_) || waited_ms >= 2000) {
        kill();
        done(status_);
        return;
    }
    timer->expires_after(std::chrono::milliseconds(5));
    timer->async_wait([self = shared_from_this(), timer, waited_ms,
                       done = std::move(done)](boost::system::error_code) mutable {
        self->wait_exit(timer, waited_ms + 5, std::move(done));
    });
}

std::string tool_child::error_line() const {
    std::string line;
    std::size_t end = err_tail_.size();
    while (end > 0) {
        auto const start = err_tail_.rfind('\n', end - 1);
        auto const from = start == std::string::npos ? 0 : start + 1;
        line = err_tail_.substr(from, end - from);
        if (line.find_first_not_of(" \t\r") != std::string::npos) {
            break;
        }
        line.clear();
        end = start == std::string::npos ? 0 : start;
    }
    for (auto& c : line) {
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F) {
            c = ' ';
        }
    }
    return line.substr(0, 300);
}

namespace {

struct tool_run : std::enable_shared_from_this<tool_run> {
    std::shared_ptr<tool_child> child;
    asio::steady_timer timer;
    std::size_t max_output;
    std::function<void(tool_result)> done;
    std::string output;
    std::array<char, 16384> chunk{};
    bool over = false;

    tool_run(asio::io_context& io, std::size_t max) : timer(io), max_output(max) {}

    void read() {
        child->output().async_read_some(
            asio::buffer(chunk), [self = shared_from_this()](boost::system::error_code ec, std::size_t n) {
                self->output.append(self->chunk.data(), n);
                if (self->output.size() > self->max_output) {
                    self->end(false, "it wrote more than " + std::to_string(self->max_output) + " bytes");
                    return;
                }
                if (ec) {
                    self->end(true, {});
                    return;
                }
                self->read();
            });
    }

    void end(bool output_ended, std::string why) {
        if (over) {
            return;
        }
        over = true;
        timer.cancel();
        if (!output_ended) {
            child->kill();
            tool_result result;
            result.error = std::move(why);
            report(std::move(result));
            return;
        }
        child->finish([self = shared_from_this()](int status) {
            tool_result result;
            if (status != 0) {
                auto const line = self->child->error_line();
                result.error = !line.empty() ? line
                               : status < 0
                                   ? std::string("it was stopped (a limit on its memory or time was reached)")
                                   : "it failed with status " + std::to_string(status);
            } else {
                result.ok = true;
                result.output = std::move(self->output);
            }
            self->report(std::move(result));
        });
    }

    void report(tool_result result) {
        auto callback = std::move(done);
        callback(std::move(result));
    }
};

} // namespace

void run_tool(asio::io_context& io, std::filesystem::path const& program,
              std::vector<std::string> const& arguments, child_limits limits, std::size_t max_output,
              std::chrono::milliseconds timeout, std::function<void(tool_result)> done) {
    std::error_code ec;
    auto child = tool_child::start(io, program, arguments, limits, ec);
    if (!child) {
        tool_result failed;
        failed.error = "cannot start " + program.filename().string() + ": " + ec.message();
        asio::post(
            io, [done = std::move(done), failed = std::move(failed)]() mutable { done(std::move(failed)); });
        return;
    }
    auto run = std::make_shared<tool_run>(io, max_output);
    run->child = std::move(child);
    run->done = std::move(done);
    run->timer.expires_after(timeout);
    run->timer.async_wait([weak = std::weak_ptr<tool_run>(run), timeout](boost::system::error_code ec) {
        if (auto self = weak.lock(); self && !ec) {
            self->end(false, "it took longer than " + std::to_string(timeout.count() / 1000) + " s");
        }
    });
    run->read();
}

} // namespace sluice::ffmpeg
