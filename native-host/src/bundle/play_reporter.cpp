#include "bundle/play_reporter.hpp"

#include "base/log.hpp"

#include <sluice/fileio/atomic_file.hpp>
#include <sluice/fileio/file_io.hpp>
#include <sluice/protocol/untrusted_json.hpp>

#include <algorithm>

namespace sluice::bundle {

namespace {

using nlohmann::json;

// The most plays of an item one report counts (the gate's limit, gate-api.md).
constexpr std::uint64_t max_item_plays = 1000;
// The most items one report names (the gate's limit).
constexpr std::size_t max_report_items = 100;
// The largest file of kept plays read back: a few thousand items' counts.
constexpr std::size_t max_file_bytes = 1024 * 1024;

std::int64_t unix_now() {
    return std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

std::string batch_key(std::string const& gate_url, std::string const& bundle_id, std::uint64_t version) {
    return gate_url + '\n' + bundle_id + '\n' + std::to_string(version);
}

} // namespace

play_reporter::play_reporter(boost::asio::io_context& io, std::filesystem::path file, gate_call call,
                             std::chrono::seconds gate_timeout, std::function<bool()> consent,
                             std::function<std::chrono::seconds()> max_delay)
    : file_(std::move(file)), requests_(io, std::move(call), gate_timeout), consent_(std::move(consent)),
      max_delay_(std::move(max_delay)), timer_(io), random_(std::random_device{}()) {}

void play_reporter::start() {
    if (!consent_()) {
        forget();
        return;
    }
    load();
    schedule();
}

bool play_reporter::count(protocol::bundle_manifest const& m, std::string const& item, play_event event) {
    if (!consent_() || m.gate_url.empty()) {
        return false;
    }
    add(m.gate_url, m.id, m.version, item,
        event == play_event::started ? item_counts{1, 0} : item_counts{0, 1});
    arm();
    save();
    schedule();
    return true;
}

void play_reporter::add(std::string const& gate_url, std::string const& bundle_id, std::uint64_t version,
                        std::string const& item, item_counts more) {
    auto& b = batches_[batch_key(gate_url, bundle_id, version)];
    b.gate_url = gate_url;
    b.bundle_id = bundle_id;
    b.version = version;
    auto& counts = b.items[item];
    counts.started = std::min(counts.started + more.started, max_item_plays);
    counts.finished = std::min(counts.finished + more.finished, max_item_plays);
}

void play_reporter::arm() {
    if (due_ == 0) {
        auto const most = std::max<std::int64_t>(1, max_delay_().count());
        due_ = unix_now() + std::uniform_int_distribution<std::int64_t>(std::max<std::int64_t>(1, most / 4),
                                                                        most)(random_);
    }
}

void play_reporter::forget() {
    batches_.clear();
    due_ = 0;
    timer_.cancel();
    std::error_code ec;
    std::filesystem::remove(file_, ec);
}

std::uint64_t play_reporter::pending() const {
    std::uint64_t n = 0;
    for (auto const& [key, b] : batches_) {
        for (auto const& [item, c] : b.items) {
            n += c.started + c.finished;
        }
    }
    return n;
}

void play_reporter::load() {
    std::error_code ec;
    if (!std::filesystem::exists(file_, ec)) {
        return;
    }
    auto const text = fileio::read_small_file(file_, max_file_bytes, ec);
    auto const parsed = ec ? protocol::parsed_json{} : protocol::parse_untrusted_json(text);
    if (ec || !parsed.value.is_object()) {
        base::log::warning("the plays kept in " + file_.string() + " cannot be read; they are dropped");
        forget();
        return;
    }
    try {
        due_ = parsed.value.at("due").get<std::int64_t>();
        for (auto const& b : parsed.value.at("batches")) {
            auto const gate_url = b.at("gate").get<std::string>();
            auto const bundle_id = b.at("bundleId").get<std::string>();
            auto const version = b.at("version").get<std::uint64_t>();
            for (auto const& [item, c] : b.at("items").items()) {
                add(gate_url, bundle_id, version, item,
                    {std::min(c.at("started").get<std::uint64_t>(), max_item_plays),
                     std::min(c.at("finished").get<std::uint64_t>(), max_item_plays)});
            }
        }
    } catch (json::exception const& e) {
        base::log::warning("the plays kept in " + file_.string() + " are not as written (" + e.what() +
                           "); they are dropped");
        forget();
    }
}

void play_reporter::save() {
    if (batches_.empty()) {
        std::error_code ec;
        std::filesystem::remove(file_, ec);
        return;
    }
    json out{{"due", due_}, {"batches", json::array()}};
    for (auto const& [key, b] : batches_) {
        json items = json::object();
        for (auto const& [item, c] : b.items) {
            items[item] = {{"started", c.started}, {"finished", c.finished}};
        }
        out["batches"].push_back(
            {{"gate", b.gate_url}, {"bundleId", b.bundle_id}, {"version", b.version}, {"items", items}});
    }
    std::error_code ec;
    fileio::write_file_atomically(file_, out.dump(), 0600, true, ec);
    if (ec) {
        base::log::warning("plays could not be kept in " + file_.string() + ": " + ec.message());
    }
}

void play_reporter::schedule() {
    if (batches_.empty() || due_ == 0) {
        return;
    }
    timer_.expires_after(std::chrono::seconds(std::max<std::int64_t>(0, due_ - unix_now())));
    timer_.async_wait([this](boost::system::error_code ec) {
        if (!ec) {
            send_all();
        }
    });
}

void play_reporter::send_all() {
    if (!consent_()) {
        forget();
        return;
    }
    auto sending = std::move(batches_);
    batches_.clear();
    due_ = 0;
    save();
    for (auto const& entry : sending) {
        auto const& b = entry.second;
        json items = json::array();
        for (auto const& [item, c] : b.items) {
            if (items.size() < max_report_items) {
                items.push_back({{"item", item}, {"started", c.started}, {"finished", c.finished}});
            }
        }
        requests_.read(b.gate_url,
                       requests_.request("POST", "v1/bundles/" + b.bundle_id + "/plays",
                                         {{"version", b.version}, {"items", items}}),
                       [this, b = b](gate_api::gate_reply reply) {
                           if (reply.what != gate_api::gate_reply::outcome::unavailable) {
                               if (reply.status < 200 || reply.status >= 300) {
                                   base::log::warning("a play report was refused: " + reply.message);
                               }
                               return;
                           }
                           // The gate could not be reached: the counts wait for the next turn, with what was
                           // played since.
                           base::log::info("a play report waits: " + reply.message);
                           if (!consent_()) {
                               return;
                           }
                           for (auto const& [item, c] : b.items) {
                               add(b.gate_url, b.bundle_id, b.version, item, c);
                           }
                           arm();
                           save();
                           schedule();
                       });
    }
}

} // namespace sluice::bundle
