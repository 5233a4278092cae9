#include "gate_bundle_spec.hpp"

#include <stdexcept>

namespace sluice::testing {

using nlohmann::json;

json gated_bundle_spec(std::string const& id, std::string const& gate, std::string const& gate_key,
                       pledge_offer offer) {
    bool const tiered = offer == pledge_offer::two_tiers;
    if (tiered && gate != "pledge") {
        throw std::invalid_argument("only a pledge gate has tiers, not " + gate);
    }
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
        if (tiered) {
            // A campaign has one price or tiers. A tier names the items it unlocks by their source files
            // (as creators write them) or their paths in the bundle (as the manifest has them): one of each.
            section.erase("price");
            section["tiers"] = json::array({{{"id", "season"},
                                             {"title", "The season"},
                                             {"price", 1500},
                                             {"items", {"episode-1.webm.locked"}}},
                                            {{"id", "collector"},
                                             {"title", "The season and its making-of"},
                                             {"description", "Both films."},
                                             {"price", 4000},
                                             {"items", {"episode-1.webm", "making-of.webm.locked"}}}});
        }
    } else {
        // A typo here would make a bundle sluice-bundle refuses, far from the cause.
        throw std::invalid_argument("no such gate: " + gate);
    }
    auto items = json::array({{{"source", "pilot.webm"}, {"access", "free"}},
                              {{"source", "episode-1.webm"}, {"access", "locked"}, {"gate", gate}}});
    if (tiered) {
        items.push_back({{"source", "making-of.webm"}, {"access", "locked"}, {"gate", gate}});
    }
    return json{{"format", "sluice-bundle-spec/1"},
                {"id", id},
                {"version", 1},
                {"title", "Les Veilleurs"},
                {"creator", "Atelier Nuit"},
                {"description", "Six episodes."},
                {"gateUrl", "https://gate.example.org/"},
                {"gateKeys", {gate_key}},
                {"items", std::move(items)},
                {"gates", {{gate, section}}}};
}

} // namespace sluice::testing
