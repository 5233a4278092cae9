#pragma once

#include "bundle/gate_requests.hpp"
#include "bundle/translation_shelf.hpp"

#include <sluice/protocol/bundle_manifest.hpp>

#include <boost/asio/io_context.hpp>

#include <chrono>
#include <functional>
#include <map>
#include <string>

namespace sluice::bundle {

// Fetches a bundle's approved translations from its gate (protocol/gate-api.md, "Translations") into the
// shelf: the list of add-ons, then the track of each add-on not kept yet. Each add-on is checked against the
// verified manifest before its track is asked for, and again with the track before it is kept; what fails is
// logged and left out. A bundle is asked for at most once per `every` (a player opening it asks again). On
// the io_context thread.
class translation_fetcher {
public:
    // `added(bundle_id)` runs once a refresh kept something new.
    translation_fetcher(boost::asio::io_context& io, translation_shelf& shelf, gate_call call,
                        std::chrono::seconds gate_timeout, std::chrono::seconds every,
                        std::function<void(std::string const& bundle_id)> added);

    translation_fetcher(translation_fetcher const&) = delete;
    translation_fetcher& operator=(translation_fetcher const&) = delete;

    // Asks the bundle's gate for its approved translations, unless it was asked within `every` or the
    // bundle has no gate.
    void refresh(protocol::bundle_manifest const& manifest);

private:
    struct run; // one refresh under way
    void fetch_track(std::shared_ptr<run> const& r, std::string const& submission, std::string addon);

    boost::asio::io_context& io_;
    translation_shelf& shelf_;
    gate_requests requests_;
    std::chrono::seconds every_;
    std::function<void(std::string const&)> added_;
    std::map<std::string, std::chrono::steady_clock::time_point> asked_; // by bundle id and version
};

} // namespace sluice::bundle
