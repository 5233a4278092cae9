#pragma once

#include <string>
#include <string_view>

namespace sluice::gate {

// Rows in the text format of PostgreSQL's COPY ... FROM STDIN (pg_connection::copy_in): columns apart by a
// tab, each row ended by a newline, NULL written \N. Within a value a backslash starts an escape, so the
// backslash itself and the characters that would end a column or a row (tab, newline, carriage return) are
// escaped; every other byte goes as it is.

// Appends one column's value, after a tab unless it is the row's first.
void append_copy_value(std::string& rows, std::string_view value, bool first);
void append_copy_null(std::string& rows, bool first);
void end_copy_row(std::string& rows);

} // namespace sluice::gate
