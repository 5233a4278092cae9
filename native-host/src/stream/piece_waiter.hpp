#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <libtorrent/bitfield.hpp>
#include <libtorrent/units.hpp>

#include <cstdint>
#include <functional>
#include <optional>
#include <utility>

namespace sluice::stream {

namespace lt = libtorrent;

// What piece_waiter asks of the torrent: libtorrent's handle and the stream server's piece notifications
// in the host (torrent_piece_source), a table in tests.
class piece_source {
public:
    virtual ~piece_source() = default;

    // The pieces whose hash passed; nullopt once the torrent is gone.
    virtual std::optional<lt::typed_bitfield<lt::piece_index_t>> verified_pieces() = 0;
    // Whether all of a piece is on disk, which can be a moment after its hash passed.
    virtual bool have_piece(int piece) = 0;
    virtual void set_deadline(int piece, int milliseconds) = 0;
    // Drops the deadlines of pieces [from, until); nothing to do once the torrent is gone.
    virtual void reset_deadlines(int from, int until) = 0;
    // Drops every deadline of the torrent, every reader's. With none left, the next deadline set makes
    // libtorrent cancel what the peers' queues hold for pieces without one, so that the new reader's pieces
    // are asked for next instead of after seconds of queued blocks. Counts a new epoch of deadlines.
    virtual void drop_all_deadlines() = 0;
    // How many times the torrent's deadlines were all dropped, by any reader: a reader whose window was
    // dropped sets it again.
    virtual std::uint64_t deadline_epoch() = 0;
    // Calls `ready(true)` once `piece` passes its check, or `ready(false)` if the torrent goes away. The
    // ticket is for cancel_notify.
    virtual std::uint64_t notify_when_verified(int piece, std::function<void(bool)> ready) = 0;
    virtual void cancel_notify(int piece, std::uint64_t ticket) = 0;
};

// Where a file lies in its torrent's byte space.
struct file_geometry {
    std::int64_t offset = 0;
    std::int64_t size = 0;
    int piece_length = 0;
};

// The pieces under one stream session's reader: which of them may be read from disk, the deadlines that
// pull the next ones in first, and the wait for one that is not there yet. Positions are bytes of the file
// (a locked item's sealed bytes). Lives on the session's strand; a wait's callbacks hold what `done` holds,
// which is how the session stays alive through a wait.
class piece_waiter {
public:
    piece_waiter(boost::asio::any_io_executor executor, piece_source& source);

    // A new response begins on `file`; `verified` is what the torrent had of it a moment ago. A complete
    // (seeding) torrent is read without asking about pieces, and without deadlines.
    void start(file_geometry file, bool complete, lt::typed_bitfield<lt::piece_index_t> verified);
    // Where this request began reading (a start, a seek): the deadline window opens from there. If that
    // piece is not there yet, this reader's window goes before every other's (see drop_all_deadlines).
    void set_request_start(std::uint64_t pos) {
        request_first_piece_ = piece_at(pos);
        fresh_request_ = true;
    }

    int piece_at(std::uint64_t pos) const {
        return static_cast<int>((file_.offset + static_cast<std::int64_t>(pos)) / file_.piece_length);
    }
    bool complete() const { return complete_; }

    // What the torrent has now, fetched once per round of sending; false once the torrent is gone.
    bool refresh();
    bool have_piece(int piece);
    // The first piece holding bytes [first, last] that cannot be read yet.
    std::optional<int> first_missing(std::uint64_t first, std::uint64_t last);
    // Where a run from `pos` (whose piece is there) ends: at the first piece that is not, at `end`, or once
    // it holds `max_bytes` (at the end of the piece that passes it, when pieces are asked about).
    std::uint64_t run_end(std::uint64_t pos, std::uint64_t end, std::uint64_t max_bytes);

    // Deadlines on the pieces in front of `from_piece`, up to `read_ahead_bytes` of them as the reader proves
    // it reads on. A window elsewhere is dropped, from `reader_pos` on (the pieces behind the reader are
    // had). True when it set deadlines (the window or the epoch changed).
    bool extend_deadlines(int from_piece, std::uint64_t reader_pos, std::uint64_t read_ahead_bytes);
    // The pieces [first, until) this reader has set deadlines on since its window last moved; -1 when none.
    std::pair<int, int> window() const { return {deadlines_from_, deadlines_until_}; }
    std::uint64_t epoch() const { return epoch_; }
    void clear_deadlines(std::uint64_t reader_pos);

    // Calls `done(true)` once `piece` may be there (announced, or looked at again after a while), or
    // `done(false)` if the torrent goes away; not at all after cancel(). One wait at a time.
    void wait(int piece, std::function<void(bool)> done);
    void cancel();
    bool waiting() const { return waiting_; }

private:
    piece_source& source_;
    file_geometry file_;
    bool complete_ = false;
    // Of a torrent still downloading: the pieces whose hash passed, and of those the ones have_piece()
    // confirmed are on disk (a piece passes its check a moment before its last block is written, and only
    // then may sendfile read it).
    lt::typed_bitfield<lt::piece_index_t> verified_;
    lt::typed_bitfield<lt::piece_index_t> written_;
    int request_first_piece_ = 0;
    bool fresh_request_ = false;
    std::uint64_t epoch_ = 0;
    int deadlines_from_ = -1;
    int deadlines_until_ = -1; // exclusive
    bool waiting_ = false;
    int waiting_piece_ = -1;
    std::uint64_t wait_ticket_ = 0;
    boost::asio::steady_timer recheck_timer_;
    bool woken_by_alert_ = false;
};

} // namespace sluice::stream
