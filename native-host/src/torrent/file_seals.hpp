#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>

namespace sluice::torrent {

// How a file looks on disk, in the parts any write to it changes: an inode's ctime moves with every write,
// truncation or rename and cannot be set back by a program (unlike its mtime).
struct file_look {
    std::uint64_t device = 0;
    std::uint64_t inode = 0;
    std::int64_t size = 0;
    std::int64_t ctime_ns = 0;

    bool operator==(file_look const&) const = default;
};

std::optional<file_look> look_at(int fd);
std::optional<file_look> look_at(std::string const& path);

// What each file looked like when libtorrent had verified every piece of it. libtorrent never writes to a
// verified piece again, so a sealed file that looks otherwise was changed by another program, and its bytes
// are no longer the ones the hashes vouched for: the stream server asks before it serves from a file, and
// the torrent is checked again instead of streaming what changed. Files not yet complete are not sealed:
// libtorrent is still writing them.
class file_seals {
public:
    void seal(std::string const& torrent, int file, file_look const& look);
    // False only when `file` was sealed and `now` differs from the seal.
    bool intact(std::string const& torrent, int file, file_look const& now) const;
    void forget(std::string const& torrent);

private:
    std::map<std::pair<std::string, int>, file_look> seals_;
};

} // namespace sluice::torrent
