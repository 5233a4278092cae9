#include "sluice-gate/copy_text.hpp"

namespace sluice::gate {

void append_copy_value(std::string& rows, std::string_view value, bool first) {
    if (!first) {
        rows += '\t';
    }
    for (char const c : value) {
        switch (c) {
        case '\\':
            rows += "\\\\";
            break;
        case '\t':
            rows += "\\t";
            break;
        case '\n':
            rows += "\\n";
            break;
        case '\r':
            rows += "\\r";
            break;
        default:
            rows += c;
        }
    }
}

void append_copy_null(std::string& rows, bool first) {
    rows += first ? "\\N" : "\t\\N";
}

void end_copy_row(std::string& rows) {
    rows += '\n';
}

} // namespace sluice::gate
