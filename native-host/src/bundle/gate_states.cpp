#include "bundle/gate_states.hpp"

#include <array>
#include <utility>

namespace sluice::bundle {

namespace {

// One table per enum: the names are the wire's and the keystore's, so they are written once, here.
template <typename State, std::size_t N>
using names = std::array<std::pair<State, std::string_view>, N>;

constexpr names<pledge_state, 10> pledge_names{{{pledge_state::sending, "sending"},
                                                {pledge_state::pending, "pending"},
                                                {pledge_state::confirmed, "confirmed"},
                                                {pledge_state::charging, "charging"},
                                                {pledge_state::charged, "charged"},
                                                {pledge_state::charge_failed, "charge_failed"},
                                                {pledge_state::failed, "failed"},
                                                {pledge_state::cancelled, "cancelled"},
                                                {pledge_state::released, "released"},
                                                {pledge_state::refused, "refused"}}};

constexpr names<payment_state, 5> payment_names{{{payment_state::sending, "sending"},
                                                 {payment_state::pending, "pending"},
                                                 {payment_state::paid, "paid"},
                                                 {payment_state::failed, "failed"},
                                                 {payment_state::refused, "refused"}}};

constexpr names<campaign_state, 3> campaign_names{
    {{campaign_state::open, "open"}, {campaign_state::funded, "funded"}, {campaign_state::failed, "failed"}}};

template <typename State, std::size_t N>
std::string_view name_of(names<State, N> const& table, State s) {
    for (auto const& [state, name] : table) {
        if (state == s) {
            return name;
        }
    }
    return "invalid";
}

template <typename State, std::size_t N>
State state_named(names<State, N> const& table, std::string_view text) {
    for (auto const& [state, name] : table) {
        if (name == text) {
            return state;
        }
    }
    return State::invalid;
}

} // namespace

bool is_open(pledge_state s) {
    return s == pledge_state::pending || s == pledge_state::confirmed || s == pledge_state::charging ||
           s == pledge_state::charge_failed;
}

bool holds_campaign(pledge_state s) {
    return is_open(s) || s == pledge_state::charged;
}

std::string_view to_string(pledge_state s) {
    return name_of(pledge_names, s);
}

std::string_view to_string(payment_state s) {
    return name_of(payment_names, s);
}

std::string_view to_string(campaign_state s) {
    return name_of(campaign_names, s);
}

pledge_state parse_pledge_state(std::string_view text) {
    return state_named(pledge_names, text);
}

payment_state parse_payment_state(std::string_view text) {
    return state_named(payment_names, text);
}

campaign_state parse_campaign_state(std::string_view text) {
    return state_named(campaign_names, text);
}

pledge_state state_of(gate_api::pledge_record const& record) {
    return parse_pledge_state(record.state);
}

payment_state state_of(gate_api::payment_record const& record) {
    return parse_payment_state(record.state);
}

void set_state(gate_api::pledge_record& record, pledge_state s) {
    record.state = std::string(to_string(s));
}

void set_state(gate_api::payment_record& record, payment_state s) {
    record.state = std::string(to_string(s));
}

} // namespace sluice::bundle
