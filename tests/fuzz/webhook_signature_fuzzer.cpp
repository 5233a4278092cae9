// libFuzzer entry point: the signature a payment provider puts on each webhook (the Sluice-Signature header,
// sluice-gate's webhook_signature), the one thing that stands between anyone on the network and a payment
// marked paid. The input is the header's value up to the first line feed, and the webhook's body after it.
// Besides what the parser accepts, each input checks the whole check: the fuzzer signs the body as the
// provider would, at the header's time, and the gate must take exactly that signature and no near miss.

#include "sluice-gate/webhook_signature.hpp"

#include <sodium.h>

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

namespace {

using namespace sluice::gate;

constexpr std::string_view secret = "whsec_0123456789abcdef";

void require(bool condition) {
    if (!condition) {
        std::abort();
    }
}

std::string hex(std::array<unsigned char, 32> const& bytes) {
    static constexpr char digits[] = "0123456789abcdef";
    std::string out;
    for (unsigned char b : bytes) {
        out += digits[b >> 4];
        out += digits[b & 15];
    }
    return out;
}

// What an accepted header promises: the form parse_signature_header states, whatever the bytes were.
void check_parsed(signature_header const& h, std::string_view text) {
    require(!text.empty() && text.size() <= max_signature_header_bytes);
    require(!h.timestamp.empty() && h.timestamp.size() <= 12);
    require(std::all_of(h.timestamp.begin(), h.timestamp.end(), [](char c) { return c >= '0' && c <= '9'; }));
    std::int64_t value = 0;
    for (char c : h.timestamp) {
        value = value * 10 + (c - '0');
    }
    require(h.unix_time == value);
    require(!h.v1.empty() && h.v1.size() <= 8);

    // Written again in the canonical form, it reads back the same.
    std::string again = "t=" + h.timestamp;
    for (auto const& v : h.v1) {
        again += ",v1=" + hex(v);
    }
    auto const reread = parse_signature_header(again);
    require(reread && reread->timestamp == h.timestamp && reread->v1 == h.v1);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size) {
    static bool const ready = sodium_init() >= 0;
    require(ready);
    std::string_view const input(reinterpret_cast<char const*>(data), size);
    auto const newline = input.find('\n');
    std::string const header(input.substr(0, newline));
    auto const body = newline == std::string_view::npos ? std::string_view{} : input.substr(newline + 1);

    require(check_webhook_signature(nullptr, secret, body, 0) == webhook_check::malformed_header);
    auto const parsed = parse_signature_header(header);
    std::string timestamp = "1767225600";
    if (parsed) {
        check_parsed(*parsed, header);
        timestamp = parsed->timestamp;
        auto const t = parsed->unix_time;
        auto const at_t = check_webhook_signature(&header, secret, body, t);
        require(at_t == (signature_matches(*parsed, secret, body) ? webhook_check::valid
                                                                  : webhook_check::bad_signature));
        require(check_webhook_signature(&header, secret, body, t + webhook_tolerance_seconds + 1) ==
                webhook_check::expired);
        require(check_webhook_signature(&header, secret, body, t - webhook_tolerance_seconds - 1) ==
                webhook_check::expired);
    } else {
        require(check_webhook_signature(&header, secret, body, 1767225600) ==
                webhook_check::malformed_header);
    }

    // The provider's own signature of this body at that time is taken; one digit off, or another secret's,
    // is not.
    auto const now = std::stoll(timestamp);
    auto const mac = hex(webhook_hmac(secret, timestamp, body));
    std::string const good = "t=" + timestamp + ",v1=" + mac;
    require(check_webhook_signature(&good, secret, body, now) == webhook_check::valid);
    auto off = mac;
    auto const at = size % off.size();
    off[at] = off[at] == '0' ? '1' : '0';
    std::string const near_miss = "t=" + timestamp + ",v1=" + off;
    require(check_webhook_signature(&near_miss, secret, body, now) == webhook_check::bad_signature);
    // A provider rolling its secret signs with both: either one is enough.
    std::string const both = near_miss + ",v1=" + mac;
    require(check_webhook_signature(&both, secret, body, now) == webhook_check::valid);
    require(check_webhook_signature(&good, "whsec_0123456789abcdeF", body, now) ==
            webhook_check::bad_signature);
    return 0;
}
