#pragma once

#include "bundle/bundle_library.hpp"
#include "bundle/locked_reader.hpp"
#include "stream/piece_waiter.hpp"
#include "stream/plain_run.hpp"
#include "stream/response_head.hpp"
#include "stream/socket_writer.hpp"
#include "stream/stream_router.hpp"
#include "stream/torrent_piece_source.hpp"
#include "torrent/file_seals.hpp"

#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/serializer.hpp>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

namespace sluice::stream {

class stream_server;

// One HTTP connection to the stream server: reads requests one after another (keep-alive), answers each
// guard failure with a short status, and serves a file range in three steps: the header (chosen by
// make_response_head), then runs of verified pieces sent from the file by socket_writer, waiting (with
// piece deadlines set ahead of the reader, by piece_waiter) where a piece is not there yet. A client that
// goes away ends the session at its next write or wait.
class stream_session : public std::enable_shared_from_this<stream_session> {
public:
    stream_session(boost::asio::ip::tcp::socket socket, stream_server& server);
    ~stream_session();

    void start();

private:
    using request_parser = boost::beast::http::request_parser<boost::beast::http::empty_body>;

    void read_request();
    void parse_buffered();
    void on_request(boost::system::error_code ec);
    void serve_file(std::string const& id, int index, std::optional<std::string> const& allow_origin);
    void send_simple(unsigned status, std::string text, std::optional<std::string> const& allow_origin,
                     std::string const& extra_name = {}, std::string const& extra_value = {});
    void send_text(text_response response);
    // The head of a 200 or 206, then the body from pump().
    void send_head(response_head answer);
    void after_response();
    void pump();
    void send_run(std::uint64_t run_end);
    void wait_for(int piece);
    void extend_deadlines(int from_piece);
    void learn_read_ahead();
    bool range_on_disk(std::int64_t from, std::int64_t length);
    // Takes the file's path again from the torrent: true if it moved since the request.
    bool follow_move();
    // A bundle's approved translation: small, whole, from the host's own store.
    void serve_translation(stream_target const& target, bool head,
                           std::optional<std::string> const& allow_origin);
    bool open_file();
    // False (and the torrent checked again) when the file changed after its pieces were verified.
    bool file_unchanged(std::optional<torrent::file_look> const& now);
    void close();
    // A bundle's unlocked item: the range is in plaintext bytes; each run of chunks whose sealed bytes are
    // on disk is decrypted on the server's decrypting thread, the next run while this one is written
    // (stream_session_locked.cpp).
    void pump_locked();
    bool open_locked();
    bool have_bytes(std::uint64_t first, std::uint64_t last);
    // The end of the run of chunks from plaintext byte `at` whose sealed bytes are all on disk (at itself
    // when its own chunk is not), at most max_plain_run bytes on.
    std::uint64_t decryptable_until(std::uint64_t at);
    void decrypt_ahead(std::uint64_t at, std::uint64_t until);
    void on_decrypted(std::shared_ptr<bundle::locked_reader> const& reader, std::shared_ptr<plain_run> run);
    void write_plain(std::shared_ptr<plain_run> run);

    boost::beast::tcp_stream stream_;
    stream_server& server_;
    std::weak_ptr<void> server_alive_;
    boost::beast::flat_buffer buffer_;
    std::optional<request_parser> parser_;
    std::size_t request_bytes_ = 0; // what parser_ has taken of the request so far
    std::shared_ptr<header_response> header_;
    std::shared_ptr<boost::beast::http::response_serializer<boost::beast::http::empty_body>> serializer_;
    bool keep_alive_ = false;
    bool closed_ = false;
    socket_writer writer_;
    torrent_piece_source pieces_;
    piece_waiter waiter_; // reads pieces_, so declared after it

    // The range being served.
    std::string id_;
    int file_index_ = 0;
    std::string file_path_;
    std::int64_t file_size_ = 0;
    std::uint64_t pos_ = 0;
    std::uint64_t end_ = 0; // exclusive
    int file_fd_ = -1;

    // Set while serving an unlocked item.
    bool locked_ = false;
    std::string media_head_;          // the file's first bytes, once read to learn its duration
    bool read_ahead_settled_ = false; // its read-ahead is known (or known to be the default)
    bundle::file_access access_;
    // Shared with the decrypting thread while it reads a run; only one run of a session is decrypted at once.
    std::shared_ptr<bundle::locked_reader> reader_;
    bool decrypting_ = false;
    bool writing_ = false;
    std::shared_ptr<plain_run> ready_;             // decrypted ahead of the reader, not yet written
    std::unique_ptr<unsigned char[]> spare_plain_; // a written run's buffer, for the next one
};

} // namespace sluice::stream
