#pragma once

#include "bundle/gate_requests.hpp"

#include <sluice/protocol/bundle_manifest.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <random>
#include <string>

namespace sluice::bundle {

enum class play_event { started, finished };

// Plays of bundle items, reported to each bundle's gate (protocol/gate-api.md, "Plays") only while the viewer
// says yes. Plays are counted per bundle version and item, kept in `file` (so that a host that exits before
// sending loses nothing), and sent together a random while after the first of them: between a quarter of
// `max_delay` and all of it, so that a report's time says nothing of when anything was played or unlocked.
// Nothing that names the viewer is sent: no device key, no token, no time. On the io_context thread.
class play_reporter {
public:
    play_reporter(boost::asio::io_context& io, std::filesystem::path file, gate_call call,
                  std::chrono::seconds gate_timeout, std::function<bool()> consent,
                  std::function<std::chrono::seconds()> max_delay);

    play_reporter(play_reporter const&) = delete;
    play_reporter& operator=(play_reporter const&) = delete;

    // Reads what an earlier run kept, and sends it when it is due (at once when it was due already).
    void start();

    // Counts a play of `item` of `m`. False when it is not counted: the viewer has not said yes, or the
    // bundle has no gate.
    bool count(protocol::bundle_manifest const& m, std::string const& item, play_event event);

    // The viewer said no: what was counted and not sent is dropped, here and in the file.
    void forget();

    // Plays counted and not yet sent, for tests and logs.
    std::uint64_t pending() const;

private:
    struct item_counts {
        std::uint64_t started = 0;
        std::uint64_t finished = 0;
    };
    struct batch {
        std::string gate_url;
        std::string bundle_id;
        std::uint64_t version = 0;
        std::map<std::string, item_counts> items;
    };

    // Adds `more` to the kept counts of `item` of a bundle version, each at most what one report may carry.
    void add(std::string const& gate_url, std::string const& bundle_id, std::uint64_t version,
             std::string const& item, item_counts more);
    // Sets when the kept plays go, unless that is set already.
    void arm();
    void load();
    void save();
    void schedule();
    void send_all();

    std::filesystem::path file_;
    gate_requests requests_;
    std::function<bool()> consent_;
    std::function<std::chrono::seconds()> max_delay_;
    boost::asio::steady_timer timer_;
    std::mt19937_64 random_;
    // By gate URL, bundle id and version.
    std::map<std::string, batch> batches_;
    // When the kept plays are sent, in seconds since the epoch (0 while there are none).
    std::int64_t due_ = 0;
};

} // namespace sluice::bundle
