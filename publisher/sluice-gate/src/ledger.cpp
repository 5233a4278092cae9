#include "sluice-gate/ledger.hpp"

#include <sluice/protocol/bundle_manifest.hpp>

#include <functional>
#include <map>

namespace sluice::gate {

namespace {

using nlohmann::json;

struct tally {
    std::uint64_t count = 0;
    std::uint64_t amount = 0;

    void add(std::uint64_t minor) {
        ++count;
        amount += minor;
    }
    json to_json() const { return json{{"count", count}, {"amount", amount}}; }
};

std::string csv_field(std::string const& text) {
    if (text.find_first_of(",\"\r\n") == std::string::npos) {
        return text;
    }
    std::string out = "\"";
    for (char const c : text) {
        out += c == '"' ? std::string("\"\"") : std::string(1, c);
    }
    return out + "\"";
}

std::string time_or_empty(std::optional<std::int64_t> t) {
    return t ? protocol::format_utc_timestamp(*t) : std::string();
}

} // namespace

namespace {

// The money of some of a campaign's pledges (all of them, or one tier's).
json money_of(std::vector<ledger_row> const& rows, std::function<bool(ledger_row const&)> const& include) {
    std::map<std::string, tally> by_state;
    tally pledged, confirmed, refunded, charged;
    std::uint64_t failed_charges = 0;
    for (auto const& r : rows) {
        if (!include(r)) {
            continue;
        }
        pledged.add(r.pledge.amount);
        by_state[r.pledge.state].add(r.pledge.amount);
        if (r.pledge.confirmed_at) {
            confirmed.add(r.pledge.amount);
        }
        if (r.charged > 0) {
            charged.add(r.charged);
        }
        if (r.refunded > 0) {
            refunded.add(r.refunded);
        }
        failed_charges += static_cast<std::uint64_t>(r.charges_failed);
    }
    auto const state = [&](char const* name) { return by_state[name].to_json(); };
    return json{{"pledged", pledged.to_json()},      {"pending", state("pending")},
                {"confirmed", confirmed.to_json()},  {"charging", state("charging")},
                {"charged", charged.to_json()},      {"inGrace", state("charge_failed")},
                {"failed", state("failed")},         {"cancelled", state("cancelled")},
                {"released", state("released")},     {"refunded", refunded.to_json()},
                {"declinedCharges", failed_charges}, {"net", charged.amount - refunded.amount}};
}

struct ledger_of {
    campaign_record campaign;
    std::vector<ledger_row> rows;
};

std::optional<ledger_of> campaign_money(gate_store& store, std::string_view campaign_id,
                                        std::error_code& ec) {
    auto campaign = store.find_campaign(campaign_id, ec);
    if (ec || !campaign) {
        return std::nullopt;
    }
    auto rows = store.ledger(campaign_id, ec);
    if (ec) {
        return std::nullopt;
    }
    return ledger_of{std::move(*campaign), std::move(rows)};
}

} // namespace

std::optional<json> campaign_ledger(gate_store& store, std::string_view campaign_id, std::error_code& ec) {
    auto const money = campaign_money(store, campaign_id, ec);
    if (!money) {
        return std::nullopt;
    }
    auto const& [campaign, rows] = *money;
    json out{{"campaignId", campaign.id}, {"state", campaign.state}, {"currency", campaign.currency}};
    out.update(money_of(rows, [](ledger_row const&) { return true; }));
    json tiers = json::array();
    for (auto const& tier : campaign.tiers) {
        json t{{"id", tier.id}, {"title", tier.title}, {"price", tier.price}};
        t.update(money_of(rows, [&](ledger_row const& r) { return r.pledge.tier_id == tier.id; }));
        tiers.push_back(std::move(t));
    }
    out["tiers"] = std::move(tiers);
    return out;
}

std::optional<std::string> campaign_ledger_csv(gate_store& store, std::string_view campaign_id,
                                               std::error_code& ec) {
    auto const money = campaign_money(store, campaign_id, ec);
    if (!money) {
        return std::nullopt;
    }
    auto const& [campaign, rows] = *money;
    std::string out =
        "pledge_id,created_at,tier,state,amount,currency,confirmed_at,customer,payment_method,attempts,"
        "declined_charges,last_decline,charged_at,provider_payment_id,charged,refunded\r\n";
    for (auto const& r : rows) {
        auto const& p = r.pledge;
        for (auto const& field :
             {p.pledge_id, protocol::format_utc_timestamp(p.created_at), p.tier_id, p.state,
              std::to_string(p.amount), campaign.currency, time_or_empty(p.confirmed_at), p.customer,
              p.payment_method, std::to_string(p.attempts), std::to_string(r.charges_failed), p.last_decline,
              time_or_empty(p.charged_at), r.provider_payment_id, std::to_string(r.charged),
              std::to_string(r.refunded)}) {
            out += csv_field(field);
            out += ',';
        }
        out.back() = '\r';
        out += '\n';
    }
    return out;
}

} // namespace sluice::gate
