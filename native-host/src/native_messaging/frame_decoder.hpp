#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>
#include <string>

namespace sluice::native_messaging {

// What the decoder found in the byte stream.
enum class frame_event {
    frame,       // a complete body of 1..limit bytes
    empty_frame, // a header announcing zero bytes; nothing to answer, but worth an error reply
    oversized,   // a header announcing more than the limit; its body is skipped without being stored
    truncated,   // end of input inside a header or a body (reported by finish())
};

// Incremental decoder for native-messaging framing: a 32-bit length in native byte order, then that many
// bytes of UTF-8 JSON. Bytes arrive in any chunking; the decoder allocates a body only after its header
// passed the limit check, so a hostile length costs nothing. An oversized frame is skipped byte by byte as
// it arrives (the stream stays in step), which is how the host survives one and keeps serving.
class frame_decoder {
public:
    // Called for every event; `body` is the frame body for frame_event::frame, else empty.
    // `announced` is the length the header claimed.
    using sink = std::function<void(frame_event, std::string body, std::uint64_t announced)>;

    explicit frame_decoder(std::uint32_t max_body_bytes, sink on_event);

    // Feeds more bytes; events fire synchronously from inside this call.
    void feed(std::span<char const> bytes);

    // Declares end of input. Reports frame_event::truncated if it ended inside a frame; returns whether
    // the stream ended cleanly on a frame boundary.
    bool finish();

    // Bytes still to skip of an oversized frame (0 when not skipping).
    std::uint64_t skipping() const { return skip_left_; }

private:
    std::uint32_t max_body_;
    sink on_event_;
    unsigned char header_[4]{};
    std::size_t header_have_ = 0;
    bool in_body_ = false;
    std::string body_;
    std::size_t body_want_ = 0;
    std::uint64_t skip_left_ = 0;
};

} // namespace sluice::native_messaging
