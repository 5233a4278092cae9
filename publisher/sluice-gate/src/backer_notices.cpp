#include "sluice-gate/backer_notices.hpp"

#include "sluice-gate/checkout_pages.hpp"

#include <sluice/protocol/bundle_manifest.hpp>

#include <iostream>

namespace sluice::gate {

namespace {

std::string reason_of(std::string const& decline) {
    if (decline == "authentication_required") {
        return "your bank asks you to confirm the payment yourself";
    }
    if (decline == "insufficient_funds") {
        return "your bank answered that the funds are insufficient";
    }
    return "your bank declined it (" + (decline.empty() ? std::string("no reason given") : decline) + ")";
}

} // namespace

void tell_backers_of_failed_charges(gate_context& ctx, boost::asio::io_context::executor_type const& owner,
                                    std::vector<charge_settlement> const& failed) {
    if (!ctx.mailer.configured()) {
        return;
    }
    for (auto const& s : failed) {
        std::error_code ec;
        auto const pledge = ctx.store.find_pledge(s.pledge_id, ec);
        if (ec || !pledge || pledge->email.empty()) {
            continue;
        }
        mail_message m;
        m.to = pledge->email;
        m.subject = "Your pledge to " + pledge->campaign_id + " could not be charged";
        if (pledge->state == "failed") {
            m.body = "The campaign " + pledge->campaign_id +
                     " was funded, but your pledge could not be charged: " + reason_of(pledge->last_decline) +
                     ". The time to fix it is over, so nothing was charged and the pledge has ended.\n";
        } else {
            m.body = "The campaign " + pledge->campaign_id +
                     " was funded, but your pledge could not be charged: " + reason_of(pledge->last_decline) +
                     ".\n\nNothing was charged. Until " +
                     protocol::format_utc_timestamp(pledge->grace_until.value_or(0)) +
                     " you can save another card here:\n" +
                     public_link(ctx.public_url, "pledges/" + pledge->campaign_id + "/" + pledge->pledge_id +
                                                     "/payment-method") +
                     "\nIt is charged as soon as it is saved. Otherwise the "
                     "card you gave is tried again on " +
                     protocol::format_utc_timestamp(pledge->next_charge_at.value_or(0)) + ".\n";
        }
        ctx.mailer.async_send(std::move(m), owner, [id = s.pledge_id](std::error_code e) {
            if (e) {
                std::cerr << "sluice-gate: the notice of pledge " << id
                          << "'s failed charge was not sent: " << e.message() << "\n";
            }
        });
    }
}

} // namespace sluice::gate
