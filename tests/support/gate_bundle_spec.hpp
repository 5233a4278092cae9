#pragma once

#include <nlohmann/json.hpp>

#include <string>

namespace sluice::testing {

// How the pledge gate of gated_bundle_spec() offers its campaign.
enum class pledge_offer {
    // One price, 15.00 EUR, for everything the pledge gate locks.
    single_price,
    // Two tiers: "season" (15.00 EUR) unlocks episode-1.webm; "collector" (40.00 EUR) unlocks it and
    // making-of.webm, a third item locked by the pledge gate, whose source file the test writes.
    two_tiers,
};

// The spec (sluice-bundle-spec/1, for `sluice-bundle create`) of the bundle the gate tests make: a free
// pilot.webm and an episode-1.webm locked by `gate` ("email", "pay" or "pledge"), served by
// https://gate.example.org/ and trusting `gate_key` ("ed25519:…"), with the section of that gate as a
// publisher would write it:
//   email:  no double opt-in;
//   pay:    at least 3.00 EUR, 5.00 suggested;
//   pledge: the campaign "<id>-campaign", 2 backers, closing 2030-01-01, delivered 2030-06-01, offered as
//           `offer` says.
// A test changes in the JSON what it is about (the version, a title, the campaign, the gate URL, a tier's
// limit).
nlohmann::json gated_bundle_spec(std::string const& id, std::string const& gate, std::string const& gate_key,
                                 pledge_offer offer = pledge_offer::single_price);

} // namespace sluice::testing
