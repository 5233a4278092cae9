// Reading a benchmark's command line.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

namespace sluice::bench {

// Walks a command line of flags, each `--name VALUE` or a bare `--name`:
//
//     bench::arg_reader args(argc, argv);
//     while (args.next()) {
//         if (args.is("--runs")) {
//             o.runs = args.number(1, 1000);
//         } else if (args.is("--json")) {
//             o.json = true;
//         } else {
//             args.unknown();
//         }
//     }
//
// Every mistake is a usage_error that names the flag. `--help` never reaches it: run_main answers that.
class arg_reader {
public:
    arg_reader(int argc, char** argv);

    // Moves to the next flag; false after the last.
    bool next();
    bool is(std::string_view flag) const { return flag_ == flag; }
    std::string const& flag() const { return flag_; }

    // The argument after the flag, taken.
    std::string value();
    // The value as a whole number from `minimum` to `maximum`.
    std::uint64_t number(std::uint64_t minimum, std::uint64_t maximum);
    // The value, which must be one of `choices`.
    std::string choice(std::initializer_list<std::string_view> choices);
    [[noreturn]] void unknown() const;

private:
    std::vector<std::string> args_;
    std::size_t next_ = 0;
    std::string flag_;
};

// `text` as a whole number from `minimum` to `maximum`; a usage_error naming `what` otherwise.
std::uint64_t parse_number(std::string_view what, std::string const& text, std::uint64_t minimum,
                           std::uint64_t maximum);

} // namespace sluice::bench
