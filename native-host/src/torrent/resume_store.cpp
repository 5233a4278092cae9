#include "torrent/resume_store.hpp"

#include "base/log.hpp"

#include <sluice/fileio/atomic_file.hpp>
#include <sluice/fileio/file_io.hpp>

#include <libtorrent/read_resume_data.hpp>
#include <libtorrent/write_resume_data.hpp>

#include <memory>

namespace sluice::torrent {

namespace {

constexpr std::uintmax_t max_resume_file_bytes = 64 * 1024 * 1024;

} // namespace

resume_store::resume_store(std::filesystem::path dir) : dir_(std::move(dir)), worker_([this] { run(); }) {}

resume_store::~resume_store() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    work_.notify_one();
    worker_.join();
}

void resume_store::save(std::string const& id, lt::add_torrent_params const& params) {
    // Encoded here: the parameters belong to an alert that is gone once the caller returns.
    auto buf = std::make_shared<std::vector<char>>(lt::write_resume_data_buf(params));
    std::uint64_t generation = 0;
    {
        std::lock_guard lock(mutex_);
        generation = removals_[id];
    }
    enqueue(id, [this, id, buf, generation] {
        if (removed_since(id, generation)) {
            return;
        }
        std::error_code ec;
        std::filesystem::create_directories(dir_, ec);
        auto const file = dir_ / (id + ".resume");
        if (!ec) {
            fileio::write_file_atomically(file, std::string_view(buf->data(), buf->size()), 0600, true, ec);
        }
        if (ec) {
            base::log::error("could not save resume data of " + id + ": " + ec.message());
        } else if (removed_since(id, generation)) {
            std::filesystem::remove(file, ec); // removed while this save was being written
        }
    });
}

void resume_store::remove(std::string const& id) {
    // On the caller's thread: the file is gone when torrent.remove answers. A save queued for the torrent
    // sees the removal and writes nothing; one being written is waited for, since its file could otherwise
    // appear after this unlink (it removes it again, but a moment later).
    {
        std::unique_lock lock(mutex_);
        ++removals_[id];
        idle_.wait(lock, [&] { return !busy_ || busy_id_ != id; });
    }
    std::error_code ec;
    std::filesystem::remove(dir_ / (id + ".resume"), ec);
}

bool resume_store::removed_since(std::string const& id, std::uint64_t generation) {
    std::lock_guard lock(mutex_);
    return removals_[id] != generation;
}

void resume_store::flush() {
    std::unique_lock lock(mutex_);
    idle_.wait(lock, [this] { return jobs_.empty() && !busy_; });
}

void resume_store::enqueue(std::string const& id, std::function<void()> job) {
    {
        std::lock_guard lock(mutex_);
        jobs_.push_back({id, std::move(job)});
    }
    work_.notify_one();
}

void resume_store::run() {
    std::unique_lock lock(mutex_);
    for (;;) {
        work_.wait(lock, [this] { return !jobs_.empty() || stopping_; });
        if (jobs_.empty()) {
            return; // stopping, and nothing left to write
        }
        auto job = std::move(jobs_.front());
        jobs_.pop_front();
        busy_ = true;
        busy_id_ = job.id;
        lock.unlock();
        job.run();
        lock.lock();
        busy_ = false;
        idle_.notify_all(); // flush() waits for all, remove() for one torrent's
    }
}

std::vector<lt::add_torrent_params> resume_store::load_all() const {
    std::vector<lt::add_torrent_params> out;
    std::error_code ec;
    for (auto const& entry : std::filesystem::directory_iterator(dir_, ec)) {
        if (entry.path().extension() != ".resume") {
            continue;
        }
        std::error_code size_ec;
        auto const bytes = fileio::read_small_file(entry.path(), max_resume_file_bytes, size_ec);
        lt::error_code lt_ec;
        lt::add_torrent_params params;
        if (!size_ec) {
            params = lt::read_resume_data({bytes.data(), static_cast<std::ptrdiff_t>(bytes.size())}, lt_ec);
        } else {
            lt_ec = lt::errors::make_error_code(lt::errors::invalid_file_tag);
        }
        if (lt_ec) {
            base::log::warning("unreadable resume file " + entry.path().string() + " (" + lt_ec.message() +
                               "); moved aside");
            std::filesystem::rename(entry.path(), entry.path().string() + ".bad", size_ec);
            continue;
        }
        out.push_back(std::move(params));
    }
    return out;
}

} // namespace sluice::torrent
