// Native-messaging framing over Boost.Process pipes, as a browser speaks to a host.
#pragma once

#include <boost/process/pipe.hpp>

#include <cstdint>
#include <string>

namespace sluice::bench {

// A 32-bit length in native byte order, then that many bytes of UTF-8 JSON.
std::string make_frame(std::string const& body);
void write_all(boost::process::pipe& to_child, std::string const& bytes);
// A bench_error when the child closes its stdout before `size` bytes came.
void read_exact(boost::process::pipe& from_child, char* data, std::size_t size);
// Reads one frame into `body`; a frame announcing more than `max_bytes` is a broken stream, not a reply.
void read_frame(boost::process::pipe& from_child, std::string& body, std::uint32_t max_bytes);

} // namespace sluice::bench
