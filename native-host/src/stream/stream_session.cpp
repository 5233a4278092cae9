#include "stream/stream_session.hpp"

#include "base/log.hpp"
#include "media/media_duration.hpp"
#include "media/mime_types.hpp"
#include "stream/range_parser.hpp"
#include "stream/stream_server.hpp"

#include <boost/asio/post.hpp>
#include <boost/beast/http/write.hpp>
#include <libtorrent/torrent_info.hpp>
#include <libtorrent/torrent_status.hpp>

#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/sendfile.h>
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
// Deadlines grow with the distance from the reader, so the next piece wins and the rest follow in order.
constexpr int deadline_step_ms = 25;

template <typename Response>
void common_headers(Response& res, std::optional<std::string> const& allow_origin) {
    res.set(bhttp::field::server, "sluice-host");
    res.set("X-Content-Type-Options", "nosniff");
    res.set(bhttp::field::cache_control, "no-store");
    res.set("Referrer-Policy", "no-referrer");
    // Even a file opened directly in a tab may not run anything on this origin.
    res.set("Content-Security-Policy", "sandbox; default-src 'none'");
    if (allow_origin) {
        res.set(bhttp::field::access_control_allow_origin, *allow_origin);
        res.set(bhttp::field::vary, "Origin");
        res.set(bhttp::field::access_control_expose_headers, "Content-Range, Content-Length, Accept-Ranges");
    }
}

// A manifest's media type for a locked item is the publisher's word: only types a browser plays or shows
// without running anything are served inline.
bool is_passive_media_type(std::string_view type) {
    return type.starts_with("video/") || type.starts_with("audio/") ||
           (type.starts_with("image/") && type != "image/svg+xml") || type == "text/vtt" ||
           type == "text/plain" || type == "application/pdf";
}

} // namespace

stream_session::stream_session(asio::ip::tcp::socket socket, stream_server& server)
    : stream_(std::move(socket)), server_(server), server_alive_(server.alive_token()),
      recheck_timer_(stream_.get_executor()) {
    server_.connection_opened();
}

