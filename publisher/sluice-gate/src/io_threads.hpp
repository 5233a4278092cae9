#pragma once

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

#include <thread>
#include <vector>

namespace sluice::gate {

// Event loops each run by a thread of its own: the shards of a gate serving on several threads, and its
// charge run. A loop keeps running while it has nothing to do (a shard waits for its first connection)
// until stop(). The loops must outlive this.
class io_threads {
public:
    io_threads() = default;
    io_threads(io_threads const&) = delete;
    io_threads& operator=(io_threads const&) = delete;
    // Stops the loops and joins their threads.
    ~io_threads();

    // Starts a thread that runs `io`.
    void run(boost::asio::io_context& io);
    // From any thread: every loop returns from its run() as soon as its current handler is done; what was
    // still waiting in it is dropped.
    void stop();
    // Waits for every thread to end (after stop(), or once the loops are stopped otherwise).
    void join();

private:
    using work_guard = boost::asio::executor_work_guard<boost::asio::io_context::executor_type>;

    std::vector<boost::asio::io_context*> loops_;
    std::vector<work_guard> guards_;
    std::vector<std::thread> threads_;
};

} // namespace sluice::gate
