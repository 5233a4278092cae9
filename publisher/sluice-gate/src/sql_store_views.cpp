// What creators see, in the SQL store: landing-page views, the swarm's readings and reported plays
// (gate_store.hpp).
#include "sluice-gate/sql_statement.hpp"
#include "sluice-gate/sql_store.hpp"
#include "sluice-gate/views_sql.hpp"

namespace sluice::gate {

namespace {

std::uint64_t count_at(statement const& row, int column) {
    return static_cast<std::uint64_t>(row.integer(column));
}

} // namespace

std::string sql_store::view_salt(std::int64_t day, std::string_view fresh, std::error_code& ec) {
    transaction tx(*db_, ec);
    if (!ec) {
        statement(*db_, sql::insert_view_salt).bind(day).bind(fresh).execute(ec);
    }
    if (!ec) {
        statement(*db_, sql::forget_view_salts).bind(day).execute(ec);
    }
    if (!ec) {
        statement(*db_, sql::forget_view_visitors).bind(day).execute(ec);
    }
    auto salt = ec ? std::string()
                   : statement(*db_, sql::find_view_salt)
                         .bind(day)
                         .query_row([](statement const& row) { return row.text(0); }, ec);
    if (!ec) {
        tx.commit(ec);
    }
    return ec ? std::string() : salt;
}

void sql_store::record_view(view_record const& view, std::error_code& ec) {
    transaction tx(*db_, ec);
    std::uint64_t const new_visitor = ec ? 0
                                         : statement(*db_, sql::insert_view_visitor)
                                               .bind(view.day)
                                               .bind(view.bundle_id)
                                               .bind(view.visitor)
                                               .execute(ec);
    if (!ec) {
        statement(*db_, sql::count_view)
            .bind(view.bundle_id)
            .bind(view.day)
            .bind(static_cast<std::int64_t>(new_visitor))
            .bind(static_cast<std::int64_t>(new_visitor != 0 && view.returning ? 1 : 0))
            .execute(ec);
    }
    if (!ec && !view.site.empty()) {
        statement(*db_, sql::count_view_referrer)
            .bind(view.bundle_id)
            .bind(view.day)
            .bind(view.site)
            .execute(ec);
    }
    if (!ec) {
        tx.commit(ec);
    }
}

std::vector<view_day> sql_store::view_days(std::string_view bundle_id, std::int64_t from, std::int64_t to,
                                           std::error_code& ec) {
    return statement(*db_, sql::view_days_of)
        .bind(bundle_id)
        .bind(from)
        .bind(to)
        .query_all(
            [](statement const& row) {
                return view_day{row.integer(0), count_at(row, 1), count_at(row, 2), count_at(row, 3)};
            },
            ec);
}

std::vector<referrer_count> sql_store::view_referrers(std::string_view bundle_id, std::int64_t from,
                                                      std::int64_t to, std::size_t limit,
                                                      std::error_code& ec) {
    return statement(*db_, sql::view_referrers_of)
        .bind(bundle_id)
        .bind(from)
        .bind(to)
        .bind(static_cast<std::int64_t>(limit))
        .query_all(
            [](statement const& row) {
                return referrer_count{row.text(0), count_at(row, 1)};
            },
            ec);
}

std::map<std::string, view_totals> sql_store::all_view_totals(std::error_code& ec) {
    std::map<std::string, view_totals> out;
    for (auto& [id, totals] :
         statement(*db_, sql::view_totals)
             .query_all(
                 [](statement const& row) {
                     return std::pair{row.text(0), view_totals{count_at(row, 1), count_at(row, 2)}};
                 },
                 ec)) {
        out.emplace(std::move(id), totals);
    }
    return out;
}

std::vector<bundle_magnet> sql_store::bundle_magnets(std::error_code& ec) {
    return statement(*db_, sql::bundle_magnets)
        .query_all(
            [](statement const& row) {
                return bundle_magnet{row.text(0), count_at(row, 1), row.text(2)};
            },
            ec);
}

void sql_store::record_swarm(swarm_reading const& r, std::int64_t now, std::error_code& ec) {
    statement(*db_, sql::record_swarm)
        .bind(r.bundle_id)
        .bind(static_cast<std::int64_t>(r.version))
        .bind(r.info_hash)
        .bind(r.day)
        .bind(static_cast<std::int64_t>(r.seeds))
        .bind(static_cast<std::int64_t>(r.leechers))
        .bind(static_cast<std::int64_t>(r.downloaded))
        .bind(now)
        .execute(ec);
}

std::vector<swarm_reading> sql_store::swarm_days(std::string_view bundle_id, std::error_code& ec) {
    return statement(*db_, sql::swarm_days_of)
        .bind(bundle_id)
        .query_all(
            [&](statement const& row) {
                return swarm_reading{std::string(bundle_id), count_at(row, 1), row.text(2),
                                     row.integer(0),         count_at(row, 3), count_at(row, 4),
                                     count_at(row, 5)};
            },
            ec);
}

void sql_store::record_plays(play_report const& report, std::error_code& ec) {
    transaction tx(*db_, ec);
    auto const count = [&](std::string const& item, char const* event, std::uint64_t plays) {
        if (!ec && plays != 0) {
            statement(*db_, sql::count_plays)
                .bind(report.bundle_id)
                .bind(static_cast<std::int64_t>(report.version))
                .bind(report.day)
                .bind(item)
                .bind(event)
                .bind(static_cast<std::int64_t>(plays))
                .execute(ec);
        }
    };
    for (auto const& i : report.items) {
        count(i.item, "started", i.started);
        count(i.item, "finished", i.finished);
    }
    if (!ec) {
        tx.commit(ec);
    }
}

std::vector<version_plays> sql_store::plays_by_version(std::string_view bundle_id, std::error_code& ec) {
    return statement(*db_, sql::plays_by_version)
        .bind(bundle_id)
        .query_all(
            [](statement const& row) {
                return version_plays{count_at(row, 0), row.text(1), count_at(row, 2)};
            },
            ec);
}

std::vector<day_count> sql_store::daily(daily_series series, std::string_view id, std::error_code& ec) {
    auto const* sql = series == daily_series::unlocks             ? sql::daily_unlocks
                      : series == daily_series::pledges_confirmed ? sql::daily_pledges_confirmed
                      : series == daily_series::pledges_cancelled ? sql::daily_pledges_cancelled
                      : series == daily_series::plays             ? sql::daily_plays
                                                                  : sql::daily_charges_succeeded;
    return statement(*db_, sql).bind(id).query_all(
        [](statement const& row) {
            return day_count{row.integer(0), row.text(1), count_at(row, 2), count_at(row, 3)};
        },
        ec);
}

} // namespace sluice::gate
