#pragma once

#include "torrent/file_seals.hpp"
#include "torrent/resume_store.hpp"
#include "torrent/storage_placement.hpp"

#include <sluice/protocol/jsonrpc.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <libtorrent/add_torrent_params.hpp>
#include <libtorrent/alert.hpp>
#include <libtorrent/session.hpp>
#include <libtorrent/torrent_handle.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <deque>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <variant>
#include <vector>

namespace sluice::torrent {

namespace lt = libtorrent;

struct engine_options {
    std::filesystem::path resume_dir;
    std::filesystem::path default_save_path;
    std::chrono::seconds resume_interval{30};
    std::chrono::milliseconds update_interval{1000};
};

// Reported to whoever waits for pieces (the stream server): a piece became readable on disk, or the torrent
// went away. Called on the io_context thread.
// The bundle library hears of a torrent's metadata too (when a magnet's arrives, or at once for a torrent
// added or restored with it).
struct piece_listener {
    std::function<void(std::string const& id, lt::torrent_handle const& handle)> on_metadata;
    std::function<void(std::string const& id, lt::piece_index_t piece)> on_piece;
    std::function<void(std::string const& id)> on_removed;
};

// The torrents of the session and everything that happens to them. Runs on the io_context thread that owns
// the host's state: libtorrent's alerts reach it through torrent_session's drain, never from libtorrent's
// own threads. A torrent is named by its id: the 40-hex v1 info-hash, or the 64-hex v2 one for v2-only.
class torrent_engine {
public:
    using event_sink = std::function<void(std::string const& method, nlohmann::json params)>;
    using add_result = std::variant<nlohmann::json, protocol::rpc_error>;

    torrent_engine(boost::asio::io_context& io, lt::session& session, engine_options options,
                   event_sink emit);

    // Re-adds every torrent saved by the previous run, then starts the periodic resume-data saves and the
    // throttled status updates.
    void start();

    // Adds a torrent; the result is {"infoHash", "name", "duplicate"}. A duplicate is reported, not re-added.
    add_result add(lt::add_torrent_params params, std::optional<std::string> const& save_path);

    nlohmann::json list() const;
    std::optional<lt::torrent_handle> find(std::string const& id) const;
    // Where file `index` of torrent `id` is going: while its storage moves, libtorrent still reports the old
    // folder though the files may already be in the new one. Empty when the torrent or file is unknown.
    std::string destined_file_path(std::string const& id, int index) const;
    bool remove(std::string const& id, bool delete_files);
    bool pause(std::string const& id);
    bool resume(std::string const& id);

    // Handles one alert (on the io_context thread).
    void handle_alert(lt::alert const* a);

    // Asks every torrent for its resume data and writes what arrives, waiting at most `timeout`. For the
    // way out: it pumps alerts itself, since the io_context is no longer running.
    void save_all_resume_data(std::chrono::milliseconds timeout);

    void add_piece_listener(piece_listener const* listener) { listeners_.insert(listener); }
    void remove_piece_listener(piece_listener const* listener) { listeners_.erase(listener); }

    static std::string id_of(lt::info_hash_t const& hashes);

    // Whether file `index` of torrent `id` still looks as it did when all its pieces were verified (see
    // file_seals). When it does not, file_changed() checks the torrent again.
    bool file_intact(std::string const& id, int index, file_look const& now) const {
        return seals_.intact(id, index, now);
    }
    void file_changed(std::string const& id, int index);

    std::filesystem::path default_save_path() const { return options_.default_save_path; }
    void set_default_save_path(std::filesystem::path p) { options_.default_save_path = std::move(p); }

private:
    void schedule_resume_saves();
    void schedule_updates();
    void request_resume_data(lt::torrent_handle const& h, lt::resume_data_flags_t flags);
    void on_metadata(lt::torrent_handle const& h);
    void emit_error(lt::torrent_handle const& h, std::string const& kind, std::string const& message);
    // status_json with the torrent's sources (trackers, web seeds, known peers, DHT).
    nlohmann::json entry_json(std::string const& id, lt::torrent_status const& st) const;
    void on_state_update(std::vector<lt::torrent_status> const& statuses);
    void on_inconsistent_hashes(lt::torrent_handle const& h);
    // The folders held by every torrent but `id`.
    std::vector<held_name> held_except(std::string const& id) const;
    // Moves a magnet fetched into its incoming folder to the folder it wants, now that its name is known.
    void place_incoming(lt::torrent_handle const& h, std::string const& id, lt::torrent_info const& ti);
    void on_storage_moved(lt::torrent_handle const& h, std::string const& old_path);
    // Seals every file of the torrent whose pieces are all verified (after a check or a move), once every
    // write asked for so far has landed.
    void seal_complete_files(lt::torrent_handle const& h);
    // Seals `files` when a flush asked for now has ended (a file's completion, seal_complete_files).
    void seal_after_flush(lt::torrent_handle const& h, std::vector<int> files);
    void seal_files(lt::torrent_handle const& h, std::vector<int> const& files);
    // Dials the torrent's peers afresh and asks trackers and the DHT again (after a recheck).
    void redial(lt::torrent_handle h, std::string const& id);

    boost::asio::io_context& io_;
    lt::session& session_;
    engine_options options_;
    event_sink emit_;
    resume_store store_;
    boost::asio::steady_timer resume_timer_;
    boost::asio::steady_timer update_timer_;
    std::map<std::string, lt::torrent_handle> torrents_;
    std::map<std::string, nlohmann::json> last_sent_;
    // `so=` selections from magnets, checked once the metadata says how many files there are.
    std::map<std::string, std::vector<int>> magnet_selection_;
    // How often each torrent was rechecked this session after libtorrent found its v1 and v2 hashes at odds.
    std::map<std::string, int> hash_rechecks_;
    std::set<std::string> recheck_scheduled_;
    std::set<piece_listener const*> listeners_;
    // Where each torrent's files are (or, for a magnet in its incoming folder, nothing yet: an empty name).
    struct placement {
        std::filesystem::path save_path;
        std::string name;
        bool chosen_by_caller = false;   // savePath given: a clash is refused, not moved aside
        bool recheck_after_move = false; // the destination already had files of that name
    };
    std::map<std::string, placement> placements_;
    file_seals seals_;
    // Files verified whole but perhaps not all written yet (a piece passes its check from libtorrent's store
    // buffer, before its blocks reach the file): each batch is sealed when the flush asked for it has ended.
    std::map<std::string, std::deque<std::vector<int>>> seal_after_flush_;
    // Peers the links of a torrent named (x.pe), and the torrents whose check, caused by a changed file, must
    // dial its peers again when it ends (see file_changed).
    std::map<std::string, std::set<lt::tcp::endpoint>> link_peers_;
    std::set<std::string> redial_after_check_;
    int outstanding_resume_saves_ = 0;
    // The DHT's routing-table size from the last session stats; nullopt while the DHT is off.
    std::optional<int> dht_nodes_;
};

} // namespace sluice::torrent
