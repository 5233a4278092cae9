#pragma once

#include <sluice/protocol/bundle_manifest.hpp>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

namespace sluice::gate {

// One imported bundle version: the manifest and its signature exactly as published, the item keys file
// (secret: it never leaves the gate except sealed to a device) and the magnet link of its torrent.
struct stored_bundle {
    std::string id;
    std::uint64_t version = 0;
    std::string manifest;  // bundle.json bytes
    std::string signature; // bundle.sig bytes (stored as base64)
    std::string keys;      // the sluice-keys/1 file's text
    std::string magnet;    // empty when no .torrent was imported
    std::int64_t imported_at = 0;
};

enum class import_outcome {
    inserted,  // first version of this bundle
    replaced,  // a later version took the place of an earlier one
    unchanged, // the same version with the same manifest bytes: nothing to do
    refused,   // a lower version, or the same version with other bytes
};

// An unlock the gate answered: written before the answer leaves, so an acknowledged unlock survives a crash.
struct unlock_record {
    std::string token_id;
    std::string bundle_id;
    std::uint64_t bundle_version = 0;
    std::string grantee_kind; // "email", "payment", "pledge" (later "code")
    std::string grantee_ref;
    std::string device; // "x25519:<b64>"
    std::string token;  // the envelope text (item keys in it are sealed to `device`)
    std::int64_t issued_at = 0;
};

// A double opt-in request waiting for its code. The code itself is never stored, only a hash of it salted
// with the request id.
struct email_request {
    std::string request_id;
    std::string bundle_id;
    std::string email; // normalised
    std::string device;
    std::string code_hash; // lower-case hex
    std::int64_t created_at = 0;
    std::int64_t expires_at = 0;
    int attempts = 0;            // wrong codes so far
    std::string unlock_token_id; // set once confirmed
};

// A pledge campaign, as the manifest's pledge gate defines it, and where it stands.
struct campaign_record {
    std::string id;
    std::string bundle_id;
    std::optional<std::uint64_t> goal_backers;
    std::optional<std::uint64_t> goal_amount;
    std::uint64_t price = 0;
    std::string currency;
    std::int64_t deadline = 0;
    std::string expected_delivery;
    std::string if_goal_missed;
    std::string state = "open"; // "open", "funded", "failed"
    std::optional<std::int64_t> closed_at;
    std::vector<protocol::pledge_tier> tiers; // what a backer picks from, in the manifest's order (none
                                              // given: the one tier of `price`)

    protocol::pledge_tier const* find_tier(std::string_view tier_id) const;
};

struct tier_totals {
    std::uint64_t backers = 0; // pledges whose payment method the provider saved
    std::uint64_t amount = 0;  // their sum, minor units
};

struct campaign_totals {
    std::uint64_t backers = 0;
    std::uint64_t amount = 0;
    std::map<std::string, tier_totals, std::less<>> by_tier; // the tiers with backers

