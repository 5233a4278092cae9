#include "torrent/torrent_session.hpp"

#include "base/log.hpp"

#include <sluice/fileio/atomic_file.hpp>
#include <sluice/fileio/file_io.hpp>

#include <boost/asio/post.hpp>
#include <libtorrent/alert_types.hpp>
#include <libtorrent/session.hpp>
#include <libtorrent/session_params.hpp>
#include <libtorrent/settings_pack.hpp>
#include <libtorrent/version.hpp>

#include <limits>
#include <vector>

namespace sluice::torrent {

namespace {

constexpr std::uintmax_t max_state_file_bytes = 16 * 1024 * 1024;

lt::session_params load_params(std::filesystem::path const& state_file) {
    std::error_code ec;
    auto const bytes = fileio::read_small_file(state_file, max_state_file_bytes, ec);
    if (ec || bytes.empty()) {
        return {};
    }
    try {
        return lt::read_session_params({bytes.data(), static_cast<std::ptrdiff_t>(bytes.size())},
                                       lt::session_handle::save_dht_state);
    } catch (std::exception const& e) {
        // A damaged state file costs the DHT cache, nothing more: start fresh and say so.
        base::log::warning("ignoring unreadable session state " + state_file.string() + ": " + e.what());
        return {};
    }
}

void apply_config(lt::settings_pack& pack, session_config const& config) {
    pack.set_bool(lt::settings_pack::enable_dht, config.dht);
    pack.set_bool(lt::settings_pack::enable_lsd, config.lsd);
    pack.set_bool(lt::settings_pack::enable_upnp, config.upnp);
    pack.set_bool(lt::settings_pack::enable_natpmp, config.natpmp);
    pack.set_str(lt::settings_pack::listen_interfaces, config.listen_interfaces);
    pack.set_str(lt::settings_pack::user_agent, "Sluice/" SLUICE_VERSION " libtorrent/" LIBTORRENT_VERSION);
    pack.set_str(lt::settings_pack::peer_fingerprint, lt::generate_fingerprint("SL", 0, 1, 0));
    // uTP is accepted from peers that dial it (home peers whose clients prefer it for its gentle congestion
    // control), but the host dials TCP, which every client accepts. libtorrent dials uTP first and tries TCP
    // only after uTP's connect timeout (3 s; it does not listen for ICMP), so a TCP-only peer (aria2c, many
    // seedboxes, clients with uTP off) gave its first byte ~3.1 s after torrent.add, against 5-7 ms over TCP.
    pack.set_bool(lt::settings_pack::enable_outgoing_utp, false);
    pack.set_bool(lt::settings_pack::enable_incoming_utp, config.utp);
    pack.set_int(lt::settings_pack::download_rate_limit, config.download_rate_limit);
    pack.set_int(lt::settings_pack::upload_rate_limit, config.upload_rate_limit);
    pack.set_int(lt::settings_pack::connections_limit, config.connections_limit);
    // Every peer on one address counts: a household behind one NAT, a campus, a VPN exit, loopback. With one
    // peer per address, a later entry for an address replaces the earlier one, so a dead peer (a tracker's
    // stale entry, a magnet's second x.pe) hides a live one, and of two viewers behind one address the seed
    // serves one (measured: no metadata in 7 of 7 tries with a live then a dead x.pe on 127.0.0.1).
    pack.set_bool(lt::settings_pack::allow_multiple_connections_per_ip, true);
    // Streaming reads want pieces as soon as they verify: a faster tick reacts to deadlines sooner.
    pack.set_int(lt::settings_pack::tick_interval, 100);
    // Each peer is asked for one second of its rate ahead instead of three: a piece that becomes urgent (a
    // seek, the next one a player needs) waits behind fewer blocks queued for pieces nobody waits for. In
    // bench/swarm_bench (8 seeders at 1.5 MB/s, a 4 MB/s video) the stalls in the 10 s after a seek went from
    // 4.8-7.6 s to 0.3-1.6 s; one second of a peer's rate still covers any round trip.
    pack.set_int(lt::settings_pack::request_queue_time, 1);
    // pread/pwrite for every file instead of memory maps (files under the cutoff, in 16 KiB blocks, are not
    // mapped). Mapped, each page the host downloads or checks counts towards its resident memory: ~1.1 GiB
    // after streaming a 1 GiB file, against ~50-130 MiB this way, at the same download and stream speeds
    // (measured with bench/stream_bench). The kernel's page cache still holds the data either way.
    pack.set_int(lt::settings_pack::mmap_file_size_cutoff, std::numeric_limits<int>::max());
    pack.set_int(lt::settings_pack::alert_mask, lt::alert_category::error | lt::alert_category::status |
                                                    lt::alert_category::storage |
                                                    lt::alert_category::piece_progress |
                                                    // file_completed_alert: a file's seal (file_seals)
                                                    lt::alert_category::file_progress);
}

} // namespace

torrent_session::torrent_session(boost::asio::io_context& io, session_config const& config,
                                 std::filesystem::path state_file)
    : io_(io), state_file_(std::move(state_file)) {
    auto params = load_params(state_file_);
    apply_config(params.settings, config);
    session_ = std::make_unique<lt::session>(std::move(params));
    session_->set_alert_notify([this, alive = std::weak_ptr<bool>(alive_)] {
        boost::asio::post(io_, [this, alive] {
            if (alive.lock()) {
                drain_alerts();
            }
        });
    });
    base::log::info("libtorrent " + libtorrent_version() + " session started (dht " +
                    (config.dht ? "on" : "off") + ", lsd " + (config.lsd ? "on" : "off") + ", upnp " +
                    (config.upnp ? "on" : "off") + ", listening on " + config.listen_interfaces + ")");
}

torrent_session::~torrent_session() {
    session_->set_alert_notify([] {});
    alive_.reset();
    std::error_code ec;
    save_state(ec);
    if (ec) {
        base::log::error("could not save session state: " + ec.message());
    }
    // abort() lets the destructor of the proxy, not this thread, wait for trackers to be told we left.
    auto proxy = session_->abort();
    session_.reset();
}

std::string torrent_session::libtorrent_version() {
    return lt::version();
}

void torrent_session::save_state(std::error_code& ec) const {
    auto const buf = lt::write_session_params_buf(session_->session_state(lt::session_handle::save_dht_state),
                                                  lt::session_handle::save_dht_state);
    fileio::write_file_atomically(state_file_, std::string_view(buf.data(), buf.size()), 0600, true, ec);
}

void torrent_session::apply(session_config const& config) {
    lt::settings_pack pack;
    apply_config(pack, config);
    session_->apply_settings(std::move(pack));
}

void torrent_session::drain_alerts() {
    std::vector<lt::alert*> alerts;
    session_->pop_alerts(&alerts);
    for (auto const* a : alerts) {
        if (alert_handler_) {
            alert_handler_(a);
        }
        if (a->type() == lt::piece_finished_alert::alert_type ||
            a->type() == lt::state_update_alert::alert_type ||
            a->type() == lt::session_stats_alert::alert_type ||
            a->type() == lt::session_stats_header_alert::alert_type) {
            continue;
        }
        if ((a->category() & lt::alert_category::error) != lt::alert_category_t{}) {
            base::log::warning(std::string("libtorrent: ") + a->what() + ": " + a->message());
        } else {
            base::log::debug(std::string("libtorrent: ") + a->message());
        }
    }
}

} // namespace sluice::torrent
