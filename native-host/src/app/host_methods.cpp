#include "app/host_methods.hpp"

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
            if (auto const origin = value.find("origin"); origin != value.end()) {
                if (!origin->is_string() || origin->get_ref<std::string const&>().size() > 128 ||
                    (!origin->get_ref<std::string const&>().starts_with("moz-extension://") &&
                     !origin->get_ref<std::string const&>().starts_with("chrome-extension://"))) {
                    problem = "client.origin must be the extension's own origin";
                    return false;
                }
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
                      std::function<std::size_t()> attached_clients,
                      std::function<void(std::string const&)> announce_origin) {
    dispatcher.add("host.hello", [&dispatcher, identity = std::move(identity),
                                  attached_clients = std::move(attached_clients),
                                  announce_origin = std::move(announce_origin)](auto const& call) {
        std::string problem;
        if (!check_hello_params(call.params(), problem)) {
            call.fail(error_code::invalid_params, problem);
            return;
        }
        auto const client = call.params().find("client");
        if (announce_origin && client != call.params().end() && client->contains("origin")) {
            auto const origin = client->at("origin").template get<std::string>();
            if (origin.starts_with("moz-extension://")) {
                announce_origin(origin);
            }
        }
        call.reply({
            {"name", "sluice-host"},
            {"version", identity.version},
            {"protocolVersion", identity.protocol_version},
            {"libtorrentVersion", identity.libtorrent_version},
            {"capabilities", dispatcher.methods()},
            {"streamBaseUrl", identity.stream_base_url},
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
