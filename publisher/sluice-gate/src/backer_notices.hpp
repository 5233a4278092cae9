#pragma once

#include "sluice-gate/gate_context.hpp"

#include <boost/asio/io_context.hpp>

#include <vector>

namespace sluice::gate {

// Tells each backer whose charge failed, by mail to the address they gave the provider's page: why, until
// when another card can be saved, and the page that saves it (GET
// /pledges/{campaign}/{pledge}/payment-method, the pledge id being their capability). A pledge with no
// address, or a gate with no mail command, is told through its host only (the pledge's status). Mails go on
// the mailer's workers; a failure is logged.
void tell_backers_of_failed_charges(gate_context& ctx, boost::asio::io_context::executor_type const& owner,
                                    std::vector<charge_settlement> const& failed);

} // namespace sluice::gate
