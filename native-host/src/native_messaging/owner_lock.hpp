#pragma once

#include <chrono>
#include <filesystem>
#include <system_error>

namespace sluice::native_messaging {

// The right to own the session. An advisory lock (flock) on a file in the private runtime directory: the
// kernel drops it when the owner exits, however it exits, so a socket file left behind by a crashed owner
// is recognisably stale (the lock is free) and is replaced, while a live owner's socket is never touched.
class owner_lock {
public:
    owner_lock() = default;
    ~owner_lock();
    owner_lock(owner_lock&& other) noexcept;
    owner_lock& operator=(owner_lock&& other) noexcept;

    // Takes the lock without waiting. Returns false with no error when another process holds it.
    bool try_acquire(std::filesystem::path const& lock_file, std::error_code& ec);

    // Takes the lock, waiting up to `patience` while its holder has no socket file at `socket_file`: an
    // owner that is leaving unlinks its socket first and keeps the lock until its state is saved, and the
    // next owner must wait for that rather than give up on a session nobody will serve. An owner that is
    // starting has no socket for a moment too, and binds one within milliseconds; once the file is there,
    // this returns false with no error (another owner serves). Also false, without error, at the end of
    // the patience.
    bool acquire_when_free(std::filesystem::path const& lock_file, std::filesystem::path const& socket_file,
                           std::chrono::milliseconds patience, std::error_code& ec);

    bool held() const { return fd_ >= 0; }
    void release();

private:
    int fd_ = -1;
};

} // namespace sluice::native_messaging
