#pragma once

#include <chrono>
#include <string>
#include <system_error>

namespace sluice::gate {

struct mail_message {
    std::string to;
    std::string subject;
    std::string body;
};

// Hands messages to a local command that sends mail (`sendmail -t` reads exactly this form), run through
// /bin/sh with the message on its stdin: "To:", "Subject:", a blank line, the body. Exit status 0 means the
// command took the message. An empty command means the gate has no way to send mail.
class mailer {
public:
    explicit mailer(std::string command, std::chrono::seconds timeout = std::chrono::seconds(30))
        : command_(std::move(command)), timeout_(timeout) {}

    bool configured() const { return !command_.empty(); }

    // Blocks until the command exits (or is killed after the timeout). The message's header values must
    // not hold line breaks: the caller builds them from normalised addresses and fixed text.
    void send(mail_message const& message, std::error_code& ec) const;

    static std::string render(mail_message const& message);

private:
    std::string command_;
    std::chrono::seconds timeout_;
};

} // namespace sluice::gate
