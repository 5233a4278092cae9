#include "sluice-gate/reconcile.hpp"

#include <map>
#include <memory>
#include <set>

namespace sluice::gate {

namespace {

struct run {
    gate_store& store;
    payment_provider const& provider;
    std::function<void(reconciliation)> done;
    std::vector<provider_payment> payments;
    std::vector<provider_refund> refunds;
};

reconciliation failure(std::string error) {
    reconciliation out;
    out.error = std::move(error);
    return out;
}

std::string money(std::uint64_t amount, std::string const& currency) {
    return std::to_string(amount) + " " + currency;
}

void compare(run& r) {
    reconciliation out;
    std::error_code ec;
    auto const charges = r.store.succeeded_charges(ec);
    auto const refunds = ec ? std::vector<refund_record>() : r.store.succeeded_refunds(ec);
    if (ec) {
        out.error = "the gate's records could not be read: " + ec.message();
        return r.done(std::move(out));
    }
    std::map<std::string, charge_record const*> gate_by_id;
    for (auto const& c : charges) {
        gate_by_id[c.provider_id] = &c;
        ++out.gate_charges;
        out.gate_amount += c.amount;
    }
    std::set<std::string> seen;
    std::map<std::string, std::string> paid_pledges; // pledge id -> the provider's first payment id
    for (auto const& p : r.payments) {
        if (!p.succeeded) {
            continue;
        }
        if (auto const* payment_id = p.reference(reference::payment)) {
            ++out.payments;
            auto const payment = r.store.find_payment(*payment_id, ec);
            if (!payment || payment->state != "paid" || payment->amount != p.amount) {
                out.differences.push_back("the provider's payment " + p.id + " (" +
                                          money(p.amount, p.currency) + ") for payment " + *payment_id +
                                          " is not a paid payment of that amount at the gate");
            }
            continue;
        }
        auto const* pledge = p.reference(reference::pledge);
        if (!pledge) {
            continue; // not this gate's
        }
        ++out.provider_charges;
        out.provider_amount += p.amount;
        if (auto const [it, first] = paid_pledges.emplace(*pledge, p.id); !first) {
            out.differences.push_back("pledge " + *pledge +
                                      " was charged twice at the provider: " + it->second + " and " + p.id);
        }
        auto const found = gate_by_id.find(p.id);
        if (found == gate_by_id.end()) {
            out.differences.push_back("the provider charged " + money(p.amount, p.currency) + " (" + p.id +
                                      ") for pledge " + *pledge +
                                      ", which the gate has not recorded as charged");
            continue;
        }
        seen.insert(p.id);
        auto const& mine = *found->second;
        if (mine.amount != p.amount || mine.currency != p.currency || mine.pledge_id != *pledge) {
            out.differences.push_back("charge " + p.id + ": the provider has " + money(p.amount, p.currency) +
                                      " for pledge " + *pledge + ", the gate " +
                                      money(mine.amount, mine.currency) + " for pledge " + mine.pledge_id);
        }
    }
    for (auto const& c : charges) {
        if (!seen.contains(c.provider_id)) {
            out.differences.push_back("the gate recorded charge " + c.charge_key + " (" +
                                      money(c.amount, c.currency) + ", provider id '" + c.provider_id +
                                      "') that the provider does not have");
        }
    }
    std::map<std::string, provider_refund const*> provider_refunds;
    for (auto const& f : r.refunds) {
        if (f.succeeded) {
            provider_refunds[f.id] = &f;
        }
    }
    out.gate_refunds = refunds.size();
    for (auto const& f : refunds) {
        auto const it = provider_refunds.find(f.provider_id);
        if (it == provider_refunds.end()) {
            out.differences.push_back("the gate recorded refund " + f.refund_key + " (" +
                                      money(f.amount, f.currency) + ") that the provider does not have");
            continue;
        }
        ++out.provider_refunds;
        if (it->second->amount != f.amount || it->second->provider_payment_id != f.provider_payment_id) {
            out.differences.push_back("refund " + f.provider_id +
                                      ": the provider and the gate differ in amount or "
                                      "payment");
        }
        provider_refunds.erase(it);
    }
    for (auto const& [id, f] : provider_refunds) {
        if (gate_by_id.contains(f->provider_payment_id)) {
            ++out.provider_refunds;
            out.differences.push_back("the provider refunded " + std::to_string(f->amount) + " of " +
                                      f->provider_payment_id + " (" + id +
                                      "), which the gate has not recorded");
        }
    }
    r.done(std::move(out));
}

void read_refunds(std::shared_ptr<run> r, std::string cursor) {
    r->provider.list_refunds(cursor, [r](provider_answer<provider_page<provider_refund>> page) {
        if (!page.value) {
            return r->done(failure("the provider's refunds could not be read: " + page.error));
        }
        for (auto& f : page.value->items) {
            r->refunds.push_back(std::move(f));
        }
        if (!page.value->next_cursor.empty()) {
            return read_refunds(r, page.value->next_cursor);
        }
        compare(*r);
    });
}

void read_payments(std::shared_ptr<run> r, std::string cursor) {
    r->provider.list_payments(cursor, [r](provider_answer<provider_page<provider_payment>> page) {
        if (!page.value) {
            return r->done(failure("the provider's payments could not be read: " + page.error));
        }
        for (auto& p : page.value->items) {
            r->payments.push_back(std::move(p));
        }
        if (!page.value->next_cursor.empty()) {
            return read_payments(r, page.value->next_cursor);
        }
        read_refunds(r, {});
    });
}

} // namespace

void reconcile(gate_store& store, payment_provider const& provider,
               std::function<void(reconciliation)> done) {
    read_payments(std::make_shared<run>(run{store, provider, std::move(done), {}, {}}), {});
}

} // namespace sluice::gate
