#pragma once

#include <boost/asio/io_context.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <system_error>

namespace boost::asio {
class thread_pool;
}

namespace sluice::gate {

struct mail_message {
    std::string to;
    std::string subject;
    std::string body;
};

// Hands messages to a local command that sends mail (`sendmail -t` reads exactly this form), run through
// /bin/sh with the message on its stdin: "To:", "Subject:", a blank line, the body. Exit status 0 means the
// command took the message. An empty command means the gate has no way to send mail.
//
// A mail command may take seconds (a slow relay, a DNS timeout), and each of the gate's request threads
// serves many connections: async_send runs the command on one of the mailer's own worker threads instead,
// so the thread keeps answering other requests meanwhile. Copies share the workers; the last copy to go waits
// for the command in progress (at most the timeout) and drops the ones still queued.
class mailer {
public:
    // At most this many commands at once; more wait for a free worker.
    static constexpr int workers = 4;

    explicit mailer(std::string command, std::chrono::seconds timeout = std::chrono::seconds(30));

    bool configured() const { return !command_.empty(); }

    // Blocks the calling thread until the command exits (or is killed after the timeout). The message's
    // header values must not hold line breaks: the caller builds them from normalised addresses and fixed
    // text.
    void send(mail_message const& message, std::error_code& ec) const;

    // Runs send() on a worker thread, then calls `done` with its outcome on `owner`'s thread. `owner` has
    // work outstanding until then (its run() does not return before the answer).
    void async_send(mail_message message, boost::asio::io_context::executor_type const& owner,
                    std::function<void(std::error_code)> done) const;

    static std::string render(mail_message const& message);

private:
    std::string command_;
    std::chrono::seconds timeout_;
    std::shared_ptr<boost::asio::thread_pool> workers_; // null when not configured
};

} // namespace sluice::gate
