#pragma once

#include <libtorrent/alert.hpp>
#include <libtorrent/settings_pack.hpp>

namespace sluice::testing {

// A libtorrent session that lives on 127.0.0.1 alone: a port of its own choosing, no DHT, LSD, UPnP or
// NAT-PMP, and TCP only (uTP over loopback crawls at a few MB/s). The tests' in-process seed and the
// benchmarks' bare libtorrent side (bench/lt_seed.cpp) both start from it, so that each meets the host on the
// same terms; each adds what its own role needs. Header-only, so that the release build, which has no tests,
// can still give it to the benchmarks.
inline libtorrent::settings_pack loopback_settings(libtorrent::alert_category_t alerts) {
    namespace lt = libtorrent;
    lt::settings_pack pack;
    pack.set_str(lt::settings_pack::listen_interfaces, "127.0.0.1:0");
    pack.set_bool(lt::settings_pack::enable_dht, false);
    pack.set_bool(lt::settings_pack::enable_lsd, false);
    pack.set_bool(lt::settings_pack::enable_upnp, false);
    pack.set_bool(lt::settings_pack::enable_natpmp, false);
    pack.set_bool(lt::settings_pack::enable_outgoing_utp, false);
    pack.set_bool(lt::settings_pack::enable_incoming_utp, false);
    pack.set_int(lt::settings_pack::alert_mask, alerts);
    return pack;
}

} // namespace sluice::testing
