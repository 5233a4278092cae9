#pragma once

#include "gate_api/gate_records.hpp"

#include <string_view>

namespace sluice::bundle {

// The states of what the host keeps of its conversations with gates, and of what gates say about campaigns
// and payments. The keystore, the events and the gate's answers spell them as strings (protocol/gate-api.md);
// they are read into these enums where they come in and written back as the same strings where they go out.
// A string no version of the host wrote reads as `invalid`, which no code path acts on as a known state.

// A kept pledge: sending (not acknowledged yet), active, cancelled, funded (its token taken), failed (its
// campaign failed and the release was kept), refused (the gate said no for good). The gate's own answer about
// a pledge uses two of them: active and cancelled.
enum class pledge_state { invalid, sending, active, cancelled, funded, failed, refused };

// A kept payment: sending (not acknowledged yet), pending (the checkout is open), paid (its token taken),
// failed, refused (the gate said no for good). The gate's answer about a payment uses pending, paid and
// failed.
enum class payment_state { invalid, sending, pending, paid, failed, refused };

// A campaign as the gate reports it beside a pledge.
enum class campaign_state { invalid, open, funded, failed };

std::string_view to_string(pledge_state s);
std::string_view to_string(payment_state s);
std::string_view to_string(campaign_state s);

pledge_state parse_pledge_state(std::string_view text);
payment_state parse_payment_state(std::string_view text);
campaign_state parse_campaign_state(std::string_view text);

// The state of a kept record, and a new one for it. The record holds the text the keystore file holds, so a
// record whose state is unknown keeps its text untouched until a known state replaces it.
pledge_state state_of(gate_api::pledge_record const& record);
payment_state state_of(gate_api::payment_record const& record);
void set_state(gate_api::pledge_record& record, pledge_state s);
void set_state(gate_api::payment_record& record, payment_state s);

} // namespace sluice::bundle
