#pragma once

#include "sluice-gate/http_types.hpp"

#include <boost/asio/io_context.hpp>

#include <functional>
#include <utility>

namespace sluice::gate {

// How a handler answers: at once (most do), or later, when what it waits for is done elsewhere (the mail
// command runs on a worker thread). The answer is always given on `owner`'s thread, the one that owns the
// gate_context, so handlers never share state with another thread. Called exactly once per request.
class responder {
public:
    using executor_type = boost::asio::io_context::executor_type;

    responder(executor_type owner, std::function<void(gate_response)> respond)
        : owner_(std::move(owner)), respond_(std::move(respond)) {}

    void operator()(gate_response response) const { respond_(std::move(response)); }
    executor_type const& owner() const { return owner_; }

private:
    executor_type owner_;
    std::function<void(gate_response)> respond_;
};

} // namespace sluice::gate
