#include "native_messaging/frame_decoder.hpp"

#include <algorithm>
#include <cstring>

namespace sluice::native_messaging {

frame_decoder::frame_decoder(std::uint32_t max_body_bytes, sink on_event)
    : max_body_(max_body_bytes), on_event_(std::move(on_event)) {}

void frame_decoder::feed(std::span<char const> bytes) {
    while (!bytes.empty()) {
        if (skip_left_ > 0) {
            auto const n = static_cast<std::size_t>(std::min<std::uint64_t>(skip_left_, bytes.size()));
            skip_left_ -= n;
            bytes = bytes.subspan(n);
            continue;
        }
        if (!in_body_) {
            auto const n = std::min(sizeof header_ - header_have_, bytes.size());
            std::memcpy(header_ + header_have_, bytes.data(), n);
            header_have_ += n;
            bytes = bytes.subspan(n);
            if (header_have_ < sizeof header_) {
                return;
            }
            header_have_ = 0;
            std::uint32_t length = 0;
            std::memcpy(&length, header_, sizeof length); // native byte order, as the browsers write it
            if (length == 0) {
                on_event_(frame_event::empty_frame, {}, 0);
            } else if (length > max_body_) {
                skip_left_ = length;
                on_event_(frame_event::oversized, {}, length);
            } else {
                in_body_ = true;
                body_want_ = length;
                body_.clear();
                body_.reserve(length);
            }
            continue;
        }
        auto const n = std::min(body_want_ - body_.size(), bytes.size());
        body_.append(bytes.data(), n);
        bytes = bytes.subspan(n);
        if (body_.size() == body_want_) {
            in_body_ = false;
            std::string done;
            done.swap(body_);
            on_event_(frame_event::frame, std::move(done), body_want_);
        }
    }
}

bool frame_decoder::finish() {
    if (header_have_ > 0 || in_body_ || skip_left_ > 0) {
        auto const announced = in_body_ ? body_want_ : skip_left_;
        header_have_ = 0;
        in_body_ = false;
        skip_left_ = 0;
        body_.clear();
        on_event_(frame_event::truncated, {}, announced);
        return false;
    }
    return true;
}

} // namespace sluice::native_messaging
