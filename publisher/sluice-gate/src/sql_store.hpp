#pragma once

#include "sluice-gate/gate_store.hpp"
#include "sluice-gate/sql_connection.hpp"

#include <memory>

namespace sluice::gate {

// The store, written once for every engine (sql_connection.hpp): SQLite, one file and one writer
// (sqlite_store.hpp), or PostgreSQL, shared by several gates (pg_store.hpp). Each method that reads and then
// writes runs in one transaction, and takes the locks that make it hold when another gate runs the same
// method at the same moment (a no-op on SQLite, whose single writer already does).
class sql_store final : public gate_store {
public:
    // Over a connection whose schema is up to date.
    explicit sql_store(std::unique_ptr<sql_connection> db);
    ~sql_store() override;

    import_outcome put_bundle(stored_bundle const& bundle, std::error_code& ec) override;
    std::optional<stored_bundle> find_bundle(std::string_view id, std::error_code& ec) override;
    void record_unlock(unlock_record const& unlock, std::error_code& ec) override;
    std::uint64_t count_unlocks(std::string_view bundle_id, std::error_code& ec) override;
    void create_email_request(email_request const& request, std::error_code& ec) override;
    std::optional<email_request> find_email_request(std::string_view request_id,
                                                    std::error_code& ec) override;
    int add_email_attempt(std::string_view request_id, std::error_code& ec) override;
    bool confirm_email_request(std::string_view request_id, unlock_record const& unlock,
                               std::error_code& ec) override;
    void ensure_campaign(campaign_record const& campaign, std::error_code& ec) override;
    std::optional<campaign_record> find_campaign(std::string_view id, std::error_code& ec) override;
    campaign_totals totals(std::string_view campaign_id, std::error_code& ec) override;
    pledge_outcome add_pledge(pledge_record const& pledge, std::int64_t now,
                              std::optional<pledge_record>& existing, std::error_code& ec) override;
    std::uint64_t tier_backers(std::string_view campaign_id, std::string_view tier_id,
                               std::error_code& ec) override;
    std::optional<pledge_record> find_pledge(std::string_view pledge_id, std::error_code& ec) override;
    std::optional<pledge_record> find_pledge_by_key(std::string_view campaign_id,
                                                    std::string_view idempotency_key,
                                                    std::error_code& ec) override;
    cancel_outcome cancel_pledge(std::string_view pledge_id, std::int64_t now, std::error_code& ec) override;
    std::string close_campaign(std::string_view campaign_id, std::int64_t now, std::error_code& ec) override;
    std::string record_unlock_once(unlock_record const& unlock, std::error_code& ec) override;
    std::optional<unlock_record> find_unlock(std::string_view grantee_kind, std::string_view grantee_ref,
                                             std::string_view bundle_id, std::error_code& ec) override;
    bool add_delivery(std::string_view campaign_id, std::string_view bundle_id, std::int64_t now,
                      std::error_code& ec) override;
    std::vector<delivery_record> deliveries(std::string_view campaign_id, std::error_code& ec) override;
    payment_outcome add_payment(payment_record const& payment, std::optional<payment_record>& existing,
                                std::error_code& ec) override;
    std::optional<payment_record> find_payment(std::string_view payment_id, std::error_code& ec) override;
    std::optional<payment_record> find_payment_by_key(std::string_view bundle_id,
                                                      std::string_view idempotency_key,
                                                      std::error_code& ec) override;
    payment_event_outcome apply_payment_event(std::string_view event_id, std::string_view payment_id,
                                              payment_event_type type, std::int64_t now,
                                              std::error_code& ec) override;
    std::string record_payment_unlock(std::string_view payment_id, unlock_record const& unlock,
                                      std::error_code& ec) override;
    gate_stats stats(std::error_code& ec) override;
    std::string view_salt(std::int64_t day, std::string_view fresh, std::error_code& ec) override;
    void record_view(view_record const& view, std::error_code& ec) override;
    std::vector<view_day> view_days(std::string_view bundle_id, std::int64_t from, std::int64_t to,
                                    std::error_code& ec) override;
    std::vector<referrer_count> view_referrers(std::string_view bundle_id, std::int64_t from, std::int64_t to,
                                               std::size_t limit, std::error_code& ec) override;
    std::map<std::string, view_totals> all_view_totals(std::error_code& ec) override;
    std::vector<bundle_magnet> bundle_magnets(std::error_code& ec) override;
    void record_swarm(swarm_reading const& reading, std::int64_t now, std::error_code& ec) override;
    void record_plays(play_report const& report, std::error_code& ec) override;
    void add_translation(translation_submission const& submission, std::error_code& ec) override;
    std::optional<translation_submission> find_translation(std::string_view id, std::error_code& ec) override;
    std::vector<translation_submission> translations(std::string_view bundle_id, std::string_view state,
                                                     std::error_code& ec) override;
    bool review_translation(std::string_view id, std::string_view state, std::int64_t reviewed_at,
                            std::string_view reason, std::string_view addon, std::error_code& ec) override;
    std::vector<version_plays> plays_by_version(std::string_view bundle_id, std::error_code& ec) override;
    std::vector<swarm_reading> swarm_days(std::string_view bundle_id, std::error_code& ec) override;
    std::vector<day_count> daily(daily_series series, std::string_view id, std::error_code& ec) override;

