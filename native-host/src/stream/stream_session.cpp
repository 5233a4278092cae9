#include "stream/stream_session.hpp"

#include "base/log.hpp"
#include "media/media_duration.hpp"
#include "media/mime_types.hpp"
#include "stream/media_session.hpp"
#include "stream/stream_server.hpp"
#include "torrent/storage_placement.hpp"

#include <boost/asio/post.hpp>
#include <boost/beast/http/write.hpp>
#include <libtorrent/torrent_info.hpp>
#include <libtorrent/torrent_status.hpp>

#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

namespace sluice::stream {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;

namespace {

constexpr auto idle_timeout = std::chrono::seconds(60);
// The whole request, from its first line to the blank line after its fields; a player sends well under 1 KB.
constexpr std::uint32_t max_header_bytes = 8 * 1024;
constexpr std::uint64_t max_run_bytes = 64 * 1024 * 1024;

template <typename Request>
file_request file_request_of(Request const& req, bool keep_alive,
                             std::optional<std::string> const& allow_origin) {
    file_request request;
    request.head = req.method() == bhttp::verb::head;
    if (auto const range = req.find(bhttp::field::range); range != req.end()) {
        request.range = std::string_view(range->value().data(), range->value().size());
    }
    request.keep_alive = keep_alive;
    request.allow_origin = allow_origin;
    return request;
}

} // namespace

stream_session::stream_session(asio::ip::tcp::socket socket, stream_server& server)
    : stream_(std::move(socket)), server_(server), server_alive_(server.alive_token()),
      writer_(stream_.socket()), pieces_(server), waiter_(stream_.get_executor(), pieces_) {
    server_.connection_opened();
}

stream_session::~stream_session() {
    if (file_fd_ >= 0) {
        ::close(file_fd_);
    }
    if (server_alive_.lock()) {
        waiter_.clear_deadlines(pos_);
        server_.connection_closed();
    }
}

void stream_session::start() {
    asio::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->read_request(); });
}

void stream_session::read_request() {
    parser_.emplace();
    parser_->header_limit(max_header_bytes);
    parser_->body_limit(0);
    request_bytes_ = 0;
    stream_.expires_after(idle_timeout);
    parse_buffered();
}

// Beast applies header_limit to each put() alone, and its parser takes whole fields as they arrive, so the
// fields an earlier read brought are not counted against it: requests over the limit were served. So the
// request is fed to the parser here, and the limit holds for all the parser took plus what still waits in
// the buffer.
void stream_session::parse_buffered() {
    while (buffer_.size() > 0 && !parser_->is_done()) {
        boost::system::error_code ec;
        auto const used = parser_->put(buffer_.data(), ec);
        buffer_.consume(used);
        request_bytes_ += used;
        if (ec && ec != bhttp::error::need_more) {
            on_request(ec);
            return;
        }
        if (ec || used == 0) {
            break;
        }
    }
    // Once the request is complete, what is left in the buffer is the next one's.
    if (request_bytes_ + (parser_->is_done() ? 0 : buffer_.size()) > max_header_bytes) {
        on_request(bhttp::error::header_limit);
        return;
    }
    if (parser_->is_done()) {
        on_request({});
        return;
    }
    stream_.async_read_some(buffer_.prepare(4096),
                            [self = shared_from_this()](boost::system::error_code ec, std::size_t n) {
                                self->buffer_.commit(n);
                                if (ec == asio::error::eof) {
                                    // As beast::http::read has it: input that ends inside a request is a
                                    // malformed request; before one, the client is simply done.
                                    self->on_request(self->parser_->got_some() ? bhttp::error::partial_message
                                                                               : bhttp::error::end_of_stream);
                                    return;
                                }
                                if (ec) {
                                    self->on_request(ec);
                                    return;
                                }
                                self->parse_buffered();
                            });
}

