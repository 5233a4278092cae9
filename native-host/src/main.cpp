// sluice-host: the native-messaging host of the Sluice extension.
//
// Launched by a browser, it is a relay: it checks who called it, then carries native-messaging frames
// between the browser's pipes and the user's one session owner (started on demand as `sluice-host --serve`).

#include "app/config.hpp"
#include "app/owner.hpp"
#include "app/owner_launcher.hpp"
#include "app/paths.hpp"
#include "base/log.hpp"
#include "base/paths.hpp"
#include "install/install_cli.hpp"
#include "native_messaging/caller_check.hpp"
#include "native_messaging/relay.hpp"

#include <sluice/protocol/version.hpp>

#include <cstring>
#include <string>
#include <unistd.h>
#include <vector>

namespace {

using namespace sluice;

constexpr char const* usage =
    "usage: sluice-host [CALLER...]   (started by the browser)\n"
    "       sluice-host --serve       (the session owner; started by sluice-host)\n"
    "       sluice-host install|uninstall|doctor ...  (registers the host with browsers)\n"
    "       sluice-host --version\n";

int run_browser_side(std::vector<std::string> const& args) {
    auto const paths = app::resolve_host_paths();
    auto loaded = app::load_host_config(paths.config_file());
    base::log::configure(
        {.file = paths.log_dir() / "relay.log",
         .to_stderr = true,
         .max_file_bytes = loaded.config.log_max_file_bytes,
         .keep_files = loaded.config.log_keep_files,
         .threshold = base::log::parse_level(loaded.config.log_level, base::log::level::info),
         .role = "relay"});
    for (auto const& w : loaded.warnings) {
        base::log::warning("config: " + w);
    }

    auto const verdict = native_messaging::check_caller(args);
    if (!verdict.allowed) {
        base::log::error("refusing caller: " + verdict.reason);
        return 2;
    }
    if (verdict.kind != native_messaging::caller_kind::direct) {
        base::log::info("started for " + verdict.identity);
    }

    native_messaging::relay_options options;
    options.socket_file = paths.socket_file();
    options.max_inbound_frame_bytes = loaded.config.max_inbound_frame_bytes;
    options.start_owner = [] { return app::launch_owner(base::own_executable()); };
    return native_messaging::run_relay(options);
}

// --version and --help answer on stderr: stdout belongs to the browser even here.
void print(char const* text) {
    [[maybe_unused]] auto n = ::write(STDERR_FILENO, text, std::strlen(text));
}

} // namespace

int main(int argc, char** argv) {
    std::vector<std::string> args(argv + 1, argv + argc);
    if (!args.empty() && args[0] == "--serve") {
        return app::run_owner(app::resolve_host_paths());
    }
    if (!args.empty() && args[0] == "--version") {
        print("sluice-host " SLUICE_VERSION "\n");
        return 0;
    }
    if (install::is_install_command(args)) {
        return install::run_install_command(args);
    }
    if (!args.empty() && (args[0] == "--help" || args[0] == "-h")) {
        print(usage);
        return 0;
    }
    return run_browser_side(args);
}
