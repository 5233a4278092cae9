#include "torrent/human_errors.hpp"

#include <cerrno>

namespace sluice::torrent {

std::string describe_storage_error(std::error_code const& ec, std::string const& where) {
    auto const place = where.empty() ? std::string("the download folder") : where;
    if (ec.category() == std::generic_category() || ec.category() == std::system_category()) {
        switch (ec.value()) {
        case ENOSPC:
        case EDQUOT:
            return "The disk is full: free some space where " + place + " is saved, then resume the torrent.";
        case EACCES:
        case EPERM:
        case EROFS:
            return "Sluice is not allowed to write " + place +
                   ": check the folder's permissions or choose another download folder.";
        case ENOENT:
            return place + " has disappeared (a removed drive or a deleted folder?); reconnect it or "
                           "choose another download folder.";
        case EIO:
            return "The disk reported a read/write error on " + place + "; it may be failing.";
        default:
            break;
        }
    }
    return "Could not use " + place + ": " + ec.message() + ".";
}

std::string describe_tracker_error(std::string const& tracker, std::error_code const& ec,
                                   std::string const& tracker_message) {
    if (!tracker_message.empty()) {
        return "The tracker " + tracker + " refused: " + tracker_message +
               ". Other peers may still be found.";
    }
    return "The tracker " + tracker + " could not be reached (" + ec.message() +
           "). Other peers may still be found.";
}

} // namespace sluice::torrent
