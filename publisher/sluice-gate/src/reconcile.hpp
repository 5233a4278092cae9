#pragma once

#include "sluice-gate/gate_store.hpp"
#include "sluice-gate/payment_provider.hpp"

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace sluice::gate {

// What the gate's records and the provider's agree on, and every place they differ.
struct reconciliation {
    std::uint64_t provider_charges = 0; // succeeded off-session charges the provider has of this gate
    std::uint64_t provider_amount = 0;
    std::uint64_t gate_charges = 0; // succeeded charges the gate recorded
    std::uint64_t gate_amount = 0;
    std::uint64_t provider_refunds = 0;
    std::uint64_t gate_refunds = 0;
    std::uint64_t payments =
        0; // pay-what-you-want payments the provider has, each checked against the gate's
    std::vector<std::string> differences; // each for a person, naming the ids on both sides
    std::string error;                    // the provider could not be read: nothing was compared
};

// Reads every payment and refund the provider holds (page by page) and compares them with the gate's:
// each succeeded charge of a pledge must be the gate's succeeded charge with the same provider id, amount
// and currency, and no pledge may have two; each refund the same; each paid checkout a paid payment of the
// same amount. `done` is called once, on the provider's io_context.
void reconcile(gate_store& store, payment_provider const& provider, std::function<void(reconciliation)> done);

} // namespace sluice::gate
