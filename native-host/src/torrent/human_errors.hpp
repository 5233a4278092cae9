#pragma once

#include <string>
#include <system_error>

namespace sluice::torrent {

// What a person should read when a torrent fails: what happened and what to do, not an errno.
// `where` is the file or folder concerned (may be empty).
std::string describe_storage_error(std::error_code const& ec, std::string const& where);

// A tracker's failure, with the tracker named (trackers are third parties: say whose problem it is).
std::string describe_tracker_error(std::string const& tracker, std::error_code const& ec,
                                   std::string const& tracker_message);

} // namespace sluice::torrent
