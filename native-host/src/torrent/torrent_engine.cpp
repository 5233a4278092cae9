#include "torrent/torrent_engine.hpp"

#include "base/log.hpp"
#include "media/mime_types.hpp"
#include "torrent/human_errors.hpp"
#include "torrent/torrent_json.hpp"
#include "torrent/torrent_sources.hpp"

#include <libtorrent/alert_types.hpp>
#include <libtorrent/announce_entry.hpp>
#include <libtorrent/error_code.hpp>
#include <libtorrent/magnet_uri.hpp>
#include <libtorrent/peer_info.hpp>
#include <libtorrent/session_stats.hpp>
#include <libtorrent/torrent_info.hpp>
#include <libtorrent/torrent_status.hpp>

#include <algorithm>
#include <unistd.h>
#include <utility>

namespace sluice::torrent {

using protocol::error_code;
using protocol::rpc_error;

namespace {

std::string hex(char const* data, std::size_t n) {
    static char const digits[] = "0123456789abcdef";
    std::string out;
    out.reserve(n * 2);
    for (std::size_t i = 0; i < n; ++i) {
        auto const b = static_cast<unsigned char>(data[i]);
        out += digits[b >> 4];
        out += digits[b & 0xF];
    }
    return out;
}

// Streaming wants torrents to start at once and stay started: no queueing by the session.
void start_immediately(lt::add_torrent_params& p) {
    p.flags &= ~lt::torrent_flags::auto_managed;
    p.flags &= ~lt::torrent_flags::paused;
}

// Media players read a container's index first, at the head or the tail of the file; fetch both early.
// Returns whether the torrent has a media file at all.
bool prioritise_media_edges(lt::torrent_handle const& h, lt::torrent_info const& ti) {
    auto const& fs = ti.files();
    bool media = false;
    for (auto const f : fs.file_range()) {
        if (fs.pad_file_at(f) || fs.file_size(f) == 0 || !media::is_media_path(fs.file_path(f))) {
            continue;
        }
        media = true;
        auto const size = fs.file_size(f);
        std::int64_t const edge = std::min<std::int64_t>(size, 1024 * 1024);
        auto const first = fs.map_file(f, 0, 1).piece;
        auto const last_of_head = fs.map_file(f, edge - 1, 1).piece;
        auto const first_of_tail = fs.map_file(f, size - edge, 1).piece;
        auto const last = fs.map_file(f, size - 1, 1).piece;
        // Deadlines, not only priorities: a deadline set the moment the metadata is in gets the first piece
        // requested before the picker has filled the peers' queues with others (measured: ~100 ms sooner
        // than waiting for the player's first request). The head first, then the tail.
        int order = 0;
        for (auto p = first; p <= last_of_head; ++p) {
            h.piece_priority(p, lt::top_priority);
            h.set_piece_deadline(p, 25 * order++);
        }
        for (auto p = std::max(first_of_tail, lt::piece_index_t(static_cast<int>(last_of_head) + 1));
             p <= last; ++p) {
            h.piece_priority(p, lt::top_priority);
            h.set_piece_deadline(p, 25 * order++);
        }
    }
    return media;
}

// A magnet's incoming folder, once its files have moved to their place. It is the torrent's alone (named by
// its info-hash), so what is left in it goes too: pieces fetched there before the move, when the files at the
// destination were kept instead (they are checked). Then the incoming folder itself, if no other magnet uses
// it.
void remove_incoming_folder(std::filesystem::path const& folder) {
    std::error_code ec;
    std::filesystem::remove_all(folder, ec);
    if (ec) {
        base::log::warning("could not remove " + folder.string() + ": " + ec.message());
    }
    std::filesystem::remove(folder.parent_path(), ec); // only when empty
}

} // namespace

torrent_engine::torrent_engine(boost::asio::io_context& io, lt::session& session, engine_options options,
                               event_sink emit)
    : io_(io), session_(session), options_(std::move(options)), emit_(std::move(emit)),
      store_(options_.resume_dir), resume_timer_(io), update_timer_(io) {}

std::string torrent_engine::id_of(lt::info_hash_t const& hashes) {
    if (hashes.has_v1()) {
        return hex(hashes.v1.data(), hashes.v1.size());
    }
    return hex(hashes.v2.data(), hashes.v2.size());
}

void torrent_engine::start() {
    auto saved = store_.load_all();
    for (auto& params : saved) {
        start_immediately(params);
        auto const id = id_of(params.info_hashes);
        lt::error_code ec;
        auto h = session_.add_torrent(std::move(params), ec);
        if (ec) {
            base::log::warning("could not restore torrent " + id + ": " + ec.message());
            continue;
        }
        torrents_[id] = h;
        auto const ti = h.torrent_file();
        placements_[id] = {h.status(lt::torrent_handle::query_save_path).save_path, ti ? ti->name() : ""};
        if (ti) {
            on_metadata(h);
        }
    }
    if (!saved.empty()) {
        base::log::info("restored " + std::to_string(torrents_.size()) + " torrent(s) from resume data");
    }
    schedule_resume_saves();
    schedule_updates();
}

torrent_engine::add_result torrent_engine::add(lt::add_torrent_params params,
                                               std::optional<std::string> const& save_path) {
    if (params.ti) {
        params.info_hashes = params.ti->info_hashes();
    }
    auto const id = id_of(params.info_hashes);
    if (auto it = torrents_.find(id); it != torrents_.end()) {
        // Not re-added; but the sources the second link brings (peers, trackers, web seeds) are used.
        auto const& h = it->second;
        for (auto const& peer : params.peers) {
            h.connect_peer(peer);
            link_peers_[id].insert(peer);
        }
        for (auto const& tracker : params.trackers) {
            h.add_tracker(lt::announce_entry(tracker));
        }
        for (auto const& url : params.url_seeds) {
            h.add_url_seed(url);
        }
        auto const st = it->second.status(lt::torrent_handle::query_name);
        return nlohmann::json{{"infoHash", id}, {"name", st.name}, {"duplicate", true}};
    }
    std::filesystem::path folder = save_path ? std::filesystem::path(*save_path) : options_.default_save_path;
    if (!folder.is_absolute()) {
        return rpc_error::make(error_code::invalid_save_path, "savePath must be an absolute path");
    }
    std::error_code fs_ec;
    std::filesystem::create_directories(folder, fs_ec);
    if (fs_ec || ::access(folder.c_str(), W_OK) != 0) {
        return rpc_error::make(
            error_code::invalid_save_path,
            describe_storage_error(fs_ec ? fs_ec : std::error_code(errno, std::generic_category()),
                                   folder.string()));
    }
    placement place{folder, "", save_path.has_value()};
    if (params.ti) {
        place.name = params.ti->name();
        auto const held = held_except(id);
        if (place.chosen_by_caller && is_held(folder, place.name, held)) {
            return rpc_error::make(error_code::invalid_save_path,
                                   (folder / place.name).string() +
                                       " already holds the files of another torrent with the same name; "
                                       "choose another folder");
        }
        place.save_path = free_save_path(folder, place.name, held, [](std::filesystem::path const& p) {
            std::error_code ignored;
            return std::filesystem::exists(p, ignored);
        });
        params.save_path = place.save_path.string();
    } else {
        place.save_path = incoming_path(folder, id);
        params.save_path = place.save_path.string();
    }
    start_immediately(params);
    // libtorrent dials new peers only on its once-a-second tick, except for a "connect boost" when a torrent
    // starts: added paused and resumed at once, a magnet's x.pe= peers are dialled now, not up to a second
    // later (measured: the metadata in ~5 ms instead of ~100-1000 ms).
    params.flags |= lt::torrent_flags::paused;
    // In piece order: the first requests then go to the head of the file, which a player reads first. The
    // deadlines on_metadata() sets reach libtorrent only after the picker has filled the peers' queues,
    // and in rarest-first order the first piece waited behind those (measured: the first piece ~15 ms after
    // the metadata instead of ~80-150 ms, and no better when the order went back to rarest-first right
    // after the deadlines were set). Kept for media; on_metadata() turns it off for anything else.
    params.flags |= lt::torrent_flags::sequential_download;
    std::vector<int> selection;
    if (!params.ti) {
        // Magnet `so=` arrives as file priorities; remember which files it named to check them later.
        for (std::size_t i = 0; i < params.file_priorities.size(); ++i) {
            if (params.file_priorities[i] != lt::dont_download) {
                selection.push_back(static_cast<int>(i));
            }
        }
    }
    auto const peers = params.peers;
    lt::error_code ec;
    auto h = session_.add_torrent(std::move(params), ec);
    if (ec) {
        return rpc_error::make(error_code::add_failed, ec.message());
    }
    h.resume();
    torrents_[id] = h;
    placements_[id] = place;
    link_peers_[id].insert(peers.begin(), peers.end());
    if (!selection.empty()) {
        magnet_selection_[id] = std::move(selection);
    }
    if (h.torrent_file()) {
        on_metadata(h);
    }
    // Saved at once, so even a kill -9 a moment after the add brings the torrent back.
    request_resume_data(h, lt::torrent_handle::save_info_dict);
    auto const st = h.status(lt::torrent_handle::query_name);
    base::log::info(
        "added torrent " + id + " (" + st.name + ") into " +
        (place.name.empty() ? folder.string() + " (once its name is known)" : place.save_path.string()));
    return nlohmann::json{{"infoHash", id}, {"name", st.name}, {"duplicate", false}};
}

nlohmann::json torrent_engine::list() const {
    auto out = nlohmann::json::array();
    for (auto const& [id, h] : torrents_) {
        out.push_back(
            entry_json(id, h.status(lt::torrent_handle::query_name | lt::torrent_handle::query_save_path)));
    }
    return out;
}

nlohmann::json torrent_engine::entry_json(std::string const& id, lt::torrent_status const& st) const {
    auto j = status_json(id, st);
    // Trackers are listed while the torrent still fetches something, when a viewer may wait on them: a
    // session of hundreds of seeding torrents keeps torrent.list within one frame.
    j["sources"] = sources_json(st.handle.trackers(), st.is_finished ? 0 : max_listed_trackers,
                                static_cast<int>(st.handle.url_seeds().size()), st.list_peers, dht_nodes_);
    return j;
}

std::optional<lt::torrent_handle> torrent_engine::find(std::string const& id) const {
    auto const it = torrents_.find(id);
    if (it == torrents_.end()) {
        return std::nullopt;
    }
    return it->second;
}

std::string torrent_engine::destined_file_path(std::string const& id, int index) const {
    auto const h = find(id);
    auto const place = placements_.find(id);
    if (!h || place == placements_.end()) {
        return {};
    }
    auto const ti = h->torrent_file();
    if (!ti || index < 0 || index >= ti->num_files()) {
        return {};
    }
    return (place->second.save_path / ti->files().file_path(lt::file_index_t(index))).string();
}

bool torrent_engine::remove(std::string const& id, bool delete_files) {
    auto const it = torrents_.find(id);
    if (it == torrents_.end()) {
        return false;
    }
    session_.remove_torrent(it->second,
                            delete_files ? lt::session_handle::delete_files : lt::remove_flags_t{});
    torrents_.erase(it);
    last_sent_.erase(id);
    magnet_selection_.erase(id);
    placements_.erase(id);
    seals_.forget(id);
    seal_after_flush_.erase(id);
    link_peers_.erase(id);
    redial_after_check_.erase(id);
    hash_rechecks_.erase(id);
    recheck_scheduled_.erase(id);
    store_.remove(id);
    for (auto const* l : std::set<piece_listener const*>(listeners_)) {
        if (l->on_removed) {
            l->on_removed(id);
        }
    }
    base::log::info("removed torrent " + id + (delete_files ? " and its files" : ""));
    return true;
}

bool torrent_engine::pause(std::string const& id) {
    auto const h = find(id);
    if (!h) {
        return false;
    }
    h->unset_flags(lt::torrent_flags::auto_managed);
    h->pause(lt::torrent_handle::graceful_pause);
    request_resume_data(*h, {});
    return true;
}

bool torrent_engine::resume(std::string const& id) {
    auto const h = find(id);
    if (!h) {
        return false;
    }
    h->resume();
    request_resume_data(*h, {});
    return true;
}

void torrent_engine::request_resume_data(lt::torrent_handle const& h, lt::resume_data_flags_t flags) {
    ++outstanding_resume_saves_;
    h.save_resume_data(flags | lt::torrent_handle::save_info_dict);
}

void torrent_engine::schedule_resume_saves() {
    resume_timer_.expires_after(options_.resume_interval);
    resume_timer_.async_wait([this](boost::system::error_code ec) {
        if (ec) {
            return;
        }
        for (auto const& [id, h] : torrents_) {
            request_resume_data(h, lt::torrent_handle::only_if_modified);
        }
        schedule_resume_saves();
    });
}

void torrent_engine::schedule_updates() {
    update_timer_.expires_after(options_.update_interval);
    update_timer_.async_wait([this](boost::system::error_code ec) {
        if (ec) {
            return;
        }
        session_.post_torrent_updates();
        session_.post_session_stats();
        schedule_updates();
    });
}

void torrent_engine::on_metadata(lt::torrent_handle const& h) {
    auto const ti = h.torrent_file();
    if (!ti) {
        return;
    }
    auto const id = id_of(ti->info_hashes());
    if (auto const it = placements_.find(id); it != placements_.end() && it->second.name.empty()) {
        place_incoming(h, id, *ti);
    }
    if (auto it = magnet_selection_.find(id); it != magnet_selection_.end()) {
        int const files = ti->num_files();
        for (int index : it->second) {
            if (index >= files) {
                emit_error(h, "magnet",
                           "The magnet link selects file " + std::to_string(index) +
                               ", but the torrent has only " + std::to_string(files) +
                               " files; the selection was ignored.");
                std::vector<lt::download_priority_t> all(static_cast<std::size_t>(files),
                                                         lt::default_priority);
                h.prioritize_files(all);
                break;
            }
        }
        magnet_selection_.erase(it);
    }
    if (!prioritise_media_edges(h, *ti)) {
        // Nothing to play: rarest first serves the swarm better than file order.
        h.unset_flags(lt::torrent_flags::sequential_download);
    }
    for (auto const* l : std::set<piece_listener const*>(listeners_)) {
        if (l->on_metadata) {
            l->on_metadata(id, h);
        }
    }
}

std::vector<held_name> torrent_engine::held_except(std::string const& id) const {
    std::vector<held_name> held;
    for (auto const& [other, place] : placements_) {
        if (other != id && !place.name.empty()) {
            held.push_back({place.save_path, place.name});
        }
    }
    return held;
}

void torrent_engine::place_incoming(lt::torrent_handle const& h, std::string const& id,
                                    lt::torrent_info const& ti) {
    auto& place = placements_[id];
    auto const destination = incoming_destination(place.save_path);
    if (!destination) {
        place.name = ti.name(); // added before incoming folders existed: it stays where it is
        return;
    }
    auto const held = held_except(id);
    if (place.chosen_by_caller && is_held(*destination, ti.name(), held)) {
        h.pause();
        emit_error(h, "storage",
                   (*destination / ti.name()).string() +
                       " already holds the files of another torrent with the same name, so this one was "
                       "stopped before writing anything there. Remove it and add it again with another "
                       "folder.");
        return;
    }
    auto const exists = [](std::filesystem::path const& p) {
        std::error_code ignored;
        return std::filesystem::exists(p, ignored);
    };
    auto const folder = free_save_path(*destination, ti.name(), held, exists);
    place.name = ti.name();
    place.save_path = folder;
    // Files already there (this torrent's, kept from an earlier add, or a stranger's) are kept and
    // checked: what matches is not fetched again, what does not is.
    place.recheck_after_move = exists(folder / ti.name());
    h.move_storage(folder.string(), lt::move_flags_t::dont_replace);
}

void torrent_engine::on_storage_moved(lt::torrent_handle const& h, std::string const& old_path) {
    auto const id = id_of(h.info_hashes());
    auto const it = placements_.find(id);
    if (it == placements_.end()) {
        return;
    }
    if (incoming_destination(old_path) && std::filesystem::path(old_path).filename() == id) {
        remove_incoming_folder(old_path);
    }
    // Renamed files have a new ctime: sealed again where they are now.
    seals_.forget(id);
    if (std::exchange(it->second.recheck_after_move, false)) {
        h.force_recheck();
    } else {
        seal_complete_files(h);
    }
    request_resume_data(h, lt::torrent_handle::save_info_dict);
}

void torrent_engine::seal_files(lt::torrent_handle const& h, std::vector<int> const& files) {
    auto const id = id_of(h.info_hashes());
    for (int const index : files) {
        auto const path = file_path_on_disk(h, lt::file_index_t(index));
        if (path.empty()) {
            continue;
        }
        if (auto const look = look_at(path)) {
            seals_.seal(id, index, *look);
        }
    }
}

void torrent_engine::seal_after_flush(lt::torrent_handle const& h, std::vector<int> files) {
    if (files.empty()) {
        return;
    }
    seal_after_flush_[id_of(h.info_hashes())].push_back(std::move(files));
    h.flush_cache();
}

void torrent_engine::seal_complete_files(lt::torrent_handle const& h) {
    auto const ti = h.torrent_file();
    if (!ti) {
        return;
    }
    // The progress is libtorrent's now, not when the alert being handled was posted: it may count pieces
    // whose blocks are still on their way to the disk, so the files are sealed after a flush.
    auto const& fs = ti->files();
    std::vector<std::int64_t> progress;
    h.file_progress(progress, lt::torrent_handle::piece_granularity);
    std::vector<int> complete;
    for (auto const f : fs.file_range()) {
        auto const i = static_cast<std::size_t>(static_cast<int>(f));
        if (!fs.pad_file_at(f) && i < progress.size() && progress[i] == fs.file_size(f)) {
            complete.push_back(static_cast<int>(f));
        }
    }
    seal_after_flush(h, std::move(complete));
}

void torrent_engine::redial(lt::torrent_handle h, std::string const& id) {
    // Fresh entries: the old ones remember when they were last dialled. Trackers and the DHT are asked again
    // for the peers they know.
    h.clear_peers();
    for (auto const& peer : link_peers_[id]) {
        h.connect_peer(peer);
    }
    h.force_reannounce();
    if (session_.is_dht_running()) {
        h.force_dht_announce();
    }
}

void torrent_engine::file_changed(std::string const& id, int index) {
    auto const h = find(id);
    if (!h) {
        return;
    }
    auto const ti = h->torrent_file();
    auto const name = ti && index >= 0 && index < ti->num_files()
                          ? ti->files().file_path(lt::file_index_t(index))
                          : std::to_string(index);
    seals_.forget(id);
    // The check disconnects every peer, and libtorrent dials one again only after min_reconnect_time (and
    // never a seed while the torrent was finished): once it ends, the peers are dialled afresh.
    std::vector<lt::peer_info> connected;
    h->get_peer_info(connected);
    for (auto const& peer : connected) {
        // Only the ones we dialled: a peer that dialled us came from a port it does not listen on.
        if (peer.connection_type == lt::peer_info::standard_bittorrent &&
            (peer.flags & lt::peer_info::local_connection)) {
            link_peers_[id].insert(peer.ip);
        }
    }
    redial_after_check_.insert(id);
    emit_error(*h, "storage",
               name + " was changed on disk by another program after its pieces were verified, so it is not "
                      "streamed; the torrent is being checked again and what changed is fetched again.");
    h->force_recheck();
    h->resume();
}

void torrent_engine::emit_error(lt::torrent_handle const& h, std::string const& kind,
                                std::string const& message) {
    auto const id = id_of(h.info_hashes());
    base::log::warning("torrent " + id + ": " + message);
    emit_("torrent.error", {{"infoHash", id}, {"kind", kind}, {"message", message}});
}

void torrent_engine::handle_alert(lt::alert const* a) {
    if (auto const* rd = lt::alert_cast<lt::save_resume_data_alert>(a)) {
        --outstanding_resume_saves_;
        auto const id = id_of(rd->params.info_hashes);
        if (torrents_.count(id) == 0) {
            return; // removed while the save was under way
        }
        store_.save(id, rd->params);
    } else if (lt::alert_cast<lt::save_resume_data_failed_alert>(a)) {
        --outstanding_resume_saves_; // "not modified" lands here too
    } else if (auto const* su = lt::alert_cast<lt::state_update_alert>(a)) {
        on_state_update(su->status);
    } else if (auto const* ss = lt::alert_cast<lt::session_stats_alert>(a)) {
        static int const dht_nodes_metric = lt::find_metric_idx("dht.dht_nodes");
        auto const counters = ss->counters();
        if (!session_.is_dht_running()) {
            dht_nodes_.reset();
        } else if (dht_nodes_metric >= 0 && dht_nodes_metric < counters.size()) {
            dht_nodes_ = static_cast<int>(counters[dht_nodes_metric]);
        }
    } else if (auto const* pf = lt::alert_cast<lt::piece_finished_alert>(a)) {
        auto const id = id_of(pf->handle.info_hashes());
        for (auto const* l : std::set<piece_listener const*>(listeners_)) {
            if (l->on_piece) {
                l->on_piece(id, pf->piece_index);
            }
        }
    } else if (auto const* tf = lt::alert_cast<lt::torrent_finished_alert>(a)) {
        auto const id = id_of(tf->handle.info_hashes());
        // libtorrent also says "finished" when a check finds complete data (a restart, a folder of
        // existing files); only a download that happened in this session is news to the user.
        if (torrents_.count(id) && tf->handle.status({}).total_payload_download > 0) {
            emit_("torrent.finished", {{"infoHash", id}, {"name", tf->torrent_name()}});
            request_resume_data(tf->handle, {});
        }
    } else if (auto const* md = lt::alert_cast<lt::metadata_received_alert>(a)) {
        on_metadata(md->handle);
        request_resume_data(md->handle, lt::torrent_handle::save_info_dict);
        // The file list is what a waiting viewer needs next: say so now, not at the next periodic update.
        session_.post_torrent_updates();
    } else if (auto const* sm = lt::alert_cast<lt::storage_moved_alert>(a)) {
        on_storage_moved(sm->handle, sm->old_path());
    } else if (auto const* smf = lt::alert_cast<lt::storage_moved_failed_alert>(a)) {
        emit_error(smf->handle, "storage", describe_storage_error(smf->error, smf->file_path()));
    } else if (auto const* tc = lt::alert_cast<lt::torrent_checked_alert>(a)) {
        // A check that got through found both hashes in agreement on everything on disk: a later alarm is a
        // new one, not the same disagreement again.
        hash_rechecks_.erase(id_of(tc->handle.info_hashes()));
        auto const id = id_of(tc->handle.info_hashes());
        if (torrents_.count(id) != 0) {
            seal_complete_files(tc->handle);
        }
        if (redial_after_check_.erase(id) != 0) {
            redial(tc->handle, id);
        }
    } else if (auto const* fc = lt::alert_cast<lt::file_completed_alert>(a)) {
        // A piece passes its check a moment before its last block is written: the file is sealed once
        // every write of the torrent has landed.
        if (torrents_.count(id_of(fc->handle.info_hashes())) != 0) {
            seal_after_flush(fc->handle, {static_cast<int>(fc->index)});
        }
    } else if (auto const* cf = lt::alert_cast<lt::cache_flushed_alert>(a)) {
        // Flushes end in the order they were asked for: this one covers the oldest file waiting.
        auto const it = seal_after_flush_.find(id_of(cf->handle.info_hashes()));
        if (it != seal_after_flush_.end() && !it->second.empty()) {
            seal_files(cf->handle, it->second.front());
            it->second.pop_front();
        }
    } else if (auto const* fe = lt::alert_cast<lt::file_error_alert>(a)) {
        // A disk job cancelled by a recheck or a removal is no fault of the disk.
        if (fe->error != boost::system::errc::operation_canceled) {
            emit_error(fe->handle, "storage", describe_storage_error(fe->error, fe->filename()));
        }
    } else if (auto const* te = lt::alert_cast<lt::torrent_error_alert>(a)) {
        if (te->error == boost::system::errc::operation_canceled) {
            return;
        }
        if (te->error == lt::errors::torrent_inconsistent_hashes) {
            on_inconsistent_hashes(te->handle);
        } else {
            emit_error(te->handle, "storage", describe_storage_error(te->error, te->filename()));
        }
    } else if (auto const* tr = lt::alert_cast<lt::tracker_error_alert>(a)) {
        emit_error(tr->handle, "tracker",
                   describe_tracker_error(tr->tracker_url(), tr->error, tr->failure_reason()));
    }
}

// libtorrent 2.0.8 stops a hybrid torrent with "v1 and v2 hashes do not describe the same data" when the v2
// block hashes of a piece arrive from one peer while the piece, downloaded from others, is still being
// checked against its v1 hash (seen in about 1 of 8 downloads of a 48 MiB hybrid from two peers; 2.0.10
// reworked this). The data on disk is not at fault: checking it again from the files verifies every piece by
// both hashes, and the download goes on (a check that gets through clears the count). A torrent whose hashes
// disagree during the checks themselves really describes two different things (damaged, or made so on
// purpose), and after three checks is left stopped with a sentence that says so.
void torrent_engine::on_inconsistent_hashes(lt::torrent_handle const& h) {
    constexpr int max_rechecks = 3;
    auto const id = id_of(h.info_hashes());
    // One check reports each piece it finds at odds: the first schedules the recheck, the rest are its echo.
    if (torrents_.count(id) == 0 || !recheck_scheduled_.insert(id).second) {
        return;
    }
    if (++hash_rechecks_[id] > max_rechecks) {
        recheck_scheduled_.erase(id);
        emit_error(
            h, "integrity",
            "The torrent's two sets of piece hashes (v1 and v2) disagree about its data even after a full "
            "check: it is damaged or was made to deceive. Nothing more is downloaded; ask its publisher "
            "for another link.");
        return;
    }
    base::log::warning("torrent " + id +
                       ": libtorrent found its v1 and v2 hashes at odds; checking its files again (" +
                       std::to_string(hash_rechecks_[id]) + " of " + std::to_string(max_rechecks) + ")");
    // The error paused the torrent and so closed every connection; libtorrent would dial those peers again
    // only after min_reconnect_time (a minute), so they are dialled afresh once the check ends.
    redial_after_check_.insert(id);
    // A moment later, once the hash jobs of the check that failed have ended: a recheck cancels them.
    auto timer = std::make_shared<boost::asio::steady_timer>(io_, std::chrono::milliseconds(250));
    timer->async_wait([this, id, timer](boost::system::error_code ec) {
        recheck_scheduled_.erase(id);
        auto const handle = find(id);
        if (ec || !handle) {
            return;
        }
        seals_.forget(id);
        handle->clear_error();
        handle->force_recheck();
        handle->resume();
    });
}

void torrent_engine::on_state_update(std::vector<lt::torrent_status> const& statuses) {
    auto changed = nlohmann::json::array();
    std::set<std::string> reported;
    auto report = [&](std::string const& id, lt::torrent_status const& st) {
        reported.insert(id);
        auto now = entry_json(id, st);
        auto& before = last_sent_[id];
        auto delta = changed_fields(before, now);
        before = std::move(now);
        if (!delta.empty()) {
            delta["infoHash"] = id;
            changed.push_back(std::move(delta));
        }
    };
    for (auto const& st : statuses) {
        auto const id = id_of(st.info_hashes);
        if (torrents_.count(id) != 0) {
            report(id, st);
        }
    }
    // libtorrent reports a torrent only when its state changed; a transfer that stopped (a download that
    // finished, a peer that left) may never be reported again, and its last rate would stay on screen.
    for (auto const& [id, h] : torrents_) {
        auto const it = last_sent_.find(id);
        if (reported.count(id) == 0 && it != last_sent_.end() &&
            (it->second.value("downloadRate", 0) != 0 || it->second.value("uploadRate", 0) != 0)) {
            report(id, h.status(lt::torrent_handle::query_name | lt::torrent_handle::query_save_path));
        }
    }
    if (!changed.empty()) {
        emit_("torrent.updated", {{"torrents", std::move(changed)}});
    }
}

void torrent_engine::save_all_resume_data(std::chrono::milliseconds timeout) {
    resume_timer_.cancel();
    update_timer_.cancel();
    for (auto const& [id, h] : torrents_) {
        request_resume_data(h, lt::torrent_handle::flush_disk_cache);
    }
    auto const deadline = std::chrono::steady_clock::now() + timeout;
    while (outstanding_resume_saves_ > 0 && std::chrono::steady_clock::now() < deadline) {
        if (!session_.wait_for_alert(std::chrono::milliseconds(100))) {
            continue;
        }
        std::vector<lt::alert*> alerts;
        session_.pop_alerts(&alerts);
        for (auto const* a : alerts) {
            handle_alert(a);
        }
    }
    store_.flush();
}

} // namespace sluice::torrent
