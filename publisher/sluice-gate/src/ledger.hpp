#pragma once

#include "sluice-gate/gate_store.hpp"

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <system_error>

namespace sluice::gate {

// A campaign's money as the creator checks it (`sluice-gate campaign --ledger`, GET
// /v1/admin/campaigns/{id}/ledger): pledges counted and summed by where they stand (pledged, pending,
// confirmed, charged, failed, in grace, cancelled, released, refunded) and what the creator nets. Amounts in
// minor units of the campaign's currency; the same again for each tier. nullopt when there is no such
// campaign or the store failed (`ec`).
std::optional<nlohmann::json> campaign_ledger(gate_store& store, std::string_view campaign_id,
                                              std::error_code& ec);

// The same pledges, one CSV row each (RFC 4180, a header row first), with the provider's ids, for a
// spreadsheet or an accountant.
std::optional<std::string> campaign_ledger_csv(gate_store& store, std::string_view campaign_id,
                                               std::error_code& ec);

} // namespace sluice::gate
