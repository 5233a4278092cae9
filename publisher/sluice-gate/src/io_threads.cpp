#include "sluice-gate/io_threads.hpp"

namespace sluice::gate {

io_threads::~io_threads() {
    stop();
    join();
}

void io_threads::run(boost::asio::io_context& io) {
    loops_.push_back(&io);
    guards_.push_back(boost::asio::make_work_guard(io));
    threads_.emplace_back([&io] { io.run(); });
}

void io_threads::stop() {
    for (auto* io : loops_) {
        io->stop();
    }
}

void io_threads::join() {
    for (auto& t : threads_) {
        if (t.joinable()) {
            t.join();
        }
    }
    // Released only once no thread runs the loops: a guard's release touches its loop.
    guards_.clear();
}

} // namespace sluice::gate
