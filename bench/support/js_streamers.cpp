#include "support/js_streamers.hpp"

#include "support/child_process.hpp"
#include "support/files.hpp"
#include "support/progress.hpp"

#include <boost/process/search_path.hpp>

#include <chrono>

#ifndef SLUICE_BENCH_JS_DIR
#define SLUICE_BENCH_JS_DIR "bench/js"
#endif

namespace sluice::bench {

namespace bp = boost::process;
namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace {

// Pinned to the versions whose behaviour the notes describe.
constexpr char const* peerflix_package = "peerflix@0.39.0";
constexpr char const* webtorrent_package = "webtorrent-cli@6.0.1";
constexpr char const* streamers_stamp = "peerflix-0.39.0+webtorrent-cli-6.0.1";

} // namespace

std::string js_streamer_name(js_streamer kind) {
    return kind == js_streamer::peerflix ? "peerflix" : "webtorrent";
}

// Installs the two streamers once into the cache; the stamp says which versions are there. The files beside
// them come from bench/js/streamers/: the hook that makes webtorrent-cli stay on loopback is written again
// on every run, the package manifest and the node-datachannel stub only for an install.
std::optional<std::string> install_js_streamers(fs::path const& dir) {
    auto const npm = bp::search_path("npm");
    auto const node = bp::search_path("node");
    if (npm.empty() || node.empty()) {
        return "node and npm are not installed";
    }
    auto const js = fs::path(SLUICE_BENCH_JS_DIR) / "streamers";
    auto const copy = [&](fs::path const& rel) {
        fs::create_directories((dir / rel).parent_path());
        fs::copy_file(js / rel, dir / rel, fs::copy_options::overwrite_existing);
    };
    for (auto const* file : {"webtorrent-hook.mjs", "webtorrent-loader.mjs", "webtorrent-client.mjs"}) {
        copy(file);
    }
    if (read_text(dir / ".installed") == streamers_stamp) {
        return std::nullopt;
    }
    say("streamers: npm install %s %s into %s ...\n", peerflix_package, webtorrent_package, dir.c_str());
    for (auto const* file :
         {"package.json", "stub/node-datachannel/package.json", "stub/node-datachannel/index.js"}) {
        copy(file);
    }
    auto const npm_log = dir / "npm.log";
    auto const run_npm = [&](std::vector<std::string> args) -> bool {
        child_process proc(
            {.name = "npm", .exe = npm.string(), .args = std::move(args), .log = npm_log, .cwd = dir});
        auto const code = proc.wait_for_exit(600s);
        return code && *code == 0;
    };
    // A plain install fails here: a dependency's preinstall insists on pnpm. The native modules that
    // matter are rebuilt afterwards instead.
    if (!run_npm({"install", "--no-audit", "--no-fund", "--ignore-scripts", "--loglevel=error",
                  peerflix_package, webtorrent_package}) ||
        !run_npm({"rebuild", "--loglevel=error", "bufferutil", "utf-8-validate", "utp-native"})) {
        return "npm install failed; see " + npm_log.string() + ": " + tail_of_file(npm_log, 600);
    }
    write_text(dir / ".installed", streamers_stamp);
    return std::nullopt;
}

js_launch js_streamer_launch(js_streamer kind, fs::path const& install, bench_file const& file,
                             std::vector<std::string> const& peers, std::uint16_t port,
                             fs::path const& out_dir) {
    if (kind == js_streamer::peerflix) {
        // peerflix takes the .torrent and its peers on the command line, as its documentation shows.
        js_launch l{.args = {(install / "node_modules/peerflix/app.js").string(), file.torrent_file.string(),
                             "--no-dht", "--no-tracker"},
                    .target = "/"};
        for (auto const& peer : peers) {
            l.args.insert(l.args.end(), {"-e", peer});
        }
        l.args.insert(l.args.end(),
                      {"-p", std::to_string(port), "-h", "127.0.0.1", "-f", out_dir.string(), "-q"});
        return l;
    }
    return {.args = {"--import", "file://" + (install / "webtorrent-hook.mjs").string(),
                     (install / "node_modules/webtorrent-cli/bin/cmd.js").string(), "download",
                     file.magnet(peers), "--out", out_dir.string(), "--port", std::to_string(port),
                     "--quiet"},
            .target = "/webtorrent/" + file.info_hash + "/" + percent_encode(file.name)};
}

} // namespace sluice::bench
