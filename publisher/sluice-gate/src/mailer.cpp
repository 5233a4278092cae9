#include "mailer.hpp"

#include <boost/process/args.hpp>
#include <boost/process/child.hpp>
#include <boost/process/io.hpp>
#include <boost/process/pipe.hpp>

#include <csignal>
#include <ctime>
#include <pthread.h>
#include <thread>

namespace sluice::gate {

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

} // namespace

std::string mailer::render(mail_message const& message) {
    return "To: " + message.to + "\nSubject: " + message.subject +
           "\nContent-Type: text/plain; charset=utf-8\n\n" + message.body;
}

void mailer::send(mail_message const& message, std::error_code& ec) const {
    ec.clear();
    if (!configured()) {
        ec = std::make_error_code(std::errc::not_supported);
        return;
    }
    std::error_code spawn_ec;
    bp::opstream in;
    // The command's own output is of no use to the gate and must not mix with its stdout (tests read it).
    bp::child child("/bin/sh", bp::args({"-c", command_}), (bp::std_in < in), (bp::std_out > bp::null),
                    (bp::std_err > bp::null), spawn_ec);
    if (spawn_ec) {
        ec = spawn_ec;
        return;
    }
    {
        sigpipe_blocked const guard;
        in << render(message);
        in.flush();
    }
    in.pipe().close();
    if (!exits_within(child, timeout_)) {
        child.terminate(spawn_ec);
        ec = std::make_error_code(std::errc::timed_out);
        return;
    }
    if (child.exit_code() != 0) {
        ec = std::make_error_code(std::errc::io_error);
    }
}

} // namespace sluice::gate