void stream_session::on_request(boost::system::error_code ec) {
    if (ec == bhttp::error::header_limit) {
        keep_alive_ = false;
        send_simple(431, "Request Header Fields Too Large\n", std::nullopt);
        return;
    }
    if (ec) {
        if (ec != bhttp::error::end_of_stream && ec != asio::error::operation_aborted &&
            ec != beast::error::timeout && ec != asio::error::connection_reset) {
            // A malformed request gets a 400 before the connection closes.
            keep_alive_ = false;
            send_simple(400, "Bad Request\n", std::nullopt);
            return;
        }
        close();
        return;
    }
    auto const& req = parser_->get();
    keep_alive_ = req.keep_alive();
    request_facts facts;
    auto const method = req.method_string();
    facts.method = std::string_view(method.data(), method.size());
    auto const target = req.target();
    facts.target = std::string_view(target.data(), target.size());
    if (auto h = req.find(bhttp::field::host); h != req.end()) {
        facts.host = std::string_view(h->value().data(), h->value().size());
        facts.host_repeated = req.count(bhttp::field::host) > 1;
    }
    if (auto o = req.find(bhttp::field::origin); o != req.end()) {
        facts.origin = std::string_view(o->value().data(), o->value().size());
    }
    auto const decision = server_.router().route(facts);
    switch (decision.status) {
    case 200:
        if (decision.target->what == stream_target::kind::translation) {
            serve_translation(*decision.target, req.method() == bhttp::verb::head, decision.allow_origin);
            return;
        }
        if (decision.target->what != stream_target::kind::file) {
            // Converted and subtitle responses end their connection: the socket is theirs from here.
            closed_ = true;
            std::make_shared<media_session>(std::move(stream_), server_, *decision.target,
                                            req.method() == bhttp::verb::head, decision.allow_origin)
                ->start();
            return;
        }
        serve_file(decision.target->info_hash, decision.target->file_index, decision.allow_origin);
        return;
    case 204:
        send_simple(204, {}, decision.allow_origin, "Access-Control-Allow-Methods", "GET, HEAD");
        return;
    case 405:
        send_simple(405, "Method Not Allowed\n", decision.allow_origin, "Allow", "GET, HEAD");
        return;
    case 421:
        send_simple(421, "Misdirected Request\n", std::nullopt);
        return;
    case 403:
        send_simple(403, "Forbidden\n", std::nullopt);
        return;
    case 400:
        keep_alive_ = false;
        send_simple(400, "Bad Request\n", std::nullopt);
        return;
    default:
        send_simple(404, "Not Found\n", decision.allow_origin);
        return;
    }
}

void stream_session::send_simple(unsigned status, std::string text,
                                 std::optional<std::string> const& allow_origin,
                                 std::string const& extra_name, std::string const& extra_value) {
    send_text(
        make_text_response(status, std::move(text), allow_origin, keep_alive_, extra_name, extra_value));
}

void stream_session::serve_translation(stream_target const& target, bool head,
                                       std::optional<std::string> const& allow_origin) {
    auto track = server_.translation(target.info_hash, target.track_sha256);
    if (!track) {
        send_simple(404, "Not Found\n", allow_origin);
        return;
    }
    auto res = make_text_response(200, std::move(*track), allow_origin, keep_alive_);
    res.set(bhttp::field::content_type, "text/vtt; charset=utf-8");
    if (head) {
        auto const size = res.body().size();
        res.body().clear();
        res.content_length(size);
    }
    send_text(std::move(res));
}

void stream_session::send_text(text_response response) {
    auto res = std::make_shared<text_response>(std::move(response));
    stream_.expires_after(idle_timeout);
    bhttp::async_write(stream_, *res,
                       [self = shared_from_this(), res](boost::system::error_code ec, std::size_t) {
                           if (ec) {
                               self->close();
                               return;
                           }
                           self->after_response();
                       });
}

void stream_session::after_response() {
    writer_.cork(false);
    waiter_.clear_deadlines(pos_);
    if (!keep_alive_) {
        close();
        return;
    }
    read_request();
}

void stream_session::serve_file(std::string const& id, int index,
                                std::optional<std::string> const& allow_origin) {
    auto const handle = server_.engine().find(id);
    if (!handle) {
        send_simple(404, "Not Found\n", allow_origin);
        return;
    }
    // One round trip into libtorrent's thread for the metadata, the folder and the pieces already there.
    auto status = handle->status(lt::torrent_handle::query_torrent_file |
                                 lt::torrent_handle::query_save_path | lt::torrent_handle::query_pieces);
    auto const ti = status.torrent_file.lock();
    if (!ti) {
        send_simple(503, "The torrent's metadata has not arrived yet\n", allow_origin, "Retry-After", "1");
        return;
    }
    auto const& fs = ti->files();
    if (index < 0 || index >= fs.num_files() || fs.pad_file_at(lt::file_index_t(index))) {
        send_simple(404, "Not Found\n", allow_origin);
        return;
    }
    lt::file_index_t const f(index);
    id_ = id;
    file_index_ = index;
    file_size_ = fs.file_size(f);
    auto const rel = fs.file_path(f);
    file_path_ = status.save_path + "/" + rel;
    pieces_.attach(*handle, id);
    waiter_.start({fs.file_offset(f), file_size_, fs.piece_length()}, status.is_seeding,
                  std::move(status.pieces));
    media_head_.clear();
    read_ahead_settled_ = false;
    if (file_fd_ >= 0) {
        ::close(file_fd_);
        file_fd_ = -1;
    }
    access_ = server_.access(id, index);
    locked_ = access_.what == bundle::file_access::kind::unlocked;
    reader_.reset();
    ready_.reset();

    file_facts file;
    file.path = rel;
    file.size = static_cast<std::uint64_t>(file_size_);
    file.access = access_.what;
    file.plaintext_size = access_.plaintext_size;
    file.media_type = access_.media_type;
    // A locked item is refused whatever its bytes, so its file is not looked at (nor checked again).
    file.changed_on_disk =
        access_.what != bundle::file_access::kind::locked && !file_unchanged(torrent::look_at(file_path_));
    auto answer = make_response_head(file_request_of(parser_->get(), keep_alive_, allow_origin), file);
    if (answer.refusal) {
        send_text(std::move(*answer.refusal));
        return;
    }
    send_head(std::move(answer));
}

