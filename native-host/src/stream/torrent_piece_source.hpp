#pragma once

#include "stream/piece_waiter.hpp"

#include <libtorrent/torrent_handle.hpp>

#include <memory>
#include <string>

namespace sluice::stream {

class stream_server;

// The piece_source of a real torrent: libtorrent's handle for pieces and deadlines, the stream server for
// the announcement of a verified piece. Calls into the handle throw as libtorrent's do once the torrent is
// gone, except where said.
class torrent_piece_source final : public piece_source {
public:
    explicit torrent_piece_source(stream_server& server);

    // The torrent whose pieces the next response reads.
    void attach(lt::torrent_handle handle, std::string id);

    std::optional<lt::typed_bitfield<lt::piece_index_t>> verified_pieces() override;
    bool have_piece(int piece) override;
    void set_deadline(int piece, int milliseconds) override;
    // Never throws: the torrent may have been removed since the deadlines were set.
    void reset_deadlines(int from, int until) override;
    // Never throws, like reset_deadlines.
    void drop_all_deadlines() override;
    std::uint64_t deadline_epoch() override;
    std::uint64_t notify_when_verified(int piece, std::function<void(bool)> ready) override;
    // Nothing once the server is gone (a session can outlive it in a handler the io_context still holds).
    void cancel_notify(int piece, std::uint64_t ticket) override;

private:
    stream_server& server_;
    std::weak_ptr<void> server_alive_;
    lt::torrent_handle handle_;
    std::string id_;
};

} // namespace sluice::stream
