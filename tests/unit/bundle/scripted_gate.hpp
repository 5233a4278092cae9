#pragma once

#include "bundle/gate_requests.hpp"
#include "gate_api/gate_answers.hpp"

#include <sluice/protocol/keys.hpp>
#include <sluice/protocol/untrusted_json.hpp>

#include <boost/asio/io_context.hpp>
#include <nlohmann/json.hpp>

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace sluice::testing {

// A gate that answers only when the test says so: every request the host sends is kept, with the callback
// that delivers its reply, and nothing is sent over a network.
class scripted_gate {
public:
    struct request {
        std::string gate_url;
        gate_api::gate_request sent;
        std::function<void(gate_api::gate_reply)> done;
        bool answered = false;

        std::string header(std::string const& name) const {
            for (auto const& [key, value] : sent.headers) {
                if (key == name) {
                    return value;
                }
            }
            return {};
        }
    };

    bundle::gate_call call() {
        return [this](boost::asio::io_context&, std::string const& gate_url, gate_api::gate_request sent,
                      std::function<void(gate_api::gate_reply)> done) {
            requests.push_back({gate_url, std::move(sent), std::move(done)});
        };
    }

    // Delivers `reply` to request `index` (once), as call_gate would on the io_context thread.
    void reply(std::size_t index, gate_api::gate_reply reply) {
        auto& r = requests.at(index);
        r.answered = true;
        auto done = std::move(r.done);
        done(std::move(reply));
    }

    // Delivers `reply` to the last request sent.
    void reply_last(gate_api::gate_reply reply) { this->reply(requests.size() - 1, std::move(reply)); }

    std::vector<request> requests;
};

// 2xx with a JSON object.
inline gate_api::gate_reply answered(nlohmann::json body) {
    gate_api::gate_reply r;
    r.what = gate_api::gate_reply::outcome::answered;
    r.status = 200;
    r.body = std::move(body);
    return r;
}

// 4xx: the gate said no.
inline gate_api::gate_reply refused(int status, std::string code, std::string message) {
    gate_api::gate_reply r;
    r.what = gate_api::gate_reply::outcome::refused;
    r.status = status;
    r.gate_code = std::move(code);
    r.message = std::move(message);
    return r;
}

// No connection, no answer in time, or 5xx.
inline gate_api::gate_reply unavailable(std::string message = "connection refused") {
    gate_api::gate_reply r;
    r.what = gate_api::gate_reply::outcome::unavailable;
    r.message = std::move(message);
    return r;
}

// 5xx from a gate whose payment provider failed: worth retrying.
inline gate_api::gate_reply provider_failed() {
    gate_api::gate_reply r;
    r.what = gate_api::gate_reply::outcome::unavailable;
    r.status = 502;
    r.gate_code = "payment_provider_failed";
    r.message = "the gate could not reach its payment provider";
    return r;
}

// A receipt as a gate signs one (protocol/gate-api.md, "Receipts"), written here from the spec.
inline std::string signed_receipt(protocol::signing_keypair const& gate, std::string const& kind,
                                  std::string const& pledge_id, std::string const& campaign_id,
                                  std::string const& bundle_id, std::uint64_t amount,
                                  std::string const& device) {
    nlohmann::json const body = {{"kind", kind},
                                 {"pledgeId", pledge_id},
                                 {"campaignId", campaign_id},
                                 {"bundleId", bundle_id},
                                 {"amount", amount},
                                 {"currency", "EUR"},
                                 {"device", device},
                                 {"at", "2025-03-01T12:00:00Z"}};
    auto const bytes = protocol::dump_compact(body);
    auto const signature = protocol::sign(bytes, gate);
    return protocol::dump_compact(
        {{"format", "sluice-receipt/1"},
         {"gateKey", protocol::encode_public_key("ed25519", gate.public_key)},
         {"payload", protocol::to_base64(bytes)},
         {"signature", protocol::to_base64(std::string_view(reinterpret_cast<char const*>(signature.data()),
                                                            signature.size()))}});
}

} // namespace sluice::testing
