// Viewers' translations, in the SQL store (gate_store.hpp).
#include "sluice-gate/sql_statement.hpp"
#include "sluice-gate/sql_store.hpp"
#include "sluice-gate/translations_sql.hpp"

namespace sluice::gate {

namespace {

translation_submission submission_of(statement const& row) {
    translation_submission t;
    t.id = row.text(0);
    t.bundle_id = row.text(1);
    t.version = static_cast<std::uint64_t>(row.integer(2));
    t.item = row.text(3);
    t.lang = row.text(4);
    t.label = row.text(5);
    t.translator = row.text(6);
    t.licence = row.text(7);
    t.based_on = row.text(8);
    t.track = row.text(9);
    t.sha256 = row.text(10);
    t.submitted_at = row.integer(11);
    t.state = row.text(12);
    t.reviewed_at = row.maybe_integer(13);
    t.reason = row.text(14);
    t.addon = row.text(15);
    return t;
}

} // namespace

void sql_store::add_translation(translation_submission const& t, std::error_code& ec) {
    statement(*db_, sql::insert_translation)
        .bind(t.id)
        .bind(t.bundle_id)
        .bind(static_cast<std::int64_t>(t.version))
        .bind(t.item)
        .bind(t.lang)
        .bind(t.label)
        .bind(t.translator)
        .bind(t.licence)
        .bind_or_null(t.based_on.empty() ? std::nullopt : std::optional<std::string>(t.based_on))
        .bind(t.track)
        .bind(t.sha256)
        .bind(t.submitted_at)
        .execute(ec);
}

std::optional<translation_submission> sql_store::find_translation(std::string_view id, std::error_code& ec) {
    return statement(*db_, sql::find_translation).bind(id).query_one(submission_of, ec);
}

std::vector<translation_submission> sql_store::translations(std::string_view bundle_id,
                                                            std::string_view state, std::error_code& ec) {
    return statement(*db_, sql::list_translations)
        .bind(bundle_id)
        .bind(bundle_id)
        .bind(state)
        .bind(state)
        .query_all(submission_of, ec);
}

bool sql_store::review_translation(std::string_view id, std::string_view state, std::int64_t reviewed_at,
                                   std::string_view reason, std::string_view addon, std::error_code& ec) {
    return statement(*db_, sql::review_translation)
               .bind(state)
               .bind(reviewed_at)
               .bind_or_null(reason.empty() ? std::nullopt : std::optional<std::string>(reason))
               .bind_or_null(addon.empty() ? std::nullopt : std::optional<std::string>(addon))
               .bind(id)
               .execute(ec) == 1;
}

} // namespace sluice::gate