stream_session::~stream_session() {
    if (file_fd_ >= 0) {
        ::close(file_fd_);
    }
    if (server_alive_.lock()) {
        clear_deadlines();
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
    auto res = std::make_shared<bhttp::response<bhttp::string_body>>(static_cast<bhttp::status>(status), 11);
    common_headers(*res, allow_origin);
    if (!extra_name.empty()) {
        res->set(extra_name, extra_value);
    }
    if (status == 204) {
        res->set(bhttp::field::access_control_allow_headers, "Range");
        res->set(bhttp::field::access_control_max_age, "600");
    }
    res->set(bhttp::field::content_type, "text/plain; charset=utf-8");
    res->body() = std::move(text);
    res->keep_alive(keep_alive_);
    res->prepare_payload();
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
    cork(false);
    clear_deadlines();
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
    handle_ = *handle;
    id_ = id;
    file_index_ = index;
    file_size_ = fs.file_size(f);
    file_offset_ = fs.file_offset(f);
    piece_length_ = fs.piece_length();
    auto const rel = fs.file_path(f);
    file_path_ = status.save_path + "/" + rel;
    complete_ = status.is_seeding;
    verified_ = std::move(status.pieces);
    written_.clear();
    written_.resize(verified_.size(), false);
    media_head_.clear();
    read_ahead_settled_ = false;
    if (file_fd_ >= 0) {
        ::close(file_fd_);
        file_fd_ = -1;
    }

    // A bundle's locked item is served only decrypted, and only once unlocked: its size, type and name are
    // the plaintext's.
    access_ = server_.access(id, index);
    if (access_.what == bundle::file_access::kind::locked) {
        send_simple(403, "This item is locked: unlock it in Sluice first\n", allow_origin);
        return;
    }
    locked_ = access_.what == bundle::file_access::kind::unlocked;
    reader_ = {};
    if (!file_unchanged(torrent::look_at(file_path_))) {
        send_simple(503, "This file was changed on disk after it was verified; it is being checked again\n",
                    allow_origin, "Retry-After", "2");
        return;
    }
    auto const shown_name = locked_ && rel.ends_with(".locked")
                                ? rel.substr(0, rel.size() - std::string_view(".locked").size())
                                : rel;
    auto const size = locked_ ? access_.plaintext_size : static_cast<std::uint64_t>(file_size_);

    auto const& req = parser_->get();
    auto const range_header = req.find(bhttp::field::range);
    auto const decision =
        range_header == req.end()
            ? range_decision{}
            : decide_range(std::string_view(range_header->value().data(), range_header->value().size()),
                           size);
    if (decision.outcome == range_outcome::unsatisfiable) {
        send_simple(416, "Range Not Satisfiable\n", allow_origin, "Content-Range",
                    "bytes */" + std::to_string(size));
        return;
    }
    header_ = std::make_shared<header_response>(
        decision.outcome == range_outcome::partial ? bhttp::status::partial_content : bhttp::status::ok, 11);
    common_headers(*header_, allow_origin);
    header_->set(bhttp::field::accept_ranges, "bytes");
    header_->set(bhttp::field::content_type,
                 locked_ ? access_.media_type : std::string(media::mime_type_for(rel)));
    auto const slash = shown_name.find_last_of('/');
    auto const name = slash == std::string::npos ? shown_name : shown_name.substr(slash + 1);
    std::string encoded;
    for (unsigned char c : name) {
        if (std::isalnum(c) || c == '.' || c == '-' || c == '_') {
            encoded += static_cast<char>(c);
        } else {
            char buf[4];
            std::snprintf(buf, sizeof buf, "%%%02X", c);
            encoded += buf;
        }
    }
    header_->set(bhttp::field::content_disposition,
                 std::string(media::is_active_content(shown_name) ||
                                     (locked_ && !is_passive_media_type(access_.media_type))
                                 ? "attachment"
                                 : "inline") +
                     "; filename*=UTF-8''" + encoded);
    if (decision.outcome == range_outcome::partial) {
        pos_ = decision.first;
        end_ = decision.last + 1;
        header_->set(bhttp::field::content_range, "bytes " + std::to_string(decision.first) + "-" +
                                                      std::to_string(decision.last) + "/" +
                                                      std::to_string(size));
    } else {
        pos_ = 0;
        end_ = size;
    }
    header_->content_length(end_ - pos_);
    header_->keep_alive(keep_alive_);
    if (req.method() == bhttp::verb::head) {
        end_ = pos_;
    }
    // For a locked item, refined once its header says where the reader's chunk is.
    request_first_piece_ =
        static_cast<int>((file_offset_ + (locked_ ? 0 : static_cast<std::int64_t>(pos_))) / piece_length_);
    serializer_ = std::make_shared<bhttp::response_serializer<bhttp::empty_body>>(*header_);
    stream_.expires_never();
    cork(true); // the header leaves with the first bytes of the body
    bhttp::async_write_header(stream_, *serializer_,
                              [self = shared_from_this()](boost::system::error_code ec, std::size_t) {
                                  if (ec) {
                                      self->close();
                                      return;
                                  }
                                  self->pump();
                              });
}

bool stream_session::refresh_pieces() {
    if (complete_) {
        return true;
    }
    try {
        verified_ = handle_.status(lt::torrent_handle::query_pieces).pieces;
    } catch (std::exception const&) {
        return false; // the torrent was removed
    }
    if (written_.size() != verified_.size()) {
        written_.clear();
        written_.resize(verified_.size(), false);
    }
    return true;
}

bool stream_session::have_piece(int piece) {
    if (complete_) {
        return true;
    }
    lt::piece_index_t const p(piece);
    if (piece < 0 || piece >= verified_.size()) {
        // No bitfield (libtorrent leaves it empty in some states): ask about this piece alone.
        return handle_.have_piece(p);
    }
    if (!verified_.get_bit(p)) {
        written_.clear_bit(p); // a piece can be lost again: a recheck, a failed read
        return false;
    }
    if (written_.get_bit(p)) {
        return true;
    }
    // Verified but perhaps not yet all on disk: asked once, remembered once it is.
    if (!handle_.have_piece(p)) {
        return false;
    }
    written_.set_bit(p);
    return true;
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
    if (file_fd_ < 0) {
        base::log::warning("cannot open " + file_path_ + " to stream it: " + std::strerror(errno));
        return false;
    }
    return true;
}

void stream_session::pump() {
    if (closed_) {
        return;
    }
    if (pos_ >= end_) {
        after_response();
        return;
    }
    if (!refresh_pieces()) {
        close();
        return;
    }
    if (locked_) {
        pump_locked();
        return;
    }
    auto const torrent_pos = file_offset_ + static_cast<std::int64_t>(pos_);
    int const piece = static_cast<int>(torrent_pos / piece_length_);
    learn_read_ahead();
    if (!complete_) {
        extend_deadlines(piece);
    }
    if (!have_piece(piece)) {
        wait_for(piece);
        return;
    }
    // The run of pieces already here, from the reader on, capped so other sessions get their turn.
    std::uint64_t run_end = pos_;
    int p = piece;
    while (run_end < end_ && run_end - pos_ < max_run_bytes && have_piece(p)) {
        auto const piece_end_in_file = static_cast<std::int64_t>(p + 1) * piece_length_ - file_offset_;
        run_end = std::min<std::uint64_t>(end_, static_cast<std::uint64_t>(piece_end_in_file));
        ++p;
        if (complete_) {
            run_end = std::min<std::uint64_t>(end_, pos_ + max_run_bytes);
            break;
        }
    }
    if (!open_file() || !file_unchanged(torrent::look_at(file_fd_))) {
        close();
        return;
    }
    cork(true);
    send_run(run_end);
}

void stream_session::send_run(std::uint64_t run_end) {
    auto& socket = stream_.socket();
    boost::system::error_code ec;
    socket.native_non_blocking(true, ec);
    while (pos_ < run_end) {
        off_t offset = static_cast<off_t>(pos_);
        auto const n = ::sendfile(socket.native_handle(), file_fd_, &offset,
                                  static_cast<std::size_t>(std::min<std::uint64_t>(run_end - pos_, 1 << 30)));
        if (n > 0) {
            pos_ += static_cast<std::uint64_t>(n);
            continue;
        }
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            socket.async_wait(asio::ip::tcp::socket::wait_write,
                              [self = shared_from_this(), run_end](boost::system::error_code wait_ec) {
                                  if (wait_ec || self->closed_) {
                                      self->close();
                                      return;
                                  }
                                  self->send_run(run_end);
                              });
            return;
        }
        if (n < 0 && errno == EINTR) {
            continue;
        }
        // EPIPE/ECONNRESET: the player went away (a seek, a closed tab); n == 0: the file is shorter than
        // the torrent says, which only a change behind libtorrent's back can cause.
        close();
        return;
    }
    // Let other sessions run between runs.
    asio::post(stream_.get_executor(), [self = shared_from_this()] { self->pump(); });
}

