#pragma once

#include <optional>
#include <string>
#include <utility>

namespace sluice::publisher {

// A value, or what went wrong in words for the person at the terminal: which file or spec member, and why.
// The commands report failures to a creator, not to a program, so a sentence carries more than an
// error_code; the few places that only do I/O take std::error_code& instead and are worded by their caller.
template <typename T>
struct result {
    std::optional<T> value;
    std::string error;

    result() = default;
    result(T v) : value(std::move(v)) {}

    static result failure(std::string message) {
        result r;
        r.error = std::move(message);
        return r;
    }

    explicit operator bool() const { return value.has_value(); }
    T& operator*() { return *value; }
    T const& operator*() const { return *value; }
    T* operator->() { return &*value; }
    T const* operator->() const { return &*value; }
};

struct done {};
using status = result<done>;

inline status ok() {
    return done{};
}

} // namespace sluice::publisher
