#include "stream/torrent_piece_source.hpp"

#include "stream/stream_server.hpp"

#include <libtorrent/torrent_status.hpp>

namespace sluice::stream {

torrent_piece_source::torrent_piece_source(stream_server& server)
    : server_(server), server_alive_(server.alive_token()) {}

void torrent_piece_source::attach(lt::torrent_handle handle, std::string id) {
    handle_ = std::move(handle);
    id_ = std::move(id);
}

std::optional<lt::typed_bitfield<lt::piece_index_t>> torrent_piece_source::verified_pieces() {
    try {
        return handle_.status(lt::torrent_handle::query_pieces).pieces;
    } catch (std::exception const&) {
        return std::nullopt; // the torrent was removed
    }
}

bool torrent_piece_source::have_piece(int piece) {
    return handle_.have_piece(lt::piece_index_t(piece));
}

void torrent_piece_source::set_deadline(int piece, int milliseconds) {
    handle_.set_piece_deadline(lt::piece_index_t(piece), milliseconds);
}

void torrent_piece_source::reset_deadlines(int from, int until) {
    if (!handle_.is_valid()) {
        return;
    }
    // The torrent may have been removed since (the handle then throws): nothing left to clear.
    try {
        for (int p = from; p < until; ++p) {
            handle_.reset_piece_deadline(lt::piece_index_t(p));
        }
    } catch (std::exception const&) {
    }
}

void torrent_piece_source::drop_all_deadlines() {
    try {
        handle_.clear_piece_deadlines();
    } catch (std::exception const&) {
    }
    server_.next_deadline_epoch(id_);
}

std::uint64_t torrent_piece_source::deadline_epoch() {
    return server_.deadline_epoch(id_);
}

std::uint64_t torrent_piece_source::notify_when_verified(int piece, std::function<void(bool)> ready) {
    return server_.wait_for_piece(id_, piece, std::move(ready));
}

void torrent_piece_source::cancel_notify(int piece, std::uint64_t ticket) {
    if (server_alive_.lock()) {
        server_.cancel_wait(id_, piece, ticket);
    }
}

} // namespace sluice::stream