    tier_totals tier(std::string_view tier_id) const;
};

// A pledge, unique per (campaign, idempotency key): a pre-order. `request_hash` tells a retry of the same
// request from another request under the same key; `response` is the first answer, sent again to a retry
// ("" until the provider's checkout was opened for it).
//
// Its states: `pending` (recorded, the provider's page to save a payment method opened), `confirmed` (the
// provider saved the method: it counts toward the goal), then once the campaign is funded `charging` (a
// charge is at the provider), `charged` (the backer paid: tokens and deliveries are theirs),
// `charge_failed` (declined or the bank wants the backer: retried within the grace period) and `failed`
// (the grace period ended unpaid). `cancelled` by the backer before the deadline; `released` when the
// campaign failed, when it closed before the method was saved, or when the pledge's tier filled up before
// it was (a limited tier's places go to saved methods, first come, so unconfirmed pledges hold none).
// Nothing is charged but a confirmed pledge of a funded campaign.
struct pledge_record {
    std::string pledge_id;
    std::string campaign_id;
    std::string idempotency_key;
    std::string request_hash;
    std::uint64_t amount = 0;
    std::string device;
    std::string state = "pending";
    std::string response;
    std::int64_t created_at = 0;
    std::optional<std::int64_t> cancelled_at;
    std::string customer;       // the provider's, once the method is saved
    std::string payment_method; // the provider's id of the saved method
    std::string checkout_url;   // the provider's page that saves it (or saves a new one)
    std::optional<std::int64_t> confirmed_at;
    std::optional<std::int64_t> charged_at;
    int attempts = 0;                           // charges sent
    std::optional<std::int64_t> next_charge_at; // a failed charge's retry
    std::optional<std::int64_t> grace_until;    // after it, a failed charge is final
    std::string last_decline;                   // the bank's reason for the last failed charge
    std::string email; // the address the backer gave the provider's page: where a failed charge is told
    std::string tier_id = std::string(protocol::single_tier_id);
    std::string release_reason; // a released pledge's: not_confirmed, campaign_failed, tier_sold_out
};

enum class pledge_outcome {
    created,
    existing, // a pledge with this key was there: `existing` holds it
    closed,   // the campaign is closed or past its deadline
    no_campaign,
};

enum class cancel_outcome { cancelled, already_cancelled, closed, not_found };

// What a provider's event did. Each event id is recorded with the change it made, in one transaction.
enum class event_outcome {
    applied,
    duplicate, // the event id was applied before
    ignored,   // nothing to change (a pledge already past that point, an unknown reference)
};

// One off-session charge of a pledge, written (`started`) before it is sent: its key is the idempotency key
// the provider gets, so a charge whose answer was lost is sent again with the same key, never a new one.
struct charge_record {
    std::string charge_key;
    std::string pledge_id;
    std::string campaign_id;
    int attempt = 0;
    std::uint64_t amount = 0;
    std::string currency;
    std::string customer;
    std::string payment_method;
    std::string state = "started"; // started, succeeded, declined, requires_action, error
    std::string provider_id;
    std::string decline_code;
    std::int64_t started_at = 0;
    std::optional<std::int64_t> settled_at;
};

// How one charge ended, as the charge run records it.
struct charge_settlement {
    std::string charge_key;
    std::string pledge_id;
    std::string state; // succeeded, declined, requires_action, error
    std::string provider_id;
    std::string decline_code;
};

// The pacing of failed charges: retried every `retry_interval` until `grace` after the first failure.
struct charge_policy {
    std::int64_t grace = 7 * 24 * 3600;
    std::int64_t retry_interval = 24 * 3600;
};

// A saved method the provider should forget (cancelled pledge, failed campaign).
struct method_release {
    std::string pledge_id;
    std::string payment_method;
};

// A refund of a charged pledge, written (`started`) before it is sent, like a charge.
struct refund_record {
    std::string refund_key;
    std::string pledge_id;
    std::string charge_key;
    std::string provider_payment_id;
    std::uint64_t amount = 0;
    std::string currency;
    std::string state = "started"; // started, succeeded, failed
    std::string provider_id;
    std::int64_t created_at = 0;
};

// What the creator tells a campaign's backers after they pledged (a delay, a change, the shooting's news).
struct campaign_update {
    std::string update_id;
    std::string campaign_id;
    std::string title;
    std::string text;
    std::int64_t posted_at = 0;
};

// One pledge with what was charged and refunded, for the ledger and reconciliation.
struct ledger_row {
    pledge_record pledge;
    std::string currency;
    std::string provider_payment_id; // the succeeded charge's, "" if none
    std::uint64_t charged = 0;
    std::uint64_t refunded = 0;
    int charges_failed = 0;
};

// A payment for a bundle's pay gate, unique per (bundle, idempotency key) like a pledge per campaign. Its
// state moves from "pending" to "paid" or "failed" only when the payment provider says so (a signed webhook).
struct payment_record {
    std::string payment_id;
    std::string bundle_id;
    std::string idempotency_key;
    std::string request_hash;
    std::uint64_t amount = 0; // minor units
    std::string currency;
    std::string device;
    std::string state = "pending"; // "pending", "paid", "failed"
    std::string response;          // the first answer, sent again to a retry ("" until the checkout is open)
    std::int64_t created_at = 0;
    std::optional<std::int64_t> settled_at; // when it became paid or failed
    std::string token;                      // the unlock token once issued, else ""
};

enum class payment_outcome {
    created,
    existing, // a payment with this key was there: `existing` holds it
};

// What the payment provider reports about a payment.
enum class payment_event_type { succeeded, failed };

enum class checkout_of { pledge, payment };

enum class payment_event_outcome {
    applied,   // first time this event id is seen: the payment's state follows it
    duplicate, // the event id was applied before; nothing changes
    conflict,  // the event contradicts a settled state (succeeded for a failed payment, or the reverse)
    no_payment,
};

// A bundle published to the backers of a funded campaign. Version and magnet are the bundle's as the gate
// holds it now (a later import of the bundle moves them).
struct delivery_record {
    std::string campaign_id;
    std::string bundle_id;
    std::uint64_t version = 0;
    std::string magnet; // "" when the bundle was imported without a .torrent
    std::int64_t delivered_at = 0;
};

struct bundle_stats {
    std::string id;
    std::uint64_t version = 0;
    std::uint64_t unlocks = 0;
};

struct campaign_stats {
    std::string id;
    std::string state;
    campaign_totals totals;
};

struct payment_stats {
    std::uint64_t pending = 0;
    std::uint64_t paid = 0;
    std::uint64_t failed = 0;
};

// One landing-page view (view_counting.hpp): `visitor` is that day's hash, `site` the referring site or "".
struct view_record {
    std::string bundle_id;
    std::int64_t day = 0;
    std::string visitor;
    bool returning = false;
    std::string site;
};

// A bundle's views of one day: `visitors` are that day's distinct visitors, `returners` those of them whose
// page remembered an earlier visit.
struct view_day {
    std::int64_t day = 0;
    std::uint64_t views = 0;
    std::uint64_t visitors = 0;
    std::uint64_t returners = 0;
};

struct referrer_count {
    std::string site;
    std::uint64_t views = 0;
};

// An imported bundle's current version and magnet link ("" when imported without a .torrent).
struct bundle_magnet {
    std::string id;
    std::uint64_t version = 0;
    std::string magnet;
};

// A bundle version's info-hash (v1, or a v2 hash cut to 20 bytes as trackers see it; 40 hex digits) as the
// tracker's scrape told it on `day`: its seeds ("complete"), leechers ("incomplete") and completed downloads
// ("downloaded", counted by the tracker since it started tracking the hash).
struct swarm_reading {
    std::string bundle_id;
    std::uint64_t version = 0;
    std::string info_hash;
    std::int64_t day = 0;
    std::uint64_t seeds = 0;
    std::uint64_t leechers = 0;
    std::uint64_t downloaded = 0;
};

// One day of a daily series (gate_store::daily): how many, of what kind ("" when the series has one), and
// their amount in minor units (0 when the series has none).
struct day_count {
    std::int64_t day = 0;
    std::string kind;
    std::uint64_t count = 0;
    std::uint64_t amount = 0;
};

// Plays a host reported for one bundle version (play_handlers.hpp), counted on `day`: per item path, how
// many started and how many were watched to the end.
struct item_plays {
    std::string item;
    std::uint64_t started = 0;
    std::uint64_t finished = 0;
};
struct play_report {
    std::string bundle_id;
    std::uint64_t version = 0;
    std::int64_t day = 0;
    std::vector<item_plays> items;
};

// A bundle version's reported plays of one event ("started", "finished"), over every day.
struct version_plays {
    std::uint64_t version = 0;
    std::string event;
    std::uint64_t plays = 0;
};

// A translation a viewer submitted (translation_handlers.hpp). `state` is "pending", "approved" or
// "rejected"; `addon` the signed add-on once approved, `reason` why it was rejected.
struct translation_submission {
    std::string id;
    std::string bundle_id;
    std::uint64_t version = 0;
    std::string item;
    std::string lang;
    std::string label;
    std::string translator; // the display name the translator gave, for the credit
    std::string licence;    // the terms they agreed to
    std::string based_on;   // the submission this one takes up, or ""
    std::string track;      // WebVTT ("" in lists)
    std::string sha256;
    std::int64_t submitted_at = 0;
    std::string state = "pending";
    std::optional<std::int64_t> reviewed_at;
    std::string reason;
    std::string addon;
};

enum class daily_series {
    unlocks,           // of a bundle, by grantee kind ("email", "payment", "pledge"), by the day issued
    pledges_confirmed, // of a campaign, by the day its card was saved
    pledges_cancelled, // of a campaign, confirmed ones, by the day cancelled
    charges_succeeded, // of a campaign, by the day settled
    plays,             // of a bundle, by event ("finished", "started"), by the day reported
};

struct view_totals {
    std::uint64_t views = 0;
    std::uint64_t visitor_days = 0; // each day's distinct visitors, summed
};

struct gate_stats {
    std::vector<bundle_stats> bundles;
    std::vector<campaign_stats> campaigns;
    std::uint64_t unlocks = 0;
    std::uint64_t email_requests_pending = 0;
    std::uint64_t email_requests_confirmed = 0;
    payment_stats payments;
};

// Everything the gate keeps, behind one interface so that a PostgreSQL store can take SQLite's place for a
// publisher who outgrows one machine. Each call is one transaction and is durable when it returns without
// an error: callers answer a client only after that. Calls report failures through `ec` and never throw.
// An implementation is used from one thread at a time.
class gate_store {
public:
    virtual ~gate_store() = default;

