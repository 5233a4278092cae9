#include "gate_bundle_spec.hpp"

#include <stdexcept>

namespace sluice::testing {

using nlohmann::json;

json gated_bundle_spec(std::string const& id, std::string const& gate, std::string const& gate_key) {
    json section;
    if (gate == "email") {
        section = {{"doubleOptIn", false}};
    } else if (gate == "pay") {
        section = {{"minimum", 300}, {"suggested", 500}, {"currency", "EUR"}};
    } else if (gate == "pledge") {
        section = {{"campaignId", id + "-campaign"},
                   {"goalBackers", 2},
                   {"deadline", "2030-01-01T00:00:00Z"},
                   {"price", 1500},
                   {"currency", "EUR"},
                   {"expectedDelivery", "2030-06-01"},
                   {"ifGoalMissed", "Nothing is charged."}};
    } else {
        // A typo here would make a bundle sluice-bundle refuses, far from the cause.
        throw std::invalid_argument("no such gate: " + gate);
    }
    return json{{"format", "sluice-bundle-spec/1"},
                {"id", id},
                {"version", 1},
                {"title", "Les Veilleurs"},
                {"creator", "Atelier Nuit"},
                {"description", "Six episodes."},
                {"gateUrl", "https://gate.example.org/"},
                {"gateKeys", {gate_key}},
                {"items",
                 {{{"source", "pilot.webm"}, {"access", "free"}},
                  {{"source", "episode-1.webm"}, {"access", "locked"}, {"gate", gate}}}},
                {"gates", {{gate, section}}}};
}

} // namespace sluice::testing
