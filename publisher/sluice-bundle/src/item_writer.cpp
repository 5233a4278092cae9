#include "sluice-bundle/item_writer.hpp"

#include "sluice-bundle/interrupt.hpp"

#include <sluice/fileio/atomic_file.hpp>
#include <sluice/fileio/file_io.hpp>

#include <libtorrent/hasher.hpp>

#include <condition_variable>
#include <deque>
#include <fcntl.h>
#include <mutex>
#include <thread>
#include <vector>

namespace sluice::publisher {

namespace {

constexpr std::size_t buffer_bytes = 1024 * 1024;
constexpr std::size_t buffers_in_flight = 8;
constexpr std::uint64_t flush_bytes = 8 * 1024 * 1024;

std::array<unsigned char, 32> to_array(lt::sha256_hash const& h) {
    std::array<unsigned char, 32> out{};
    std::copy(h.begin(), h.end(), out.begin());
    return out;
}

// The pipeline behind the reader. A filled buffer goes to a hashing thread (the torrent's SHA-1 pieces and
// SHA-256 blocks), then to a writing thread (write(2), and the disk's write-back started at once), then back
// to the reader. Reading, hashing the plaintext and sealing; hashing for the torrent; copying into the page
// cache: each is about a third of the work, so each gets a thread and a machine with cores to spare runs
// them side by side. The queue is short: the reader is never more than a few MiB ahead of the disk.
class output_stage {
public:
    output_stage(int fd, int piece_length) : fd_(fd), hasher_(piece_length) {
        for (std::size_t i = 0; i < buffers_in_flight; ++i) {
            free_.emplace_back();
            free_.back().reserve(buffer_bytes + 64 * 1024);
        }
        hashing_ = std::thread([this] { hash_loop(); });
        writing_ = std::thread([this] { write_loop(); });
    }
    output_stage(output_stage const&) = delete;
    output_stage& operator=(output_stage const&) = delete;
    ~output_stage() { stop(); }

    // An empty buffer with room for at least buffer_bytes; waits while all of them are in flight.
    std::vector<char> take() {
        std::unique_lock lock(mutex_);
        changed_.wait(lock, [&] { return !free_.empty(); });
        auto buffer = std::move(free_.front());
        free_.pop_front();
        buffer.clear();
        return buffer;
    }

    void submit(std::vector<char> buffer) {
        std::lock_guard lock(mutex_);
        to_hash_.push_back(std::move(buffer));
        changed_.notify_all();
    }

    bool failed() {
        std::lock_guard lock(mutex_);
        return static_cast<bool>(error_);
    }

    // Waits for every submitted buffer; the error of the first write that failed, if any.
    std::error_code finish(file_piece_hashes& hashes, std::uint64_t& written) {
        stop();
        hashes = hasher_.finish();
        written = written_;
        return error_;
    }

private:
    void stop() {
        if (!hashing_.joinable()) {
            return;
        }
        {
            std::lock_guard lock(mutex_);
            closing_ = true;
            changed_.notify_all();
        }
        hashing_.join();
        writing_.join();
    }

    // Takes the next buffer of `queue`; false once `done` is set and the queue is empty.
    bool next(std::deque<std::vector<char>>& queue, bool const& done, std::vector<char>& buffer) {
        std::unique_lock lock(mutex_);
        changed_.wait(lock, [&] { return !queue.empty() || done; });
        if (queue.empty()) {
            return false;
        }
        buffer = std::move(queue.front());
        queue.pop_front();
        return true;
    }

    void hash_loop() {
        std::vector<char> buffer;
        while (next(to_hash_, closing_, buffer)) {
            hasher_.update(buffer);
            std::lock_guard lock(mutex_);
            to_write_.push_back(std::move(buffer));
            changed_.notify_all();
        }
        std::lock_guard lock(mutex_);
        hashed_all_ = true;
        changed_.notify_all();
    }

    void write_loop() {
        std::vector<char> buffer;
        while (next(to_write_, hashed_all_, buffer)) {
            std::error_code ec;
            if (!write_failed_) {
                fileio::write_all(fd_, {buffer.data(), buffer.size()}, ec);
                written_ += buffer.size();
                if (written_ - flushed_ >= flush_bytes) {
                    // Start the write-back of what is written so far without waiting for it: the disk then
                    // works while the CPUs hash, and the fsync before the rename finds little left to do.
                    ::sync_file_range(fd_, static_cast<off_t>(flushed_),
                                      static_cast<off_t>(written_ - flushed_), SYNC_FILE_RANGE_WRITE);
                    flushed_ = written_;
                }
            }
            std::lock_guard lock(mutex_);
            if (ec && !error_) {
                error_ = ec;
                write_failed_ = true;
            }
            free_.push_back(std::move(buffer));
            changed_.notify_all();
        }
    }

