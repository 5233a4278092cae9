#pragma once

// The statements of viewers' translations (translation_handlers.hpp), in the dialect of gate_sql.hpp. Reads
// take the same columns in the same order (sql_store_translations.cpp reads them by position); lists leave
// the track out.

namespace sluice::gate::sql {

inline constexpr char const* insert_translation =
    "INSERT INTO translation_submissions (id, bundle_id, version, item, lang, label, translator, licence, "
    "based_on, track, sha256, submitted_at, state) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending')";
inline constexpr char const* find_translation =
    "SELECT id, bundle_id, version, item, lang, label, translator, licence, COALESCE(based_on, ''), track, "
    "sha256, submitted_at, state, reviewed_at, COALESCE(reason, ''), COALESCE(addon, '') "
    "FROM translation_submissions WHERE id = ?";
inline constexpr char const* list_translations =
    "SELECT id, bundle_id, version, item, lang, label, translator, licence, COALESCE(based_on, ''), '', "
    "sha256, submitted_at, state, reviewed_at, COALESCE(reason, ''), COALESCE(addon, '') "
    "FROM translation_submissions WHERE (? = '' OR bundle_id = ?) AND (? = '' OR state = ?) "
    "ORDER BY submitted_at, id";
inline constexpr char const* review_translation =
    "UPDATE translation_submissions SET state = ?, reviewed_at = ?, reason = ?, addon = ? "
    "WHERE id = ? AND state = 'pending'";

} // namespace sluice::gate::sql