    // Inserts or replaces the bundle's row, deciding by version within the same transaction (two imports
    // racing cannot both win).
    virtual import_outcome put_bundle(stored_bundle const& bundle, std::error_code& ec) = 0;
    virtual std::optional<stored_bundle> find_bundle(std::string_view id, std::error_code& ec) = 0;

    virtual void record_unlock(unlock_record const& unlock, std::error_code& ec) = 0;
    virtual std::uint64_t count_unlocks(std::string_view bundle_id, std::error_code& ec) = 0;

    virtual void create_email_request(email_request const& request, std::error_code& ec) = 0;
    virtual std::optional<email_request> find_email_request(std::string_view request_id,
                                                            std::error_code& ec) = 0;
    // Counts one wrong code; returns the attempts made so far.
    virtual int add_email_attempt(std::string_view request_id, std::error_code& ec) = 0;
    // Marks the request confirmed and records the unlock, both or neither. False (no error) when the request
    // was already confirmed.
    virtual bool confirm_email_request(std::string_view request_id, unlock_record const& unlock,
                                       std::error_code& ec) = 0;

    // The first definition of a campaign (and its tiers) wins: a later manifest version cannot move the goal,
    // the deadline or what a tier brings under the backers' feet.
    virtual void ensure_campaign(campaign_record const& campaign, std::error_code& ec) = 0;
    virtual std::optional<campaign_record> find_campaign(std::string_view id, std::error_code& ec) = 0;
    virtual campaign_totals totals(std::string_view campaign_id, std::error_code& ec) = 0;
    // One tier's backers, from its own index range: what a limited tier's pledge checks, without counting
    // the whole campaign.
    virtual std::uint64_t tier_backers(std::string_view campaign_id, std::string_view tier_id,
                                       std::error_code& ec) = 0;
    // In one transaction: an existing pledge with the key is returned as it is; else, if the campaign is
    // open and `now` is before its deadline, the pledge is inserted.
    virtual pledge_outcome add_pledge(pledge_record const& pledge, std::int64_t now,
                                      std::optional<pledge_record>& existing, std::error_code& ec) = 0;
    virtual std::optional<pledge_record> find_pledge(std::string_view pledge_id, std::error_code& ec) = 0;
    virtual std::optional<pledge_record> find_pledge_by_key(std::string_view campaign_id,
                                                            std::string_view idempotency_key,
                                                            std::error_code& ec) = 0;
    virtual cancel_outcome cancel_pledge(std::string_view pledge_id, std::int64_t now,
                                         std::error_code& ec) = 0;
    // Closes an open campaign, funded when its active pledges meet every goal it has, else failed, and
    // returns its state (an already closed campaign keeps its own).
    virtual std::string close_campaign(std::string_view campaign_id, std::int64_t now,
                                       std::error_code& ec) = 0;
    // The first unlock recorded for a grantee and a bundle, if any (a funded pledge's token for the
    // campaign's bundle and for each delivery is issued once).
    virtual std::optional<unlock_record> find_unlock(std::string_view grantee_kind,
                                                     std::string_view grantee_ref, std::string_view bundle_id,
                                                     std::error_code& ec) = 0;
    // Records `unlock` unless one for its grantee and bundle is there; the token that stands either way, so
    // that two requests for the same token at the same moment (two gates) answer the same one.
    virtual std::string record_unlock_once(unlock_record const& unlock, std::error_code& ec) = 0;