void stream_session::send_head(response_head answer) {
    pos_ = answer.first;
    end_ = answer.end;
    // For a locked item, refined once its header says where the reader's chunk is.
    waiter_.set_request_start(locked_ ? 0 : pos_);
    header_ = std::make_shared<header_response>(std::move(answer.header));
    serializer_ = std::make_shared<bhttp::response_serializer<bhttp::empty_body>>(*header_);
    stream_.expires_never();
    writer_.cork(true); // the header leaves with the first bytes of the body
    bhttp::async_write_header(stream_, *serializer_,
                              [self = shared_from_this()](boost::system::error_code ec, std::size_t) {
                                  if (ec) {
                                      self->close();
                                      return;
                                  }
                                  self->pump();
                              });
}

bool stream_session::file_unchanged(std::optional<torrent::file_look> const& now) {
    // A verified file another program wrote to is not streamed: the bytes are no longer the ones checked.
    if (!now || server_.engine().file_intact(id_, file_index_, *now)) {
        return true;
    }
    base::log::warning("torrent " + id_ + ": " + file_path_ + " changed on disk after it was verified");
    server_.engine().file_changed(id_, file_index_);
    return false;
}

bool stream_session::open_file() {
    if (file_fd_ >= 0) {
        return true;
    }
    file_fd_ = ::open(file_path_.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    int error = errno;
    if (file_fd_ < 0 && error == ENOENT && follow_move()) {
        file_fd_ = ::open(file_path_.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
        error = errno;
    }
    if (file_fd_ < 0) {
        base::log::warning("cannot open " + file_path_ + " to stream it: " + std::strerror(error));
        return false;
    }
    return true;
}

bool stream_session::follow_move() {
    // A magnet's files leave its incoming folder for their place once its name is known, maybe while this
    // response waited for its first piece: the path taken at the request is then gone. libtorrent names the
    // new folder only once the move has ended; the engine knows it from the start.
    auto const handle = server_.engine().find(id_);
    if (!handle) {
        return false;
    }
    for (auto& moved : {torrent::file_path_on_disk(*handle, lt::file_index_t(file_index_)),
                        server_.engine().destined_file_path(id_, file_index_)}) {
        if (!moved.empty() && moved != file_path_ && ::access(moved.c_str(), F_OK) == 0) {
            file_path_ = moved;
            return true;
        }
    }
    return false;
}

void stream_session::pump() {
    if (closed_) {
        return;
    }
    if (pos_ >= end_) {
        after_response();
        return;
    }
    if (!waiter_.refresh()) {
        close();
        return;
    }
    if (locked_) {
        pump_locked();
        return;
    }
    int const piece = waiter_.piece_at(pos_);
    learn_read_ahead();
    extend_deadlines(piece);
    if (!waiter_.have_piece(piece)) {
        wait_for(piece);
        return;
    }
    // The run of pieces already here, from the reader on, capped so other sessions get their turn.
    auto const run_end = waiter_.run_end(pos_, end_, max_run_bytes);
    if (!open_file() || !file_unchanged(torrent::look_at(file_fd_))) {
        close();
        return;
    }
    writer_.cork(true);
    send_run(run_end);
}

void stream_session::send_run(std::uint64_t run_end) {
    switch (writer_.send_file(file_fd_, pos_, run_end)) {
    case send_progress::done:
        // Let other sessions run between runs.
        asio::post(stream_.get_executor(), [self = shared_from_this()] { self->pump(); });
        return;
    case send_progress::socket_full:
        stream_.socket().async_wait(asio::ip::tcp::socket::wait_write,
                                    [self = shared_from_this(), run_end](boost::system::error_code wait_ec) {
                                        if (wait_ec || self->closed_) {
                                            self->close();
                                            return;
                                        }
                                        self->send_run(run_end);
                                    });
        return;
    case send_progress::failed:
        close();
        return;
    }
}

void stream_session::wait_for(int piece) {
    writer_.cork(false); // what is already written goes to the player now, not when the piece is in
    // The wait keeps the session alive; close() cancels it if the reader leaves first.
    waiter_.wait(piece, [self = shared_from_this()](bool ok) {
        if (self->closed_) {
            return;
        }
        if (!ok) {
            self->close();
            return;
        }
        self->pump();
    });
    // Readable while we wait means the client closed (or pipelined, which players don't): either way the
    // session ends instead of holding a descriptor for a piece nobody wants.
    std::weak_ptr<stream_session> weak = shared_from_this();
    stream_.socket().async_wait(asio::ip::tcp::socket::wait_read, [weak](boost::system::error_code ec) {
        auto self = weak.lock();
        if (!self || ec || !self->waiter_.waiting()) {
            return;
        }
        char c;
        auto const n = ::recv(self->stream_.socket().native_handle(), &c, 1, MSG_PEEK | MSG_DONTWAIT);
        if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)) {
            self->close();
        }
    });
}

