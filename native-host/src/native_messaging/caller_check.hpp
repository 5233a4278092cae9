#pragma once

#include <span>
#include <string>
#include <string_view>

namespace sluice::native_messaging {

enum class caller_kind {
    invalid,
    chromium, // argv[1] = "chrome-extension://<id>/"
    firefox,  // argv[1] = path of the host manifest, argv[2] = add-on id
    direct,   // no arguments: started by hand or by a test, not by a browser
};

struct caller_verdict {
    caller_kind kind = caller_kind::invalid;
    bool allowed = false;
    std::string identity; // the origin or add-on id as passed, for the log
    std::string reason;   // why it was refused
};

// Decides from the command line whether the process was launched for our extension. A browser always
// passes the caller; a page cannot start the host at all. Any other origin or add-on id is refused, so
// a second extension the user installs cannot drive the session by naming our host.
caller_verdict check_caller(std::span<std::string const> args);

} // namespace sluice::native_messaging
