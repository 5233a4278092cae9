#include "sluice-gate/mailer.hpp"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/process/args.hpp>
#include <boost/process/child.hpp>
#include <boost/process/io.hpp>
#include <boost/process/pipe.hpp>

#include <csignal>
#include <ctime>
#include <pthread.h>
#include <thread>

namespace sluice::gate {

namespace asio = boost::asio;
namespace bp = boost::process;

namespace {

// A command that exits without reading its stdin makes the write raise SIGPIPE, which would end the whole
// gate (or a test binary) unless ignored process-wide. Blocked for this thread instead, and any SIGPIPE
// raised meanwhile is consumed before the mask is restored, so the write just fails.
class sigpipe_blocked {
public:
    sigpipe_blocked() {
        sigemptyset(&pipe_);
        sigaddset(&pipe_, SIGPIPE);
        pthread_sigmask(SIG_BLOCK, &pipe_, &old_);
    }
    ~sigpipe_blocked() {
        timespec const zero{0, 0};
        while (sigtimedwait(&pipe_, nullptr, &zero) == SIGPIPE) {
        }
        pthread_sigmask(SIG_SETMASK, &old_, nullptr);
    }
    sigpipe_blocked(sigpipe_blocked const&) = delete;
    sigpipe_blocked& operator=(sigpipe_blocked const&) = delete;

private:
    sigset_t pipe_{};
    sigset_t old_{};
};

// Boost.Process 1.74's child::wait_for was seen waiting well past its timeout (and for a child that had
// exited); polling running(), a waitpid with WNOHANG, cannot.
bool exits_within(bp::child& child, std::chrono::seconds timeout) {
    auto const deadline = std::chrono::steady_clock::now() + timeout;
    std::error_code ec;
    while (child.running(ec) && !ec) {
        if (std::chrono::steady_clock::now() >= deadline) {
            return false;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return true;
}

// The command for one message, on the calling thread. Shared by send() and the workers of async_send(),
// which copy what they need rather than the mailer: the last mailer must never be destroyed by a worker of
// its own pool (it would wait for itself).
void run_command(std::string const& command, std::chrono::seconds timeout, mail_message const& message,
                 std::error_code& ec) {
    ec.clear();
    if (command.empty()) {
        ec = std::make_error_code(std::errc::not_supported);
        return;
    }
    std::error_code spawn_ec;
    bp::opstream in;
    // The command's own output is of no use to the gate and must not mix with its stdout (tests read it).
    bp::child child("/bin/sh", bp::args({"-c", command}), (bp::std_in < in), (bp::std_out > bp::null),
                    (bp::std_err > bp::null), spawn_ec);
    if (spawn_ec) {
        ec = spawn_ec;
        return;
    }
    {
        sigpipe_blocked const guard;
        in << mailer::render(message);
        in.flush();
    }
    in.pipe().close();
    if (!exits_within(child, timeout)) {
        child.terminate(spawn_ec);
        ec = std::make_error_code(std::errc::timed_out);
        return;
    }
    if (child.exit_code() != 0) {
        ec = std::make_error_code(std::errc::io_error);
    }
}

} // namespace

mailer::mailer(std::string command, std::chrono::seconds timeout)
    : command_(std::move(command)), timeout_(timeout) {
    if (configured()) {
        workers_ = std::make_shared<asio::thread_pool>(workers);
    }
}

std::string mailer::render(mail_message const& message) {
    return "To: " + message.to + "\nSubject: " + message.subject +
           "\nContent-Type: text/plain; charset=utf-8\n\n" + message.body;
}

void mailer::send(mail_message const& message, std::error_code& ec) const {
    run_command(command_, timeout_, message, ec);
}

void mailer::async_send(mail_message message, asio::io_context::executor_type const& owner,
                        std::function<void(std::error_code)> done) const {
    if (!workers_) {
        asio::post(owner, [done = std::move(done)] { done(std::make_error_code(std::errc::not_supported)); });
        return;
    }
    asio::post(*workers_, [command = command_, timeout = timeout_, message = std::move(message),
                           work = asio::make_work_guard(owner), done = std::move(done)]() mutable {
        std::error_code ec;
        run_command(command, timeout, message, ec);
        // Posted before the guard goes, so the owner never runs out of work in between.
        asio::post(work.get_executor(), [done = std::move(done), ec] { done(ec); });
    });
}

} // namespace sluice::gate
