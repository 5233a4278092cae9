#include "support/args.hpp"

#include "support/bench_main.hpp"

#include <exception>

namespace sluice::bench {

arg_reader::arg_reader(int argc, char** argv) : args_(argv + (argc > 0 ? 1 : 0), argv + argc) {}

bool arg_reader::next() {
    if (next_ >= args_.size()) {
        return false;
    }
    flag_ = args_[next_++];
    return true;
}

std::string arg_reader::value() {
    if (next_ >= args_.size()) {
        throw usage_error(flag_ + " needs a value");
    }
    return args_[next_++];
}

std::uint64_t arg_reader::number(std::uint64_t minimum, std::uint64_t maximum) {
    return parse_number(flag_, value(), minimum, maximum);
}

std::string arg_reader::choice(std::initializer_list<std::string_view> choices) {
    auto text = value();
    std::string listed;
    for (auto const c : choices) {
        if (text == c) {
            return text;
        }
        listed += (listed.empty() ? "" : ", ") + std::string(c);
    }
    throw usage_error(flag_ + " takes " + listed + ", not \"" + text + "\"");
}

void arg_reader::unknown() const {
    throw usage_error("unknown argument \"" + flag_ + "\"");
}

std::uint64_t parse_number(std::string_view what, std::string const& text, std::uint64_t minimum,
                           std::uint64_t maximum) {
    std::size_t used = 0;
    unsigned long long value = 0;
    try {
        value = std::stoull(text, &used);
    } catch (std::exception const&) {
        used = 0;
    }
    if (used != text.size() || text.starts_with('-') || value < minimum || value > maximum) {
        throw usage_error(std::string(what) + " wants a whole number from " + std::to_string(minimum) +
                          " to " + std::to_string(maximum) + ", not \"" + text + "\"");
    }
    return value;
}

} // namespace sluice::bench
