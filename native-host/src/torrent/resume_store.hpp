#pragma once

#include <libtorrent/add_torrent_params.hpp>

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace sluice::torrent {

namespace lt = libtorrent;

// Resume data on disk: one file per torrent, `<infoHash>.resume`, written atomically so that a kill -9 in
// the middle of a save leaves the previous save, never a torn file.
//
// Saves run in the order they were asked for, on a thread of the store's own: every save ends in an fsync
// (milliseconds, and far more on a busy disk), and the io_context thread that asks for them also serves the
// streams. Failures are logged there. Removals are immediate. The destructor finishes whatever is queued.
class resume_store {
public:
    explicit resume_store(std::filesystem::path dir);
    ~resume_store();

    resume_store(resume_store const&) = delete;
    resume_store& operator=(resume_store const&) = delete;

    void save(std::string const& id, lt::add_torrent_params const& params);
    void remove(std::string const& id);

    // Returns once every save and removal queued before the call is on disk.
    void flush();

    // Every readable resume file; unreadable ones are logged and skipped (moved aside as `.bad`, so they
    // are kept for inspection but not tried again).
    std::vector<lt::add_torrent_params> load_all() const;

private:
    struct job {
        std::string id; // the torrent it writes for
        std::function<void()> run;
    };
    void enqueue(std::string const& id, std::function<void()> run);
    bool removed_since(std::string const& id, std::uint64_t generation);
    void run();

    std::filesystem::path dir_;
    std::mutex mutex_;
    std::condition_variable work_;
    std::condition_variable idle_;
    std::deque<job> jobs_;
    std::map<std::string, std::uint64_t> removals_; // per torrent: how many times it was removed
    bool busy_ = false;
    std::string busy_id_; // the torrent of the job under way
    bool stopping_ = false;
    std::thread worker_;
};

} // namespace sluice::torrent
