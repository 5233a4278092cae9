#pragma once

// The statements of what creators see (landing-page views, view_counting.hpp; the swarm, tracker_reader.hpp;
// plays, play_handlers.hpp),
// in the dialect of gate_sql.hpp.

namespace sluice::gate::sql {

inline constexpr char const* find_view_salt = "SELECT salt FROM view_salts WHERE day = ?";
inline constexpr char const* insert_view_salt =
    "INSERT INTO view_salts (day, salt) VALUES (?, ?) ON CONFLICT (day) DO NOTHING";
inline constexpr char const* forget_view_salts = "DELETE FROM view_salts WHERE day < ?";
inline constexpr char const* forget_view_visitors = "DELETE FROM view_visitors WHERE day < ?";
inline constexpr char const* insert_view_visitor =
    "INSERT INTO view_visitors (day, bundle_id, visitor) VALUES (?, ?, ?) ON CONFLICT DO NOTHING";
inline constexpr char const* count_view =
    "INSERT INTO view_days (bundle_id, day, views, visitors, returners) VALUES (?, ?, 1, ?, ?) "
    "ON CONFLICT (bundle_id, day) DO UPDATE SET views = view_days.views + 1, "
    "visitors = view_days.visitors + excluded.visitors, returners = view_days.returners + excluded.returners";
inline constexpr char const* count_view_referrer =
    "INSERT INTO view_referrers (bundle_id, day, site, views) VALUES (?, ?, ?, 1) "
    "ON CONFLICT (bundle_id, day, site) DO UPDATE SET views = view_referrers.views + 1";
inline constexpr char const* view_days_of =
    "SELECT day, views, visitors, returners FROM view_days WHERE bundle_id = ? AND day >= ? AND day <= ? "
    "ORDER BY day";
inline constexpr char const* view_referrers_of =
    "SELECT site, CAST(SUM(views) AS BIGINT) FROM view_referrers WHERE bundle_id = ? AND day >= ? AND day <= "
    "? "
    "GROUP BY site ORDER BY 2 DESC, site LIMIT ?";
inline constexpr char const* view_totals = "SELECT bundle_id, CAST(SUM(views) AS BIGINT), CAST(SUM(visitors) "
                                           "AS BIGINT) FROM view_days GROUP BY bundle_id";

inline constexpr char const* bundle_magnets = "SELECT id, version, magnet FROM bundles ORDER BY id";
inline constexpr char const* record_swarm =
    "INSERT INTO swarm_days (bundle_id, version, info_hash, day, seeds, leechers, downloaded, read_at) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (bundle_id, version, info_hash, day) DO UPDATE SET "
    "seeds = excluded.seeds, leechers = excluded.leechers, downloaded = excluded.downloaded, "
    "read_at = excluded.read_at";
inline constexpr char const* swarm_days_of =
    "SELECT day, version, info_hash, seeds, leechers, downloaded FROM swarm_days WHERE bundle_id = ? "
    "ORDER BY day, version, info_hash";

inline constexpr char const* count_plays =
    "INSERT INTO play_days (bundle_id, version, day, item, event, plays) VALUES (?, ?, ?, ?, ?, ?) "
    "ON CONFLICT (bundle_id, version, day, item, event) DO UPDATE SET plays = play_days.plays + "
    "excluded.plays";
inline constexpr char const* plays_by_version = "SELECT version, event, CAST(SUM(plays) AS BIGINT) FROM "
                                                "play_days WHERE bundle_id = ? GROUP BY version, event "
                                                "ORDER BY 1, 2";

// Daily series of what the gate's own tables hold (gate_store::daily): day, kind, count, amount.
inline constexpr char const* daily_unlocks =
    "SELECT issued_at / 86400, grantee_kind, COUNT(*), 0 FROM unlocks WHERE bundle_id = ? "
    "GROUP BY issued_at / 86400, grantee_kind ORDER BY 1, 2";
inline constexpr char const* daily_pledges_confirmed =
    "SELECT confirmed_at / 86400, '', COUNT(*), CAST(SUM(amount) AS BIGINT) FROM pledges WHERE campaign_id = "
    "? "
    "AND confirmed_at IS NOT NULL GROUP BY confirmed_at / 86400 ORDER BY 1";
inline constexpr char const* daily_pledges_cancelled =
    "SELECT cancelled_at / 86400, '', COUNT(*), CAST(SUM(amount) AS BIGINT) FROM pledges WHERE campaign_id = "
    "? "
    "AND confirmed_at IS NOT NULL AND cancelled_at IS NOT NULL GROUP BY cancelled_at / 86400 ORDER BY 1";
inline constexpr char const* daily_charges_succeeded =
    "SELECT c.settled_at / 86400, '', COUNT(*), CAST(SUM(c.amount) AS BIGINT) FROM charges c JOIN pledges p "
    "ON "
    "p.pledge_id = c.pledge_id WHERE p.campaign_id = ? AND c.state = 'succeeded' AND c.settled_at IS NOT "
    "NULL "
    "GROUP BY c.settled_at / 86400 ORDER BY 1";

inline constexpr char const* daily_plays =
    "SELECT day, event, CAST(SUM(plays) AS BIGINT), 0 FROM play_days WHERE bundle_id = ? GROUP BY day, event "
    "ORDER BY 1, 2";

} // namespace sluice::gate::sql
