#pragma once

#include "bundle/locked_reader.hpp"

#include <boost/asio/thread_pool.hpp>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>

namespace sluice::stream {

// Plaintext of a locked item, decrypted from the chunks of one run.
struct plain_run {
    std::uint64_t at = 0; // where the first byte is in the item's plaintext
    std::unique_ptr<unsigned char[]> data;
    std::size_t size = 0;
    bool ends_short = false; // the chunk after these bytes did not authenticate: the response ends after them

    std::span<unsigned char const> bytes() const { return {data.get(), size}; }
};

// Decrypts plaintext [at, until) of `reader`'s item on `pool`, cut into at most `parts` runs of whole chunks
// decrypted side by side, each straight into its place in `buffer` (at least until - at bytes; a run handed
// back when its bytes were sent, so that a stream does not map and fault in fresh pages for every run).
// Calls `done` once, on a pool thread, when all parts are done. A chunk that does not authenticate ends the
// run before it, whatever the parts after it decrypted: those bytes are never handed on.
void decrypt_run(boost::asio::thread_pool::executor_type pool, int parts,
                 std::shared_ptr<bundle::locked_reader const> reader, std::uint64_t at, std::uint64_t until,
                 std::unique_ptr<unsigned char[]> buffer, std::string path,
                 std::function<void(std::shared_ptr<plain_run>)> done);

} // namespace sluice::stream