    // Publishes a bundle to a campaign's backers. False (no error) when it was delivered already: the first
    // delivery's time stands.
    virtual bool add_delivery(std::string_view campaign_id, std::string_view bundle_id, std::int64_t now,
                              std::error_code& ec) = 0;
    // The campaign's deliveries in the order they were published.
    virtual std::vector<delivery_record> deliveries(std::string_view campaign_id, std::error_code& ec) = 0;

    // In one transaction: an existing payment with the (bundle, key) pair is returned as it is; else the
    // payment is inserted.
    virtual payment_outcome add_payment(payment_record const& payment,
                                        std::optional<payment_record>& existing, std::error_code& ec) = 0;
    virtual std::optional<payment_record> find_payment(std::string_view payment_id, std::error_code& ec) = 0;
    virtual std::optional<payment_record> find_payment_by_key(std::string_view bundle_id,
                                                              std::string_view idempotency_key,
                                                              std::error_code& ec) = 0;
    // Applies a provider's event at most once: the event id is recorded in the same transaction as the state
    // change, so a crash cannot leave one without the other.
    virtual payment_event_outcome apply_payment_event(std::string_view event_id, std::string_view payment_id,
                                                      payment_event_type type, std::int64_t now,
                                                      std::error_code& ec) = 0;
    // Records the unlock of a paid payment and ties it to the payment, both or neither. When the payment has
    // its token already, nothing is written. Returns the token that stands ("" on error).
    virtual std::string record_payment_unlock(std::string_view payment_id, unlock_record const& unlock,
                                              std::error_code& ec) = 0;

