#pragma once

#include "bundle/bundle_library.hpp"
#include "bundle/keystore.hpp"
#include "bundle_fixture.hpp"
#include "sandbox_dir.hpp"
#include "torrent/add_source.hpp"
#include "torrent/torrent_engine.hpp"
#include "torrent/torrent_session.hpp"
#include "torrent_fixture.hpp"

#include <boost/asio/io_context.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <string>
#include <utility>
#include <vector>

namespace sluice::testing {

// What the bundle code runs among in the owner process, in one test and one sandbox: an offline BitTorrent
// session on loopback, its engine, a keystore and the bundle library. Every event is recorded. Nothing runs
// until the test turns the io_context (run_until).
class host_parts {
public:
    host_parts()
        : session_(io, offline(), dir / "session.state"),
          engine(io, session_.native(), {dir / "resume", dir / "downloads"}, recorder()),
          keys(open_keys(dir / "keystore.json")), library(io, engine, keys, recorder()) {
        session_.set_alert_handler([this](lt::alert const* a) { engine.handle_alert(a); });
    }
    ~host_parts() { session_.set_alert_handler({}); }

    host_parts(host_parts const&) = delete;
    host_parts& operator=(host_parts const&) = delete;

    // Turns the io_context until `done` holds or `timeout` passes; true if it held.
    template <typename Predicate>
    bool run_until(Predicate done, std::chrono::milliseconds timeout = std::chrono::seconds(20)) {
        auto const deadline = std::chrono::steady_clock::now() + timeout;
        while (!done()) {
            if (std::chrono::steady_clock::now() > deadline) {
                return false;
            }
            io.restart();
            io.run_for(std::chrono::milliseconds(10));
        }
        return true;
    }

    // The params of every event named `method`, in order.
    std::vector<nlohmann::json> events_named(std::string const& method) const {
        std::vector<nlohmann::json> out;
        for (auto const& [name, params] : events) {
            if (name == method) {
                out.push_back(params);
            }
        }
        return out;
    }

    // Adds the folder of `b` as a torrent whose files are all on disk; its id (the v1 info-hash).
    std::string add_bundle_torrent(test_bundle const& b) {
        auto const made = make_torrent(b.folder);
        auto source = torrent::parse_torrent_data(made.bytes);
        auto* params = std::get_if<lt::add_torrent_params>(&source);
        if (params == nullptr) {
            return {};
        }
        auto const added = engine.add(std::move(*params), b.folder.parent_path().string());
        if (auto const* ok = std::get_if<nlohmann::json>(&added)) {
            return ok->at("infoHash").get<std::string>();
        }
        return {};
    }

    // add_bundle_torrent, then waits for the library's verdict on it: true when it was verified.
    bool add_verified_bundle(test_bundle const& b, std::string* id = nullptr) {
        auto const torrent = add_bundle_torrent(b);
        if (id != nullptr) {
            *id = torrent;
        }
        return !torrent.empty() && run_until([&] { return library.manifest(torrent) != nullptr; });
    }

    sandbox_dir dir;
    boost::asio::io_context io;

private:
    torrent::torrent_session session_;

public:
    torrent::torrent_engine engine;
    bundle::keystore keys;
    std::vector<std::pair<std::string, nlohmann::json>> events;
    bundle::bundle_library library;

private:
    static torrent::session_config offline() {
        torrent::session_config c;
        c.dht = false;
        c.lsd = false;
        c.upnp = false;
        c.natpmp = false;
        c.listen_interfaces = "127.0.0.1:0";
        return c;
    }

    static bundle::keystore open_keys(std::filesystem::path const& file) {
        std::error_code ec;
        return bundle::keystore::open(file, ec);
    }

    torrent::torrent_engine::event_sink recorder() {
        return [this](std::string const& method, nlohmann::json params) {
            events.emplace_back(method, std::move(params));
        };
    }
};

} // namespace sluice::testing
