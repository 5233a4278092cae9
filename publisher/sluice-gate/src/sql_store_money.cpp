// The money of pledges in the SQLite store (gate_store.hpp, "The money of pledges").
#include "sluice-gate/money_sql.hpp"
#include "sluice-gate/sql_statement.hpp"
#include "sluice-gate/sql_store.hpp"
#include "sluice-gate/store_rows.hpp"

namespace sluice::gate {

namespace {

// Whether the event id was applied before; records it when not. Inside the caller's transaction, which it
// makes the only one applying this event (the provider may deliver it to two gates at once).
bool seen_before(sql_connection& db, std::string_view event_id, std::string_view type, std::int64_t now,
                 std::error_code& ec) {
    db.lock(lock_key("event", event_id), lock_mode::exclusive, ec);
    if (ec || statement(db, sql::find_event).bind(event_id).next_row(ec) || ec) {
        return true;
    }
    statement(db, sql::insert_event).bind(event_id).bind(type).bind(now).execute(ec);
    return false;
}

// Records one charge's outcome and moves its pledge; whether the pledge moved. Inside the caller's
// transaction.
bool settle_one(sql_connection& db, charge_settlement const& s, std::int64_t now, charge_policy const& policy,
                std::error_code& ec) {
    auto const settled = statement(db, sql::settle_charge)
                             .bind(s.state)
                             .bind(s.provider_id)
                             .bind(s.decline_code)
                             .bind(now)
                             .bind(s.charge_key)
                             .execute(ec);
    if (ec || settled != 1) {
        return false; // settled before (by the answer, or by the webhook): the first outcome stands
    }
    auto const pledge = statement(db, sql::charge_pledge)
                            .bind(s.charge_key)
                            .query_row([](statement const& row) { return row.text(0); }, ec);
    if (ec) {
        return false;
    }
    if (s.state == "succeeded") {
        return statement(db, sql::pledge_charged).bind(now).bind(pledge).execute(ec) > 0;
    }
    auto const grace_until = now + policy.grace;
    return statement(db, sql::pledge_charge_failed)
               .bind(s.decline_code.empty() ? s.state : s.decline_code)
               .bind(grace_until)
               .bind(now + policy.retry_interval)
               .bind(pledge)
               .execute(ec) > 0;
}

} // namespace

void sql_store::set_pledge_checkout(std::string_view pledge_id, std::string_view checkout_url,
                                    std::string_view response, std::error_code& ec) {
    statement(*db_, sql::set_pledge_checkout).bind(checkout_url).bind(response).bind(pledge_id).execute(ec);
}

void sql_store::set_payment_response(std::string_view payment_id, std::string_view response,
                                     std::error_code& ec) {
    statement(*db_, sql::set_payment_response).bind(response).bind(payment_id).execute(ec);
}

bool sql_store::take_checkout_lease(checkout_of of, std::string_view id, std::int64_t now, std::int64_t until,
                                    std::error_code& ec) {
    return statement(*db_, of == checkout_of::pledge ? sql::take_pledge_lease : sql::take_payment_lease)
               .bind(until)
               .bind(id)
               .bind(now)
               .execute(ec) == 1;
}

void sql_store::end_checkout_lease(checkout_of of, std::string_view id, std::error_code& ec) {
    statement(*db_, of == checkout_of::pledge ? sql::end_pledge_lease : sql::end_payment_lease)
        .bind(id)
        .execute(ec);
}

event_outcome sql_store::save_pledge_method(std::string_view event_id, std::string_view pledge_id,
                                            std::string_view customer, std::string_view payment_method,
                                            std::int64_t now, std::error_code& ec) {
    transaction tx(*db_, ec);
    if (ec || seen_before(*db_, event_id, "method_saved", now, ec)) {
        return event_outcome::duplicate;
    }
    struct status {
        std::string pledge;
        std::string campaign;
        std::int64_t deadline = 0;
        std::string campaign_id;
        std::string tier_id;
        bool limited = false;
    };
    auto const read_status = [&] {
        return statement(*db_, sql::pledge_with_campaign)
            .bind(pledge_id)
            .query_one(
                [](statement const& row) {
                    return status{row.text(0), row.text(1), row.integer(2),
                                  row.text(3), row.text(4), row.integer(5) != 0};
                },
                ec);
    };
    auto found = read_status();
    if (ec) {
        return event_outcome::ignored;
    }
    if (found) {
        // The campaign stays open (its close waits) and a limited tier's last place goes to one confirmation;
        // what was read before the locks is read again after them.
        tx.lock(lock_key("campaign", found->campaign_id), lock_mode::shared, ec);
        if (found->limited) {
            tx.lock(lock_key("tier", found->campaign_id, found->tier_id), lock_mode::exclusive, ec);
        }
        if (!ec) {
            found = read_status();
        }
        if (ec) {
            return event_outcome::ignored;
        }
    }
    auto outcome = event_outcome::ignored;
    if (found && found->pledge == "pending" && found->campaign == "open" && now < found->deadline) {
        auto const confirmed = statement(*db_, sql::confirm_pledge)
                                   .bind(customer)
                                   .bind(payment_method)
                                   .bind(now)
                                   .bind(pledge_id)
                                   .execute(ec);
        if (!ec && confirmed == 0) {
            // The tier filled up while this backer was on the provider's page: nothing is charged, and the
            // method is kept only to be detached.
            statement(*db_, sql::release_sold_out)
                .bind(customer)
                .bind(payment_method)
                .bind(pledge_id)
                .execute(ec);
        }
        outcome = event_outcome::applied;
    } else if (found && (found->pledge == "charge_failed" || found->pledge == "confirmed")) {
        // A new card for a pledge already counted: a failed charge is tried again at once.
        statement(*db_, sql::replace_pledge_method)
            .bind(customer)
            .bind(payment_method)
            .bind(now)
            .bind(pledge_id)
            .execute(ec);
        outcome = event_outcome::applied;
    }
    if (ec) {
        return event_outcome::ignored;
    }
    tx.commit(ec);
    return outcome;
}

event_outcome sql_store::set_pledge_email(std::string_view event_id, std::string_view pledge_id,
                                          std::string_view email, std::int64_t now, std::error_code& ec) {
    transaction tx(*db_, ec);
    if (ec || seen_before(*db_, event_id, "setup_completed", now, ec)) {
        return event_outcome::duplicate;
    }
    bool const changed = statement(*db_, sql::set_pledge_email).bind(email).bind(pledge_id).execute(ec) == 1;
    if (ec) {
        return event_outcome::ignored;
    }
    tx.commit(ec);
    return changed ? event_outcome::applied : event_outcome::ignored;
}

event_outcome sql_store::settle_charge_by_event(std::string_view event_id, charge_settlement const& s,
                                                std::int64_t now, charge_policy const& policy,
                                                std::error_code& ec) {
    transaction tx(*db_, ec);
    if (ec || seen_before(*db_, event_id, "charge_" + s.state, now, ec)) {
        return event_outcome::duplicate;
    }
    bool const moved = settle_one(*db_, s, now, policy, ec);
    if (ec) {
        return event_outcome::ignored;
    }
    tx.commit(ec);
    return moved ? event_outcome::applied : event_outcome::ignored;
}

event_outcome sql_store::note_event(std::string_view event_id, std::string_view type, std::int64_t now,
                                    std::error_code& ec) {
    transaction tx(*db_, ec);
    if (ec || seen_before(*db_, event_id, type, now, ec)) {
        return event_outcome::duplicate;
    }
    tx.commit(ec);
    return event_outcome::ignored;
}

std::vector<charge_record> sql_store::unsettled_charges(std::error_code& ec) {
    return statement(*db_, sql::unsettled_charges).query_all(read_charge<statement>, ec);
}

std::vector<charge_record> sql_store::claim_charges(std::int64_t now, std::size_t limit,
                                                    std::error_code& ec) {
    std::vector<charge_record> out;
    transaction tx(*db_, ec);
    if (ec) {
        return out;
    }
    // One claim at a time across gates: each sees the charges the one before it wrote.
    tx.lock("charge claim", lock_mode::exclusive, ec);
    if (ec) {
        return out;
    }
    statement(*db_, sql::expire_grace).bind(now).execute(ec);
    if (ec) {
        return out;
    }
    auto const read = [now](statement const& row) {
        charge_record c;
        c.pledge_id = row.text(0);
        c.campaign_id = row.text(1);
        c.attempt = static_cast<int>(row.integer(2)) + 1;
        c.amount = static_cast<std::uint64_t>(row.integer(3));
        c.currency = row.text(4);
        c.customer = row.text(5);
        c.payment_method = row.text(6);
        c.charge_key = "sluice-charge-" + c.pledge_id + "-" + std::to_string(c.attempt);
        c.started_at = now;
        return c;
    };
    out = statement(*db_, sql::due_retries)
              .bind(now)
              .bind(static_cast<std::int64_t>(limit))
              .query_all(read, ec);
    if (!ec && out.size() < limit) {
        auto first = statement(*db_, sql::first_charges)
                         .bind(static_cast<std::int64_t>(limit - out.size()))
                         .query_all(read, ec);
        out.insert(out.end(), std::make_move_iterator(first.begin()), std::make_move_iterator(first.end()));
    }
    for (auto const& c : out) {
        if (ec) {
            break;
        }
        statement(*db_, sql::insert_charge)
            .bind(c.charge_key)
            .bind(c.pledge_id)
            .bind(static_cast<std::int64_t>(c.attempt))
            .bind(static_cast<std::int64_t>(c.amount))
            .bind(c.currency)
            .bind(now)
            .execute(ec);
        if (!ec) {
            statement(*db_, sql::pledge_charging)
                .bind(static_cast<std::int64_t>(c.attempt))
                .bind(c.pledge_id)
                .execute(ec);
        }
    }
    if (!ec) {
        tx.commit(ec);
    }
    if (ec) {
        out.clear();
    }
    return out;
}

void sql_store::settle_charges(std::vector<charge_settlement> const& outcomes, std::int64_t now,
                               charge_policy const& policy, std::error_code& ec) {
    transaction tx(*db_, ec);
    if (ec) {
        return;
    }
    for (auto const& s : outcomes) {
        settle_one(*db_, s, now, policy, ec);
        if (ec) {
            return;
        }
    }
    tx.commit(ec);
}

std::optional<std::int64_t> sql_store::next_charge_due(std::error_code& ec) {
    return statement(*db_, sql::next_charge_due)
        .query_row([](statement const& row) { return row.maybe_integer(0); }, ec);
}

bool sql_store::hold_charge_run(std::error_code& ec) {
    return db_->hold_session_lock("charge run", ec);
}

std::vector<std::string> sql_store::due_campaigns(std::int64_t now, std::error_code& ec) {
    return statement(*db_, sql::due_campaigns)
        .bind(now)
        .query_all([](statement const& row) { return row.text(0); }, ec);
}

std::vector<method_release> sql_store::claim_releases(std::size_t limit, std::error_code& ec) {
    return statement(*db_, sql::releasable_methods)
        .bind(static_cast<std::int64_t>(limit))
        .query_all(
            [](statement const& row) {
                return method_release{row.text(0), row.text(1)};
            },
            ec);
}

void sql_store::mark_released(std::string_view pledge_id, std::error_code& ec) {
    statement(*db_, sql::mark_released).bind(pledge_id).execute(ec);
}

std::optional<refund_record> sql_store::start_refund(std::string_view pledge_id, std::uint64_t amount,
                                                     std::int64_t now, std::string& why,
                                                     std::error_code& ec) {
    transaction tx(*db_, ec);
    tx.lock(lock_key("refund", pledge_id), lock_mode::exclusive, ec); // the next refund's number
    if (ec) {
        return std::nullopt;
    }
    struct charged {
        std::string key;
        std::string provider_id;
        std::uint64_t amount = 0;
        std::string currency;
        std::uint64_t refunded = 0;
        std::int64_t refunds = 0;
    };
    auto const charge = statement(*db_, sql::refundable_charge)
                            .bind(pledge_id)
                            .query_one(
                                [](statement const& row) {
                                    return charged{row.text(0),
                                                   row.text(1),
                                                   static_cast<std::uint64_t>(row.integer(2)),
                                                   row.text(3),
                                                   static_cast<std::uint64_t>(row.integer(4)),
                                                   row.integer(5)};
                                },
                                ec);
    if (ec) {
        return std::nullopt;
    }
    if (!charge) {
        why = "the pledge was not charged";
        return std::nullopt;
    }
    auto const left = charge->amount - std::min(charge->amount, charge->refunded);
    if (left == 0) {
        why = "the pledge's charge is refunded already";
        return std::nullopt;
    }
    if (amount > left) {
        why = "at most " + std::to_string(left) + " " + charge->currency + " is left to refund";
        return std::nullopt;
    }
    refund_record r;
    r.pledge_id = std::string(pledge_id);
    r.charge_key = charge->key;
    r.provider_payment_id = charge->provider_id;
    r.amount = amount == 0 ? left : amount;
    r.currency = charge->currency;
    r.refund_key = "sluice-refund-" + r.pledge_id + "-" + std::to_string(charge->refunds + 1);
    r.created_at = now;
    statement(*db_, sql::insert_refund)
        .bind(r.refund_key)
        .bind(r.pledge_id)
        .bind(r.charge_key)
        .bind(static_cast<std::int64_t>(r.amount))
        .bind(now)
        .execute(ec);
    if (!ec) {
        tx.commit(ec);
    }
    return ec ? std::nullopt : std::optional<refund_record>(std::move(r));
}

void sql_store::settle_refund(std::string_view refund_key, bool succeeded, std::string_view provider_id,
                              std::error_code& ec) {
    statement(*db_, sql::settle_refund)
        .bind(succeeded ? "succeeded" : "failed")
        .bind(provider_id)
        .bind(refund_key)
        .execute(ec);
}

void sql_store::add_update(campaign_update const& u, std::error_code& ec) {
    statement(*db_, sql::insert_update)
        .bind(u.update_id)
        .bind(u.campaign_id)
        .bind(u.title)
        .bind(u.text)
        .bind(u.posted_at)
        .execute(ec);
}

std::vector<campaign_update> sql_store::updates(std::string_view campaign_id, std::error_code& ec) {
    return statement(*db_, sql::campaign_updates)
        .bind(campaign_id)
        .query_all(
            [](statement const& row) {
                return campaign_update{row.text(0), row.text(1), row.text(2), row.text(3), row.integer(4)};
            },
            ec);
}

std::vector<ledger_row> sql_store::ledger(std::string_view campaign_id, std::error_code& ec) {
    return statement(*db_, sql::ledger)
        .bind(campaign_id)
        .query_all(
            [](statement const& row) {
                ledger_row l;
                l.pledge = read_pledge<statement>(row);
                l.provider_payment_id = row.text(pledge_columns);
                l.charged = static_cast<std::uint64_t>(row.integer(pledge_columns + 1));
                l.refunded = static_cast<std::uint64_t>(row.integer(pledge_columns + 2));
                l.charges_failed = static_cast<int>(row.integer(pledge_columns + 3));
                return l;
            },
            ec);
}

std::vector<charge_record> sql_store::succeeded_charges(std::error_code& ec) {
    return statement(*db_, sql::succeeded_charges).query_all(read_charge<statement>, ec);
}

std::vector<refund_record> sql_store::succeeded_refunds(std::error_code& ec) {
    return statement(*db_, sql::succeeded_refunds)
        .query_all(
            [](statement const& row) {
                refund_record r;
                r.refund_key = row.text(0);
                r.pledge_id = row.text(1);
                r.charge_key = row.text(2);
                r.provider_payment_id = row.text(3);
                r.amount = static_cast<std::uint64_t>(row.integer(4));
                r.currency = row.text(5);
                r.state = row.text(6);
                r.provider_id = row.text(7);
                r.created_at = row.integer(8);
                return r;
            },
            ec);
}

} // namespace sluice::gate