    virtual gate_stats stats(std::error_code& ec) = 0;

    // Landing-page views (view_counting.hpp).
    // The salt of `day`: `fresh` when the day has none yet (the first gate to ask sets it for every gate);
    // the salts of earlier days and their visitor hashes are deleted on the way.
    virtual std::string view_salt(std::int64_t day, std::string_view fresh, std::error_code& ec) = 0;
    // Counts a view: always in its day's views, once per visitor and day in its visitors (and returners).
    virtual void record_view(view_record const& view, std::error_code& ec) = 0;
    // A bundle's days from `from` to `to` (inclusive) that had views, in order, and its `limit` first
    // referring sites over those days, most views first.
    virtual std::vector<view_day> view_days(std::string_view bundle_id, std::int64_t from, std::int64_t to,
                                            std::error_code& ec) = 0;
    virtual std::vector<referrer_count> view_referrers(std::string_view bundle_id, std::int64_t from,
                                                       std::int64_t to, std::size_t limit,
                                                       std::error_code& ec) = 0;
    // Every bundle's views over all days, by bundle id.
    virtual std::map<std::string, view_totals> all_view_totals(std::error_code& ec) = 0;
    // Every imported bundle's magnet link, by id.
    virtual std::vector<bundle_magnet> bundle_magnets(std::error_code& ec) = 0;
    // Keeps a reading as its day's (the last of a day stays); `now` is when it was read.
    virtual void record_swarm(swarm_reading const& reading, std::int64_t now, std::error_code& ec) = 0;
    // Translations (translation_handlers.hpp).
    virtual void add_translation(translation_submission const& submission, std::error_code& ec) = 0;
    // One submission with its track, or nothing.
    virtual std::optional<translation_submission> find_translation(std::string_view id,
                                                                   std::error_code& ec) = 0;
    // A bundle's submissions ("" for every bundle's) in `state` ("" for any), oldest first, without tracks.
    virtual std::vector<translation_submission> translations(std::string_view bundle_id,
                                                             std::string_view state, std::error_code& ec) = 0;
    // Moves a pending submission to `state` ("approved" with its add-on, "rejected" with its reason); false
    // when it is not pending (any more).
    virtual bool review_translation(std::string_view id, std::string_view state, std::int64_t reviewed_at,
                                    std::string_view reason, std::string_view addon, std::error_code& ec) = 0;

    // Adds a host's report to its day's counts, all of it or nothing.
    virtual void record_plays(play_report const& report, std::error_code& ec) = 0;
    // A bundle's reported plays by version and event.
    virtual std::vector<version_plays> plays_by_version(std::string_view bundle_id, std::error_code& ec) = 0;
    // A series of the bundle's or campaign's `id`, by day (days without any left out).
    virtual std::vector<day_count> daily(daily_series series, std::string_view id, std::error_code& ec) = 0;
    // A bundle's readings, by day, version and hash.
    virtual std::vector<swarm_reading> swarm_days(std::string_view bundle_id, std::error_code& ec) = 0;

    // The money of pledges (sql_store_money.cpp).

