#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace sluice::gate {

// The addresses the email gate accepts, and the one spelling it keeps of each (protocol/gate-api.md,
// "Email addresses"). Deliberately narrower than RFC 5322: an address a mail server would take but a person
// would never type (quoted local parts, comments, IP literals, dotless domains) is refused, so that one
// mailbox has one normalised spelling to count rate limits and unlocks against.
//   - ASCII spaces and tabs around the address are trimmed; any other space (Unicode White_Space, U+2028 and
//     U+2029 among them) or control character (U+0000 to U+001F, U+007F to U+009F) is refused
//   - at most 254 bytes after trimming; exactly one '@'
//   - local part: 1 to 64 bytes, kept as typed (its case may matter to the receiving server); no '"', '(',
//     ')', ',', ':', ';', '<', '>', '[', ']', '\'; no leading, trailing or doubled '.'; UTF-8 allowed
//   - domain: lower-cased; ASCII only (internationalised names in their xn-- form); at least two labels of
//     1 to 63 letters, digits and '-', not starting or ending with '-'; the last label not all digits
struct email_check {
    std::optional<std::string> address; // normalised
    std::string problem;                // for a person, when refused

    explicit operator bool() const { return address.has_value(); }
};

email_check normalise_email(std::string_view input);

} // namespace sluice::gate