    int fd_;
    file_piece_hasher hasher_;  // the hashing thread's until finish()
    std::uint64_t written_ = 0; // the writing thread's until finish()
    std::uint64_t flushed_ = 0; // written_ when write-back was last started
    bool write_failed_ = false; // the writing thread's copy of "error_ is set"
    std::mutex mutex_;
    std::condition_variable changed_;
    std::deque<std::vector<char>> free_;
    std::deque<std::vector<char>> to_hash_;
    std::deque<std::vector<char>> to_write_;
    bool closing_ = false;    // no more submit()
    bool hashed_all_ = false; // the hashing thread has passed on its last buffer
    std::error_code error_;
    std::thread hashing_;
    std::thread writing_;
};

struct open_files {
    fileio::unique_fd in;
    fileio::unique_fd out;
};

result<open_files> open_both(fs::path const& source, fs::path const& target) {
    open_files files;
    std::error_code ec;
    files.in = fileio::open_for_reading(source, ec);
    if (ec) {
        return result<open_files>::failure(fileio::describe(source, ec));
    }
    ::posix_fadvise(files.in.get(), 0, 0, POSIX_FADV_SEQUENTIAL);
    files.out = fileio::create_new_file(target, 0644, ec);
    if (ec) {
        return result<open_files>::failure(fileio::describe(target, ec));
    }
    return files;
}

std::string changed_while_reading(fs::path const& source) {
    return source.string() + " changed while it was being read; run the command again once it is complete";
}

// A source that still has bytes after `expected_size` grew since it was planned.
bool at_end(int fd) {
    char probe;
    std::error_code ec;
    return fileio::read_full(fd, {&probe, 1}, ec) == 0 && !ec;
}

result<written_file> finish_output(output_stage& stage, written_file done, fs::path const& target,
                                   std::uint64_t expected_stored) {
    auto const ec = stage.finish(done.pieces, done.stored_size);
    if (ec) {
        return result<written_file>::failure(fileio::describe(target, ec));
    }
    if (done.stored_size != expected_stored) {
        return result<written_file>::failure("internal error: " + target.string() + " has " +
                                             std::to_string(done.stored_size) + " bytes, not " +
                                             std::to_string(expected_stored));
    }
    return done;
}

} // namespace

result<written_file> write_plain_file(fs::path const& source, fs::path const& target,
                                      std::uint64_t expected_size, int piece_length,
                                      progress_meter& progress) {
    auto files = open_both(source, target);
    if (!files) {
        return result<written_file>::failure(files.error);
    }
    output_stage stage(files->out.get(), piece_length);
    lt::hasher256 plain;
    std::uint64_t left = expected_size;
    while (left > 0) {
        if (interrupted()) {
            return result<written_file>::failure("interrupted");
        }
        if (stage.failed()) {
            break; // finish_output says why
        }
        auto buffer = stage.take();
        buffer.resize(static_cast<std::size_t>(std::min<std::uint64_t>(left, buffer_bytes)));
        std::error_code ec;
        auto const n = fileio::read_full(files->in.get(), buffer, ec);
        if (ec) {
            return result<written_file>::failure(fileio::describe(source, ec));
        }
        if (n != buffer.size()) {
            return result<written_file>::failure(changed_while_reading(source));
        }
        plain.update(buffer.data(), static_cast<int>(n));
        stage.submit(std::move(buffer));
        left -= n;
        progress.advance(n);
    }
    if (left == 0 && !at_end(files->in.get())) {
        return result<written_file>::failure(changed_while_reading(source));
    }
    written_file done;
    done.plain_size = expected_size;
    done.plain_sha256 = to_array(plain.final());
    return finish_output(stage, std::move(done), target, expected_size);
}

result<written_file> write_locked_file(fs::path const& source, fs::path const& target,
                                       std::uint64_t expected_size, protocol::item_key const& key,
                                       std::array<unsigned char, 32> const& identity, int piece_length,
                                       progress_meter& progress) {
    auto files = open_both(source, target);
    if (!files) {
        return result<written_file>::failure(files.error);
    }
    protocol::locked_header header;
    header.plaintext_size = expected_size;
    output_stage stage(files->out.get(), piece_length);
    lt::hasher256 plain;
    std::vector<unsigned char> chunk(header.chunk_size);

    auto buffer = stage.take();
    auto const encoded = header.encode();
    buffer.insert(buffer.end(), encoded.begin(), encoded.end());
    for (std::uint64_t i = 0; i < header.chunk_count(); ++i) {
        if (interrupted()) {
            return result<written_file>::failure("interrupted");
        }
        if (stage.failed()) {
            break;
        }
        auto const size = static_cast<std::size_t>(header.chunk_plain_size(i));
        std::error_code ec;
        auto const n = fileio::read_full(files->in.get(), {reinterpret_cast<char*>(chunk.data()), size}, ec);
        if (ec) {
            return result<written_file>::failure(fileio::describe(source, ec));
        }
        if (n != size) {
            return result<written_file>::failure(changed_while_reading(source));
        }
        plain.update(reinterpret_cast<char const*>(chunk.data()), static_cast<int>(n));
        auto const sealed = protocol::seal_chunk(header, key, identity, i, {chunk.data(), n});
        buffer.insert(buffer.end(), sealed.begin(), sealed.end());
        if (buffer.size() >= buffer_bytes) {
            stage.submit(std::move(buffer));
            buffer = stage.take();
        }
        progress.advance(n);
    }
    stage.submit(std::move(buffer));
    if (!stage.failed() && !at_end(files->in.get())) {
        return result<written_file>::failure(changed_while_reading(source));
    }
    written_file done;
    done.plain_size = expected_size;
    done.plain_sha256 = to_array(plain.final());
    return finish_output(stage, std::move(done), target, header.encrypted_size());
}

result<written_file> write_small_file(std::string_view bytes, fs::path const& target, int piece_length) {
    std::error_code ec;
    fileio::write_new_file(target, bytes, 0644, ec);
    if (ec) {
        return result<written_file>::failure(fileio::describe(target, ec));
    }
    written_file done;
    done.plain_size = done.stored_size = bytes.size();
    done.plain_sha256 = sha256_of(bytes);
    file_piece_hasher hasher(piece_length);
    hasher.update({bytes.data(), bytes.size()});
    done.pieces = hasher.finish();
    return done;
}

std::array<unsigned char, 32> sha256_of(std::string_view bytes) {
    lt::hasher256 h;
    h.update(bytes.data(), static_cast<int>(bytes.size()));
    return to_array(h.final());
}

} // namespace sluice::publisher