    // Sets the provider's checkout of a pledge (its page and session) and, the first time, the answer a
    // retry of the pledge request is given.
    virtual void set_pledge_checkout(std::string_view pledge_id, std::string_view checkout_url,
                                     std::string_view response, std::error_code& ec) = 0;
    virtual void set_payment_response(std::string_view payment_id, std::string_view response,
                                      std::error_code& ec) = 0;
    // Whether this request may open the checkout of a pledge or payment that has no answer yet: true when no
    // other request (on any gate) holds it, which it then does until `until`; false while one does. Ended
    // when the provider fails, so that the client's retry opens it at once.
    virtual bool take_checkout_lease(checkout_of of, std::string_view id, std::int64_t now,
                                     std::int64_t until, std::error_code& ec) = 0;
    virtual void end_checkout_lease(checkout_of of, std::string_view id, std::error_code& ec) = 0;
    // The provider saved a payment method for the pledge: pending becomes confirmed (only while the campaign
    // takes pledges, and while its tier has a place: else it is released, its method to be detached); a
    // pledge whose charge failed takes the new method and is retried at once.
    virtual event_outcome save_pledge_method(std::string_view event_id, std::string_view pledge_id,
                                             std::string_view customer, std::string_view payment_method,
                                             std::int64_t now, std::error_code& ec) = 0;
    // Keeps the address the backer gave the provider's page (normalised), to tell them of a failed charge.
    virtual event_outcome set_pledge_email(std::string_view event_id, std::string_view pledge_id,
                                           std::string_view email, std::int64_t now, std::error_code& ec) = 0;
    // A charge's outcome told by the provider's webhook rather than by the answer to the call (lost).
    virtual event_outcome settle_charge_by_event(std::string_view event_id, charge_settlement const& s,
                                                 std::int64_t now, charge_policy const& policy,
                                                 std::error_code& ec) = 0;
    // Records an event the gate acknowledges without acting on it (so a replay is told apart).
    virtual event_outcome note_event(std::string_view event_id, std::string_view type, std::int64_t now,
                                     std::error_code& ec) = 0;

    // The charges sent before a restart and never settled: each is sent again with its key.
    virtual std::vector<charge_record> unsettled_charges(std::error_code& ec) = 0;
    // In one transaction, up to `limit` new charges: for each confirmed pledge of a funded campaign, and
    // each failed one whose retry is due within its grace period, a `started` charge (the pledge becomes
    // `charging`). Pledges whose grace period ended become `failed` first.
    virtual std::vector<charge_record> claim_charges(std::int64_t now, std::size_t limit,
                                                     std::error_code& ec) = 0;
    // Records outcomes, all in one transaction.
    virtual void settle_charges(std::vector<charge_settlement> const& outcomes, std::int64_t now,
                                charge_policy const& policy, std::error_code& ec) = 0;
    // When the next failed charge is due, if any is waiting.
    virtual std::optional<std::int64_t> next_charge_due(std::error_code& ec) = 0;
    // Whether this store's gate is the one running the charges of every gate sharing the database (taking
    // the run when no gate has it): the others wait, and take over when that gate's connection ends.
    virtual bool hold_charge_run(std::error_code& ec) = 0;

    // The ids of open campaigns whose deadline has passed (to be closed).
    virtual std::vector<std::string> due_campaigns(std::int64_t now, std::error_code& ec) = 0;

    virtual std::vector<method_release> claim_releases(std::size_t limit, std::error_code& ec) = 0;
    virtual void mark_released(std::string_view pledge_id, std::error_code& ec) = 0;

    // A refund of `amount` (0: what remains) of the pledge's charge, recorded `started`; nullopt with `why`
    // when the pledge has nothing to refund.
    virtual std::optional<refund_record> start_refund(std::string_view pledge_id, std::uint64_t amount,
                                                      std::int64_t now, std::string& why,
                                                      std::error_code& ec) = 0;
    virtual void settle_refund(std::string_view refund_key, bool succeeded, std::string_view provider_id,
                               std::error_code& ec) = 0;

    virtual void add_update(campaign_update const& update, std::error_code& ec) = 0;
    // The campaign's updates in the order they were posted.
    virtual std::vector<campaign_update> updates(std::string_view campaign_id, std::error_code& ec) = 0;

    // Every pledge of the campaign with its money, in the order they were made.
    virtual std::vector<ledger_row> ledger(std::string_view campaign_id, std::error_code& ec) = 0;
    // Every succeeded charge and refund the gate recorded, for reconciliation.
    virtual std::vector<charge_record> succeeded_charges(std::error_code& ec) = 0;
    virtual std::vector<refund_record> succeeded_refunds(std::error_code& ec) = 0;
};

} // namespace sluice::gate