void stream_session::wait_for(int piece) {
    cork(false); // what is already written goes to the player now, not when the piece is in
    waiting_ = true;
    waiting_piece_ = piece;
    // The waiter keeps the session alive; close() cancels it if the reader leaves first.
    wait_ticket_ = server_.wait_for_piece(id_, piece, [self = shared_from_this()](bool ok) {
        if (self->closed_ || !self->waiting_) {
            return;
        }
        self->waiting_ = false;
        self->recheck_timer_.cancel();
        if (!ok) {
            self->close();
            return;
        }
        self->woken_by_alert_ = true;
        self->pump();
    });
    // libtorrent announces a piece when its hash passes, which can be a moment before the last block's
    // write completes and have_piece() turns true; no alert marks that moment, so look again shortly.
    // The same check, less often, covers any notification that never comes.
    auto const recheck = woken_by_alert_ ? std::chrono::milliseconds(10) : std::chrono::milliseconds(250);
    woken_by_alert_ = false;
    recheck_timer_.expires_after(recheck);
    recheck_timer_.async_wait([self = shared_from_this()](boost::system::error_code ec) {
        if (ec || self->closed_ || !self->waiting_) {
            return;
        }
        self->server_.cancel_wait(self->id_, self->waiting_piece_, self->wait_ticket_);
        self->waiting_ = false;
        self->pump();
    });
    // Readable while we wait means the client closed (or pipelined, which players don't): either way the
    // session ends instead of holding a descriptor for a piece nobody wants.
    std::weak_ptr<stream_session> weak = shared_from_this();
    stream_.socket().async_wait(asio::ip::tcp::socket::wait_read, [weak](boost::system::error_code ec) {
        auto self = weak.lock();
        if (!self || ec || !self->waiting_) {
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
    auto const first = static_cast<int>((file_offset_ + from) / piece_length_);
    auto const last = static_cast<int>((file_offset_ + from + length - 1) / piece_length_);
    for (int p = first; p <= last; ++p) {
        if (!have_piece(p)) {
            return false;
        }
    }
    return true;
}

void stream_session::extend_deadlines(int from_piece) {
    auto const full_window = static_cast<int>(std::max<std::uint64_t>(
        2, server_.read_ahead_for(id_, file_index_) / static_cast<std::uint64_t>(piece_length_)));
    // The window opens as the reader proves it reads on: a fresh request (a start, a seek) asks for its own
    // piece and the next one only, so their blocks are not spread across a dozen urgent pieces; every piece
    // read widens it by two, up to the full read-ahead.
    auto const window_pieces = std::min(full_window, 2 + 2 * (from_piece - request_first_piece_));
    auto const last_piece = static_cast<int>((file_offset_ + file_size_ - 1) / piece_length_);
    int const until = std::min(last_piece + 1, from_piece + window_pieces);
    // A seek (or a new request) elsewhere starts a new window; the old one's deadlines are dropped.
    if (from_piece < deadlines_from_ || from_piece > deadlines_until_) {
        clear_deadlines();
    }
    int const start = std::max(from_piece, deadlines_until_);
    for (int p = start; p < until; ++p) {
        if (!have_piece(p)) {
            handle_.set_piece_deadline(lt::piece_index_t(p), (p - from_piece) * deadline_step_ms);
        }
    }
    if (deadlines_from_ < 0 || from_piece < deadlines_from_) {
        deadlines_from_ = from_piece;
    }
    deadlines_until_ = std::max(deadlines_until_, until);
}

void stream_session::clear_deadlines() {
    if (deadlines_from_ >= 0 && handle_.is_valid()) {
        // The torrent may have been removed since (the handle then throws): nothing left to clear.
        try {
            for (int p = std::max(deadlines_from_,
                                  static_cast<int>((file_offset_ + static_cast<std::int64_t>(pos_)) /
                                                   std::max(1, piece_length_)));
                 p < deadlines_until_; ++p) {
                handle_.reset_piece_deadline(lt::piece_index_t(p));
            }
        } catch (std::exception const&) {
        }
    }
    deadlines_from_ = -1;
    deadlines_until_ = -1;
}

// TCP_CORK while a file goes out, as nginx's `tcp_nopush`: the kernel then sends full segments only, and
// the sending side spends about a fifth less CPU per byte over loopback (measured against nginx, whose
// sendfile costs the same once corked). Uncorked whenever the response pauses or ends, so that no tail
// waits in the socket for the kernel's 200 ms cork timer.
void stream_session::cork(bool on) {
    if (corked_ == on) {
        return;
    }
    int const value = on ? 1 : 0;
    ::setsockopt(stream_.socket().native_handle(), IPPROTO_TCP, TCP_CORK, &value, sizeof value);
    corked_ = on;
}

void stream_session::close() {
    if (closed_) {
        return;
    }
    closed_ = true;
    recheck_timer_.cancel();
    if (waiting_ && server_alive_.lock()) {
        server_.cancel_wait(id_, waiting_piece_, wait_ticket_);
    }
    waiting_ = false;
    if (pos_ < end_) {
        base::log::debug("stream of " + id_ + "/" + std::to_string(file_index_) + " closed at byte " +
                         std::to_string(pos_) + " of " + std::to_string(end_));
    }
    boost::system::error_code ignored;
    stream_.socket().shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
    stream_.socket().close(ignored);
}

} // namespace sluice::stream
