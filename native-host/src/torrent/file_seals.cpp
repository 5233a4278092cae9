#include "torrent/file_seals.hpp"

#include <sys/stat.h>

namespace sluice::torrent {

namespace {

file_look from_stat(struct stat const& st) {
    return {static_cast<std::uint64_t>(st.st_dev), static_cast<std::uint64_t>(st.st_ino),
            static_cast<std::int64_t>(st.st_size),
            static_cast<std::int64_t>(st.st_ctim.tv_sec) * 1'000'000'000 + st.st_ctim.tv_nsec};
}

} // namespace

std::optional<file_look> look_at(int fd) {
    struct stat st {};
    if (::fstat(fd, &st) != 0) {
        return std::nullopt;
    }
    return from_stat(st);
}

std::optional<file_look> look_at(std::string const& path) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) {
        return std::nullopt;
    }
    return from_stat(st);
}

void file_seals::seal(std::string const& torrent, int file, file_look const& look) {
    seals_[{torrent, file}] = look;
}

bool file_seals::intact(std::string const& torrent, int file, file_look const& now) const {
    auto const it = seals_.find({torrent, file});
    return it == seals_.end() || it->second == now;
}

void file_seals::forget(std::string const& torrent) {
    seals_.erase(seals_.lower_bound({torrent, -1}), seals_.upper_bound({torrent, 1 << 30}));
}

} // namespace sluice::torrent
