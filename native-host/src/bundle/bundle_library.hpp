#pragma once

#include "bundle/keystore.hpp"
#include "torrent/torrent_engine.hpp"

#include <sluice/protocol/bundle_manifest.hpp>
#include <sluice/protocol/locked_item.hpp>
#include <sluice/protocol/unlock_token.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <map>
#include <optional>
#include <string>

namespace sluice::bundle {

namespace lt = libtorrent;

enum class bundle_status { fetching, verified, refused };

// How one file of a torrent may be served or exported.
struct file_access {
    enum class kind {
        plain,    // an ordinary file, or a free item
        locked,   // a locked item without a valid unlock: never served
        unlocked, // a locked item whose key the host holds: served decrypted
    };
    kind what = kind::plain;
    // For unlocked items (the key) and every bundle item (size and hash of the plaintext, its type).
    protocol::item_key key{};
    std::array<unsigned char, 32> identity{};
    std::uint64_t plaintext_size = 0;
    std::optional<std::array<unsigned char, 32>> sha256;
    std::string media_type;
};

// The bundles among the session's torrents. A torrent whose root folder holds bundle.json and bundle.sig
// is a bundle: those two files are fetched first (top priority, deadlines), verified against the publisher
// key the manifest names, the key pinned and the version compared with what this host has seen for the id,
// then `bundle.verified` is emitted, or a `torrent.error` of kind "bundle" says why not. Unlock tokens are
// verified against the verified manifest, kept in the keystore, and re-applied after a restart.
// Everything runs on the io_context thread.
class bundle_library {
public:
    using event_sink = torrent::torrent_engine::event_sink;

    bundle_library(boost::asio::io_context& io, torrent::torrent_engine& engine, keystore& keys,
                   event_sink emit);
    ~bundle_library();

    bundle_library(bundle_library const&) = delete;
    bundle_library& operator=(bundle_library const&) = delete;

    bool is_bundle(std::string const& torrent_id) const { return entries_.count(torrent_id) != 0; }

    // For bundle.get: the manifest summary, signature state, items with lock state and file index, gates.
    // nullopt if the torrent is not a bundle.
    std::optional<nlohmann::json> describe(std::string const& torrent_id) const;

    file_access access(std::string const& torrent_id, int file_index) const;

    // The file index of an item (by manifest path) of a verified bundle.
    std::optional<int> item_file(std::string const& torrent_id, std::string const& item_path) const;
    protocol::bundle_item const* item(std::string const& torrent_id, std::string const& item_path) const;
    // The verified manifest of a bundle torrent; nullptr while fetching or when refused.
    protocol::bundle_manifest const* manifest(std::string const& torrent_id) const;

    struct redeem_outcome {
        protocol::token_problem problem = protocol::token_problem::none;
        std::string detail;     // for a person, when refused
        bool no_bundle = false; // no verified bundle to check the token against
        std::string bundle_id;  // when accepted
        std::vector<std::string> items;
    };
    // Verifies an unlock token against the verified bundle it names, keeps it, unlocks its items in every
    // torrent of that bundle and emits `bundle.unlocked`. With `only_bundle`, a token for any other bundle is
    // refused (wrong_bundle).
    redeem_outcome redeem(std::string const& token_text, std::string_view only_bundle = {});

    // As redeem() when a verified torrent of `bundle_id` is in the session. Otherwise (a delivery not yet
    // downloaded, a bundle since removed) the token is checked against what the gate vouches for — its
    // signature by one of `gate_keys`, the bundle id, this device — and kept: it unlocks the bundle once
    // the bundle is verified, which checks it again against the manifest. `held` then says so.
    struct hold_outcome {
        redeem_outcome redeemed;
        bool held = false;
    };
    hold_outcome redeem_or_hold(std::string const& token_text,
                                std::vector<std::array<unsigned char, 32>> const& gate_keys,
                                std::string const& bundle_id);

    keystore const& keys() const { return keys_; }

private:
    struct unlocked_key {
        protocol::item_key key{};
        std::optional<std::chrono::sys_seconds> expires_at;
    };
    struct entry {
        std::string torrent_id;
        lt::torrent_handle handle;
        std::string root; // the torrent's root folder, with a trailing '/'
        int manifest_file = -1;
        int signature_file = -1;
        bundle_status status = bundle_status::fetching;
        std::string error;
        int attempts = 0;
        std::optional<protocol::bundle_manifest> manifest;
        std::map<std::string, int, std::less<>> file_of_path; // every file, by path below the root
        std::map<std::string, unlocked_key, std::less<>> unlocked;
    };

    void on_metadata(std::string const& id, lt::torrent_handle const& handle);
    void schedule_check();
    void check_pending();
    bool files_ready(entry const& e) const;
    void verify(entry& e);
    void refuse(entry& e, std::string why);
    std::optional<std::string> check_layout(entry const& e, protocol::bundle_manifest const& m) const;
    void apply_stored_tokens(entry& e);
    void apply(entry& e, protocol::verified_token const& token);
    protocol::token_expectations expectations_for(protocol::bundle_manifest const& m) const;

    boost::asio::io_context& io_;
    torrent::torrent_engine& engine_;
    keystore& keys_;
    event_sink emit_;
    std::map<std::string, entry> entries_;
    boost::asio::steady_timer check_timer_;
    bool check_scheduled_ = false;
    torrent::piece_listener listener_;
};

} // namespace sluice::bundle
