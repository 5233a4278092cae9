#pragma once

#include "sluice-gate/gate_store.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace sluice::gate {

// One info-hash a tracker knows a bundle's current version by (swarm_scrape.hpp, tracker_hashes).
struct tracked_hash {
    std::string bundle_id;
    std::uint64_t version = 0;
    std::string info_hash;
};

// Every imported bundle's hashes, by bundle id: what a tracker is to track (`tracker-whitelist`) and what the
// reader asks it about.
std::vector<tracked_hash> tracked_hashes(gate_store& store, std::error_code& ec);

// Reads the tracker's scrape (swarm_scrape.hpp) of every imported bundle's info-hashes, at start and then
// every `every`, and keeps each hash's counts as its day's (gate_store::record_swarm): downloads and seeds
// come from the tracker the bundles announce to, never from the viewers. Runs on a shard's io_context with
// that shard's store; one scrape request at a time, at most 50 hashes in one. A failed read is said on stderr
// (the gate's log) and tried again at the next turn.
class tracker_reader {
public:
    tracker_reader(boost::asio::io_context& io, gate_store& store, std::string scrape_url,
                   std::chrono::seconds every, std::function<std::int64_t()> now);

    void start();
    void stop();

private:
    void read_all();
    void ask(std::size_t from);
    void next_turn();

    boost::asio::io_context& io_;
    gate_store& store_;
    std::string scrape_url_;
    std::chrono::seconds every_;
    std::function<std::int64_t()> now_;
    boost::asio::steady_timer timer_;
    std::vector<tracked_hash> wanted_;
    bool stopped_ = false;
};

} // namespace sluice::gate
