#include "app/owner_launcher.hpp"

#include "base/log.hpp"

#include <boost/process/child.hpp>
#include <boost/process/io.hpp>

namespace sluice::app {

namespace bp = boost::process;

native_messaging::owner_start launch_owner(std::filesystem::path const& host_exe) {
    try {
        // The owner must never see the browser's pipes: its stdio is /dev/null and it logs to its file.
        bp::child launcher(host_exe.string(), "--serve", bp::std_in<bp::null, bp::std_out> bp::null,
                           bp::std_err > bp::null);
        launcher.wait();
        switch (launcher.exit_code()) {
        case owner_exit_listening:
            return native_messaging::owner_start::listening;
        case owner_exit_already_running:
            return native_messaging::owner_start::already_running;
        default:
            base::log::error("the session owner failed to start (exit code " +
                             std::to_string(launcher.exit_code()) + "); see the host log");
            return native_messaging::owner_start::failed;
        }
    } catch (std::exception const& e) {
        base::log::error(std::string("could not run ") + host_exe.string() + ": " + e.what());
        return native_messaging::owner_start::failed;
    }
}

} // namespace sluice::app
