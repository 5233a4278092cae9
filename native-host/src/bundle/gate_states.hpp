#pragma once

#include "gate_api/gate_records.hpp"

#include <string_view>

namespace sluice::bundle {

// The states of what the host keeps of its conversations with gates, and of what gates say about campaigns
// and payments. The keystore, the events and the gate's answers spell them as strings (protocol/gate-api.md);
// they are read into these enums where they come in and written back as the same strings where they go out.
// A string no version of the host wrote reads as `invalid`, which no code path acts on as a known state.

// A kept pledge: sending (not acknowledged yet) and refused (the gate said no for good) are the host's own;
// the others are the gate's states of a pledge (protocol/gate-api.md, "Pledge campaigns"), the last one
// heard: pending (no payment method saved yet), confirmed (saved: it counts), charging, charged (its token
// taken), charge_failed (declined; retried until the grace period ends, and the backer may save another
// method), failed (never charged, the grace period over), cancelled, released (nothing charged, the release
// kept).
enum class pledge_state {
    invalid,
    sending,
    pending,
    confirmed,
    charging,
    charged,
    charge_failed,
    failed,
    cancelled,
    released,
    refused
};

// A pledge the gate may still move on: the host follows it and takes the gate's word for its state.
bool is_open(pledge_state s);
// A pledge that stands for its campaign: no second one is made beside it.
bool holds_campaign(pledge_state s);

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
