#include "sluice-gate/sql_statement.hpp"

namespace sluice::gate {

namespace {

class store_error_category final : public std::error_category {
public:
    char const* name() const noexcept override { return "store"; }
    std::string message(int value) const override {
        return static_cast<store_errc>(value) == store_errc::unexpected_row
                   ? "a statement meant to change rows answered a row"
                   : "a row the store relies on is missing";
    }
};

} // namespace

std::error_category const& store_category() {
    static store_error_category const instance;
    return instance;
}

std::error_code make_error_code(store_errc e) {
    return {static_cast<int>(e), store_category()};
}

statement& statement::bind(std::string_view text) {
    stmt_->bind_text(text);
    return *this;
}

statement& statement::bind(std::int64_t value) {
    stmt_->bind_integer(value);
    return *this;
}

statement& statement::bind(std::optional<std::int64_t> value) {
    if (value) {
        stmt_->bind_integer(*value);
    } else {
        stmt_->bind_null();
    }
    return *this;
}

statement& statement::bind_or_null(std::optional<std::string> const& text) {
    if (text) {
        stmt_->bind_text(*text);
    } else {
        stmt_->bind_null();
    }
    return *this;
}

std::uint64_t statement::execute(std::error_code& ec) {
    if (stmt_->step(ec)) {
        ec = store_errc::unexpected_row;
        return 0;
    }
    return ec ? 0 : stmt_->changes();
}

std::optional<std::int64_t> statement::maybe_integer(int column) const {
    return is_null(column) ? std::nullopt : std::optional<std::int64_t>(integer(column));
}

transaction::transaction(sql_connection& db, std::error_code& ec) : db_(db) {
    db_.begin(ec);
    open_ = !ec;
}

transaction::~transaction() {
    if (open_) {
        db_.rollback();
    }
}

void transaction::commit(std::error_code& ec) {
    open_ = false;
    db_.commit(ec);
}

} // namespace sluice::gate
