#include "host_methods.hpp"

#include <sluice/protocol/version.hpp>

namespace sluice::app {

using protocol::error_code;

namespace {

// host.hello takes optional information about the caller; anything else is a mistake worth reporting.
bool check_hello_params(nlohmann::json const& params, std::string& problem) {
    for (auto const& [key, value] : params.items()) {
        if (key == "protocolVersion") {
            if (!value.is_number_integer()) {
                problem = "protocolVersion must be an integer";
                return false;
            }
        } else if (key == "client") {
            if (!value.is_object()) {
                problem = "client must be an object";
                return false;
            }
        } else {
            problem = "unknown parameter \"" + key.substr(0, 64) + "\"";
            return false;
        }
    }
    return true;
}

} // namespace

void add_host_methods(native_messaging::rpc_dispatcher& dispatcher, host_identity identity,
                      std::function<std::size_t()> attached_clients) {
    dispatcher.add("host.hello", [&dispatcher, identity = std::move(identity),
                                  attached_clients = std::move(attached_clients)](auto const& call) {
        std::string problem;
        if (!check_hello_params(call.params(), problem)) {
            call.fail(error_code::invalid_params, problem);
            return;
        }
        call.reply({
            {"name", "sluice-host"},
            {"version", identity.version},
            {"protocolVersion", identity.protocol_version},
            {"libtorrentVersion", identity.libtorrent_version},
            {"capabilities", dispatcher.methods()},
            {"limits",
             {{"maxInboundFrameBytes", identity.max_inbound_frame_bytes},
              {"maxOutboundFrameBytes", protocol::max_outbound_frame_bytes}}},
            {"instance",
             {{"pid", identity.pid},
              {"sessionId", identity.session_id},
              {"startedAt", identity.started_at},
              {"clients", attached_clients ? attached_clients() : 0}}},
        });
    });
}

} // namespace sluice::app