// A media file's duration from its container's index, once the bytes that hold it are on disk (the engine
// fetches a media file's first and last pieces early): from then on its read-ahead is sized by its bitrate.
// Called on every pump until settled (a complete file too: the next stream of it may be a fresh download),
// so it costs a piece check or two until the bytes are there, and reads each end of the file once.
void stream_session::learn_read_ahead() {
    if (locked_ || read_ahead_settled_ || !media::is_media_path(file_path_)) {
        return;
    }
    if (server_.knows_read_ahead(id_, file_index_)) {
        read_ahead_settled_ = true;
        return;
    }
    constexpr std::int64_t head_bytes = 64 * 1024;
    constexpr std::int64_t tail_bytes = 256 * 1024;
    auto read_at = [this](std::int64_t offset, std::int64_t length) {
        std::string bytes(static_cast<std::size_t>(length), '\0');
        auto const n = ::pread(file_fd_, bytes.data(), bytes.size(), offset);
        bytes.resize(n > 0 ? static_cast<std::size_t>(n) : 0);
        return bytes;
    };
    auto settle = [this](std::optional<double> seconds) {
        server_.learn_duration(id_, file_index_, static_cast<std::uint64_t>(file_size_), seconds);
        read_ahead_settled_ = true;
    };
    if (media_head_.empty()) {
        auto const length = std::min(file_size_, head_bytes);
        if (length <= 0 || !range_on_disk(0, length) || !open_file()) {
            return;
        }
        media_head_ = read_at(0, length);
        if (auto const seconds = media::media_duration_seconds(media_head_)) {
            settle(seconds);
            return;
        }
    }
    // The head alone says nothing; the tail may (an MP4 written without "faststart").
    auto const length = std::min(file_size_, tail_bytes);
    if (range_on_disk(file_size_ - length, length)) {
        settle(media::media_duration_seconds(media_head_, read_at(file_size_ - length, length)));
    }
}

bool stream_session::range_on_disk(std::int64_t from, std::int64_t length) {
    return !waiter_.first_missing(static_cast<std::uint64_t>(from),
                                  static_cast<std::uint64_t>(from + length - 1));
}

void stream_session::extend_deadlines(int from_piece) {
    if (waiter_.complete()) {
        return; // no deadlines to set, so no read-ahead to look up on every run
    }
    if (waiter_.extend_deadlines(from_piece, pos_, server_.read_ahead_for(id_, file_index_)) &&
        base::log::enabled(base::log::level::debug)) {
        base::log::debug("stream of " + id_ + "/" + std::to_string(file_index_) + ": reader at byte " +
                         std::to_string(pos_) + ", deadlines on pieces " + std::to_string(from_piece) + "-" +
                         std::to_string(waiter_.window().second - 1) + ", epoch " +
                         std::to_string(waiter_.epoch()));
    }
}

void stream_session::close() {
    if (closed_) {
        return;
    }
    closed_ = true;
    waiter_.cancel();
    if (pos_ < end_) {
        base::log::debug("stream of " + id_ + "/" + std::to_string(file_index_) + " closed at byte " +
                         std::to_string(pos_) + " of " + std::to_string(end_));
    }
    boost::system::error_code ignored;
    stream_.socket().shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
    stream_.socket().close(ignored);
}

} // namespace sluice::stream
