#pragma once

#include <functional>
#include <span>
#include <thread>

namespace sluice::native_messaging {

// Reads a file descriptor (the browser's pipe on stdin) on a thread of its own with plain blocking reads,
// so it works whatever stdin is (pipe, socket, file). Bytes and end-of-input are handed to the callbacks on
// that thread; the owner of the reader forwards them where they belong. stop() wakes a blocked read
// through a self-pipe, so shutting down never waits on the browser.
class stdin_reader {
public:
    using bytes_handler = std::function<void(std::span<char const>)>;
    using end_handler = std::function<void()>;

    stdin_reader(int fd, bytes_handler on_bytes, end_handler on_end);
    ~stdin_reader();

    stdin_reader(stdin_reader const&) = delete;
    stdin_reader& operator=(stdin_reader const&) = delete;

    void start();
    void stop();

private:
    void run();

    int fd_;
    bytes_handler on_bytes_;
    end_handler on_end_;
    int wake_[2] = {-1, -1};
    std::thread thread_;
};

} // namespace sluice::native_messaging
