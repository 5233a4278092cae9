#pragma once

#include <string_view>

namespace sluice::native_messaging {

// The owner's first bytes on every relay connection it takes: an empty frame (a zero length header), which
// no JSON-RPC message can be, so it never reaches a browser. The owner writes it before it reads anything
// from that relay. A relay whose connection ends before the greeting therefore knows that the owner never
// read a byte it sent — the owner was leaving, and closed a connection it had not taken — and may send all
// of it again to the next owner. After the greeting, an end is a real loss: a request may have been acted
// on without its answer, and is never sent twice.
inline constexpr std::string_view attach_greeting{"\0\0\0\0", 4};

} // namespace sluice::native_messaging