    void set_pledge_checkout(std::string_view pledge_id, std::string_view checkout_url,
                             std::string_view response, std::error_code& ec) override;
    void set_payment_response(std::string_view payment_id, std::string_view response,
                              std::error_code& ec) override;
    bool take_checkout_lease(checkout_of of, std::string_view id, std::int64_t now, std::int64_t until,
                             std::error_code& ec) override;
    void end_checkout_lease(checkout_of of, std::string_view id, std::error_code& ec) override;
    event_outcome save_pledge_method(std::string_view event_id, std::string_view pledge_id,
                                     std::string_view customer, std::string_view payment_method,
                                     std::int64_t now, std::error_code& ec) override;
    event_outcome set_pledge_email(std::string_view event_id, std::string_view pledge_id,
                                   std::string_view email, std::int64_t now, std::error_code& ec) override;
    event_outcome settle_charge_by_event(std::string_view event_id, charge_settlement const& s,
                                         std::int64_t now, charge_policy const& policy,
                                         std::error_code& ec) override;
    event_outcome note_event(std::string_view event_id, std::string_view type, std::int64_t now,
                             std::error_code& ec) override;
    std::vector<charge_record> unsettled_charges(std::error_code& ec) override;
    std::vector<charge_record> claim_charges(std::int64_t now, std::size_t limit,
                                             std::error_code& ec) override;
    void settle_charges(std::vector<charge_settlement> const& outcomes, std::int64_t now,
                        charge_policy const& policy, std::error_code& ec) override;
    std::optional<std::int64_t> next_charge_due(std::error_code& ec) override;
    bool hold_charge_run(std::error_code& ec) override;
    std::vector<std::string> due_campaigns(std::int64_t now, std::error_code& ec) override;
    std::vector<method_release> claim_releases(std::size_t limit, std::error_code& ec) override;
    void mark_released(std::string_view pledge_id, std::error_code& ec) override;
    std::optional<refund_record> start_refund(std::string_view pledge_id, std::uint64_t amount,
                                              std::int64_t now, std::string& why,
                                              std::error_code& ec) override;
    void settle_refund(std::string_view refund_key, bool succeeded, std::string_view provider_id,
                       std::error_code& ec) override;
    void add_update(campaign_update const& update, std::error_code& ec) override;
    std::vector<campaign_update> updates(std::string_view campaign_id, std::error_code& ec) override;
    std::vector<ledger_row> ledger(std::string_view campaign_id, std::error_code& ec) override;
    std::vector<charge_record> succeeded_charges(std::error_code& ec) override;
    std::vector<refund_record> succeeded_refunds(std::error_code& ec) override;

private:
    std::unique_ptr<sql_connection> db_;
};

} // namespace sluice::gate
