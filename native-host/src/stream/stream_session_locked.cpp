// The part of stream_session that serves a bundle's unlocked item: positions are plaintext bytes, and the
// bytes that must be on disk first are the sealed chunks holding them (see protocol/locked-items.md).

#include "base/log.hpp"
#include "stream/stream_server.hpp"
#include "stream/stream_session.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>

namespace sluice::stream {

namespace asio = boost::asio;

namespace {

// Decrypted bytes written per round: enough to keep the socket busy, small enough to let other sessions in.
constexpr std::size_t max_plain_run = 1024 * 1024;

} // namespace

bool stream_session::have_bytes(std::uint64_t first, std::uint64_t last) {
    if (auto const missing = waiter_.first_missing(first, last)) {
        extend_deadlines(*missing);
        wait_for(*missing);
        return false;
    }
    return true;
}

void stream_session::pump_locked() {
    if (!reader_.is_open()) {
        // The header says how the item is cut into chunks; nothing can be located before it is here.
        if (!have_bytes(0, protocol::locked_header::size - 1)) {
            return;
        }
        std::error_code ec;
        reader_.open(file_path_, access_.plaintext_size, access_.key, access_.identity, ec);
        if (ec == std::errc::no_such_file_or_directory && follow_move()) {
            reader_.open(file_path_, access_.plaintext_size, access_.key, access_.identity, ec);
        }
        if (ec) {
            base::log::warning("cannot stream the unlocked item " + file_path_ + ": " + ec.message());
            close();
            return;
        }
        auto const [sealed_first, sealed_last] = reader_.sealed_span(pos_, pos_);
        waiter_.set_request_start(sealed_first);
    }
    auto const& header = reader_.header();
    plain_out_.clear();
    while (pos_ + plain_out_.size() < end_ && plain_out_.size() < max_plain_run) {
        auto const at = pos_ + plain_out_.size();
        auto const chunk = at / header.chunk_size;
        auto const [sealed_first, sealed_last] = reader_.sealed_span(at, at);
        if (plain_out_.empty()) {
            // Deadlines ahead of the reader, in the file's (sealed) bytes.
            extend_deadlines(waiter_.piece_at(sealed_first));
            if (!have_bytes(sealed_first, sealed_last)) {
                return;
            }
        } else if (!waiter_.have_piece(waiter_.piece_at(sealed_last))) {
            break; // send what is decrypted; the next round waits for the rest
        }
        std::error_code ec;
        auto const plain = reader_.read_chunk(chunk, ec);
        if (ec) {
            // A chunk that does not authenticate ends the response short: the player sees an error for
            // these bytes, never garbage. Other ranges of the item still play.
            base::log::warning("chunk " + std::to_string(chunk) + " of " + file_path_ +
                               " does not decrypt (" + ec.message() + "); the response ends here");
            if (!plain_out_.empty()) {
                break;
            }
            close();
            return;
        }
        auto const in_chunk = at - chunk * header.chunk_size;
        auto const take = std::min<std::uint64_t>(plain.size() - in_chunk, end_ - at);
        plain_out_.append(plain, static_cast<std::size_t>(in_chunk), static_cast<std::size_t>(take));
    }
    asio::async_write(stream_, asio::buffer(plain_out_),
                      [self = shared_from_this()](boost::system::error_code ec, std::size_t n) {
                          if (ec || self->closed_) {
                              self->close();
                              return;
                          }
                          self->pos_ += n;
                          self->pump();
                      });
}

} // namespace sluice::stream
