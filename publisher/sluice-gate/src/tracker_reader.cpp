#include "sluice-gate/tracker_reader.hpp"

#include "sluice-gate/swarm_scrape.hpp"
#include "sluice-gate/view_counting.hpp"

#include <sluice/net/http_client.hpp>

#include <algorithm>
#include <cstdio>

namespace sluice::gate {

namespace {

constexpr std::size_t hashes_per_scrape = 50;

void log_line(std::string const& what) {
    std::fprintf(stderr, "sluice-gate: tracker: %s\n", what.c_str());
}

} // namespace

std::vector<tracked_hash> tracked_hashes(gate_store& store, std::error_code& ec) {
    std::vector<tracked_hash> out;
    for (auto const& b : store.bundle_magnets(ec)) {
        for (auto& h : tracker_hashes(b.magnet)) {
            out.push_back({b.id, b.version, std::move(h)});
        }
    }
    return out;
}

tracker_reader::tracker_reader(boost::asio::io_context& io, gate_store& store, std::string scrape_url,
                               std::chrono::seconds every, std::function<std::int64_t()> now)
    : io_(io), store_(store), scrape_url_(std::move(scrape_url)), every_(every), now_(std::move(now)),
      timer_(io) {}

void tracker_reader::start() {
    read_all();
}

void tracker_reader::stop() {
    stopped_ = true;
    timer_.cancel();
}

void tracker_reader::read_all() {
    if (stopped_) {
        return;
    }
    std::error_code ec;
    wanted_ = tracked_hashes(store_, ec);
    if (ec) {
        log_line("cannot read the bundles: " + ec.message());
        return next_turn();
    }
    ask(0);
}

void tracker_reader::ask(std::size_t from) {
    if (stopped_ || from >= wanted_.size()) {
        return next_turn();
    }
    auto const until = std::min(wanted_.size(), from + hashes_per_scrape);
    std::vector<std::string> hashes;
    for (auto i = from; i < until; ++i) {
        hashes.push_back(wanted_[i].info_hash);
    }
    net::outgoing_request request;
    request.url = scrape_request(scrape_url_, hashes);
    request.timeout = std::chrono::seconds(30);
    net::send_request(io_, std::move(request), [this, from, until](net::incoming_response res) {
        if (stopped_) {
            return;
        }
        std::string error;
        auto const counts = res.ok && res.status == 200 ? parse_scrape(res.body, error) : std::nullopt;
        if (!counts) {
            log_line("the scrape of " + scrape_url_ + " failed: " +
                     (!res.ok             ? res.error
                      : res.status != 200 ? "HTTP " + std::to_string(res.status)
                                          : error));
            return next_turn();
        }
        auto const now = now_();
        std::error_code ec;
        for (auto i = from; i < until && !ec; ++i) {
            auto const& w = wanted_[i];
            // A hash the tracker does not list has no swarm there (yet): nothing to keep.
            if (auto const c = counts->find(w.info_hash); c != counts->end()) {
                store_.record_swarm({w.bundle_id, w.version, w.info_hash, day_of(now), c->second.seeds,
                                     c->second.leechers, c->second.downloaded},
                                    now, ec);
            }
        }
        if (ec) {
            log_line("cannot keep the scrape's counts: " + ec.message());
            return next_turn();
        }
        ask(until);
    });
}

void tracker_reader::next_turn() {
    if (stopped_) {
        return;
    }
    timer_.expires_after(every_);
    timer_.async_wait([this](boost::system::error_code ec) {
        if (!ec) {
            read_all();
        }
    });
}

} // namespace sluice::gate
