// The part of stream_session that serves a bundle's unlocked item: positions are plaintext bytes, and the
// bytes that must be on disk first are the sealed chunks holding them (see protocol/locked-items.md).
//
// Decrypting and sending share no core: while one run of chunks is written to the socket, the next is
// decrypted on the server's decrypting threads, its chunks split between them (plain_run). A run is planned
// here, on the session's thread, from the pieces on disk; the decrypting threads touch only the run's reader.

#include "base/log.hpp"
#include "stream/stream_server.hpp"
#include "stream/stream_session.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>

namespace sluice::stream {

namespace asio = boost::asio;

namespace {

// Decrypted bytes per run: enough to keep the socket busy, small enough to let other sessions in.
constexpr std::uint64_t max_plain_run = 1024 * 1024;

} // namespace

bool stream_session::have_bytes(std::uint64_t first, std::uint64_t last) {
    if (auto const missing = waiter_.first_missing(first, last)) {
        extend_deadlines(*missing);
        wait_for(*missing);
        return false;
    }
    return true;
}

bool stream_session::open_locked() {
    // The header says how the item is cut into chunks; nothing can be located before it is here.
    if (!have_bytes(0, protocol::locked_header::size - 1)) {
        return false;
    }
    auto reader = std::make_shared<bundle::locked_reader>();
    std::error_code ec;
    reader->open(file_path_, access_.plaintext_size, access_.key, access_.identity, ec);
    if (ec == std::errc::no_such_file_or_directory && follow_move()) {
        reader->open(file_path_, access_.plaintext_size, access_.key, access_.identity, ec);
    }
    if (ec) {
        base::log::warning("cannot stream the unlocked item " + file_path_ + ": " + ec.message());
        close();
        return false;
    }
    reader_ = std::move(reader);
    auto const [sealed_first, sealed_last] = reader_->sealed_span(pos_, pos_);
    waiter_.set_request_start(sealed_first);
    return true;
}

std::uint64_t stream_session::decryptable_until(std::uint64_t at) {
    auto const chunk_size = reader_->header().chunk_size;
    auto const limit = std::min(end_, at + max_plain_run);
    auto until = at;
    while (until < limit) {
        auto const [sealed_first, sealed_last] = reader_->sealed_span(until, until);
        if (waiter_.first_missing(sealed_first, sealed_last)) {
            break;
        }
        until = std::min(limit, (until / chunk_size + 1) * chunk_size);
    }
    return until;
}

void stream_session::decrypt_ahead(std::uint64_t at, std::uint64_t until) {
    decrypting_ = true;
    auto buffer = spare_plain_ ? std::move(spare_plain_)
                               : std::make_unique_for_overwrite<unsigned char[]>(max_plain_run);
    decrypt_run(server_.decrypting(), server_.decrypting_threads(), reader_, at, until, std::move(buffer),
                file_path_, [self = shared_from_this(), reader = reader_](std::shared_ptr<plain_run> run) {
                    asio::post(self->stream_.get_executor(),
                               [self, reader, run = std::move(run)] { self->on_decrypted(reader, run); });
                });
}

void stream_session::on_decrypted(std::shared_ptr<bundle::locked_reader> const& reader,
                                  std::shared_ptr<plain_run> run) {
    decrypting_ = false;
    if (closed_) {
        return;
    }
    // A later request of the connection may read another item by now: then the run is not its.
    if (reader == reader_) {
        ready_ = std::move(run);
    }
    // While a run is being written, the end of its write pumps.
    if (!writing_ && pos_ < end_) {
        pump();
    }
}

void stream_session::pump_locked() {
    if (decrypting_ || writing_) {
        return; // its end pumps again
    }
    if (!reader_ && !open_locked()) {
        return;
    }
    // Deadlines ahead of the reader, in the file's (sealed) bytes: every round, also while runs decrypted
    // ahead keep it fed.
    auto const [sealed_first, sealed_last] = reader_->sealed_span(pos_, pos_);
    extend_deadlines(waiter_.piece_at(sealed_first));
    if (ready_ && ready_->at == pos_) {
        write_plain(std::exchange(ready_, nullptr));
        return;
    }
    if (ready_) {
        spare_plain_ = std::move(ready_->data); // decrypted for a position the reader left
        ready_.reset();
    }
    if (!have_bytes(sealed_first, sealed_last)) {
        return;
    }
    decrypt_ahead(pos_, decryptable_until(pos_));
}

void stream_session::write_plain(std::shared_ptr<plain_run> run) {
    if (run->size == 0) {
        close(); // its first chunk did not authenticate
        return;
    }
    auto const next = run->at + run->size;
    if (!run->ends_short && next < end_) {
        // The next run is decrypted while this one goes out, if its first chunk is on disk already.
        if (auto const until = decryptable_until(next); until > next) {
            decrypt_ahead(next, until);
        }
    }
    writing_ = true;
    asio::async_write(stream_, asio::buffer(run->data.get(), run->size),
                      [self = shared_from_this(), run](boost::system::error_code ec, std::size_t n) {
                          self->writing_ = false;
                          self->spare_plain_ = std::move(run->data);
                          if (ec || self->closed_ || run->ends_short) {
                              self->close();
                              return;
                          }
                          self->pos_ += n;
                          self->pump();
                      });
}

} // namespace sluice::stream
