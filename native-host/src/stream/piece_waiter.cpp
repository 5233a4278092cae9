#include "stream/piece_waiter.hpp"

#include <algorithm>
#include <chrono>
#include <utility>

namespace sluice::stream {

namespace {

// Deadlines grow with the distance from the reader, so the next piece wins and the rest follow in order.
constexpr int deadline_step_ms = 25;

} // namespace

piece_waiter::piece_waiter(boost::asio::any_io_executor executor, piece_source& source)
    : source_(source), recheck_timer_(std::move(executor)) {}

void piece_waiter::start(file_geometry file, bool complete, lt::typed_bitfield<lt::piece_index_t> verified) {
    file_ = file;
    complete_ = complete;
    verified_ = std::move(verified);
    written_.clear();
    written_.resize(verified_.size(), false);
}

bool piece_waiter::refresh() {
    if (complete_) {
        return true;
    }
    auto verified = source_.verified_pieces();
    if (!verified) {
        return false; // the torrent was removed
    }
    verified_ = std::move(*verified);
    if (written_.size() != verified_.size()) {
        written_.clear();
        written_.resize(verified_.size(), false);
    }
    return true;
}

bool piece_waiter::have_piece(int piece) {
    if (complete_) {
        return true;
    }
    lt::piece_index_t const p(piece);
    if (piece < 0 || piece >= verified_.size()) {
        // No bitfield (libtorrent leaves it empty in some states): ask about this piece alone.
        return source_.have_piece(piece);
    }
    if (!verified_.get_bit(p)) {
        written_.clear_bit(p); // a piece can be lost again: a recheck, a failed read
        return false;
    }
    if (written_.get_bit(p)) {
        return true;
    }
    // Verified but perhaps not yet all on disk: asked once, remembered once it is.
    if (!source_.have_piece(piece)) {
        return false;
    }
    written_.set_bit(p);
    return true;
}

std::optional<int> piece_waiter::first_missing(std::uint64_t first, std::uint64_t last) {
    int const to = piece_at(last);
    for (int p = piece_at(first); p <= to; ++p) {
        if (!have_piece(p)) {
            return p;
        }
    }
    return std::nullopt;
}

std::uint64_t piece_waiter::run_end(std::uint64_t pos, std::uint64_t end, std::uint64_t max_bytes) {
    std::uint64_t run_end = pos;
    int p = piece_at(pos);
    while (run_end < end && run_end - pos < max_bytes && have_piece(p)) {
        auto const piece_end_in_file = static_cast<std::int64_t>(p + 1) * file_.piece_length - file_.offset;
        run_end = std::min<std::uint64_t>(end, static_cast<std::uint64_t>(piece_end_in_file));
        ++p;
        if (complete_) {
            run_end = std::min<std::uint64_t>(end, pos + max_bytes);
            break;
        }
    }
    return run_end;
}

bool piece_waiter::extend_deadlines(int from_piece, std::uint64_t reader_pos,
                                    std::uint64_t read_ahead_bytes) {
    if (complete_) {
        return false;
    }
    // A request that starts where nothing is yet (a start, a seek) goes first: every other window and every
    // block queued at the peers for pieces nobody waits for would otherwise be served before it.
    if (std::exchange(fresh_request_, false) && !have_piece(from_piece)) {
        source_.drop_all_deadlines(); // a new epoch: this window is set anew just below
    }
    // This or another reader's request dropped this window: set it again, behind that reader's.
    if (auto const epoch = source_.deadline_epoch(); epoch != epoch_) {
        epoch_ = epoch;
        deadlines_from_ = -1;
        deadlines_until_ = -1;
    }
    auto const full_window = static_cast<int>(
        std::max<std::uint64_t>(2, read_ahead_bytes / static_cast<std::uint64_t>(file_.piece_length)));
    // The window opens as the reader proves it reads on: a fresh request (a start, a seek) asks for its own
    // piece and the next one only, so their blocks are not spread across a dozen urgent pieces; every piece
    // read widens it by two, up to the full read-ahead.
    auto const window_pieces = std::min(full_window, 2 + 2 * (from_piece - request_first_piece_));
    auto const last_piece = static_cast<int>((file_.offset + file_.size - 1) / file_.piece_length);
    int const until = std::min(last_piece + 1, from_piece + window_pieces);
    // A seek (or a new request) elsewhere starts a new window; the old one's deadlines are dropped.
    if (from_piece < deadlines_from_ || from_piece > deadlines_until_) {
        clear_deadlines(reader_pos);
    }
    int const start = std::max(from_piece, deadlines_until_);
    for (int p = start; p < until; ++p) {
        if (!have_piece(p)) {
            source_.set_deadline(p, (p - from_piece) * deadline_step_ms);
        }
    }
    if (deadlines_from_ < 0 || from_piece < deadlines_from_) {
        deadlines_from_ = from_piece;
    }
    deadlines_until_ = std::max(deadlines_until_, until);
    return start < until;
}

void piece_waiter::clear_deadlines(std::uint64_t reader_pos) {
    if (deadlines_from_ >= 0) {
        auto const reader_piece = static_cast<int>((file_.offset + static_cast<std::int64_t>(reader_pos)) /
                                                   std::max(1, file_.piece_length));
        source_.reset_deadlines(std::max(deadlines_from_, reader_piece), deadlines_until_);
    }
    deadlines_from_ = -1;
    deadlines_until_ = -1;
}

void piece_waiter::wait(int piece, std::function<void(bool)> done) {
    waiting_ = true;
    waiting_piece_ = piece;
    wait_ticket_ = source_.notify_when_verified(piece, [this, done](bool ok) {
        if (!waiting_) {
            return;
        }
        waiting_ = false;
        recheck_timer_.cancel();
        if (ok) {
            woken_by_alert_ = true;
        }
        done(ok);
    });
    // libtorrent announces a piece when its hash passes, which can be a moment before the last block's
    // write completes and have_piece() turns true; no alert marks that moment, so look again shortly.
    // The same check, less often, covers any notification that never comes.
    auto const recheck = woken_by_alert_ ? std::chrono::milliseconds(10) : std::chrono::milliseconds(250);
    woken_by_alert_ = false;
    recheck_timer_.expires_after(recheck);
    recheck_timer_.async_wait([this, done = std::move(done)](boost::system::error_code ec) {
        if (ec || !waiting_) {
            return;
        }
        source_.cancel_notify(waiting_piece_, wait_ticket_);
        waiting_ = false;
        done(true);
    });
}

void piece_waiter::cancel() {
    recheck_timer_.cancel();
    if (waiting_) {
        source_.cancel_notify(waiting_piece_, wait_ticket_);
    }
    waiting_ = false;
}

} // namespace sluice::stream
