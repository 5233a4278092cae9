#include "support/bench_file.hpp"

#include "support/bench_main.hpp"
#include "support/files.hpp"
#include "support/progress.hpp"
#include "support/random_bytes.hpp"
#include "support/timing.hpp"

#include <libtorrent/create_torrent.hpp>
#include <libtorrent/file_storage.hpp>
#include <libtorrent/torrent_info.hpp>

#include <chrono>
#include <fcntl.h>
#include <sstream>
#include <unistd.h>

namespace sluice::bench {

namespace fs = std::filesystem;
namespace lt = libtorrent;
using std::chrono::steady_clock;

namespace {

// The seed of the test file's bytes: the cached file is reused by its size alone.
constexpr std::uint64_t data_seed = 0x5107'CE00'0000'0001ULL;

std::string make_torrent(bench_file const& d) {
    lt::file_storage storage;
    lt::add_files(storage, d.file.string());
    // v1 only: aria2c and the JavaScript streamers speak v1, and a hybrid would change nothing for the host.
    lt::create_torrent ct(storage, bench_piece_size, lt::create_torrent::v1_only);
    ct.set_creator("sluice bench");
    lt::set_piece_hashes(ct, d.dir.string());
    auto const buf = ct.generate_buf();
    return {buf.begin(), buf.end()};
}

} // namespace

std::string bench_file::read_at(std::uint64_t offset, std::size_t length) const {
    std::string bytes(length, '\0');
    std::size_t done = 0;
    while (done < length) {
        auto const n =
            ::pread(fd.get(), bytes.data() + done, length - done, static_cast<off_t>(offset + done));
        if (n <= 0) {
            throw bench_error("cannot read " + file.string());
        }
        done += static_cast<std::size_t>(n);
    }
    return bytes;
}

std::string bench_file::magnet(std::vector<std::string> const& peers) const {
    auto uri = "magnet:?xt=urn:btih:" + info_hash + "&dn=" + percent_encode(name);
    for (auto const& peer : peers) {
        uri += "&x.pe=" + peer;
    }
    return uri;
}

bench_file prepare_bench_file(fs::path const& cache, std::uint64_t size_mib) {
    bench_file d;
    auto const tag = std::to_string(size_mib) + "MiB";
    d.dir = cache / ("data-" + tag);
    // A video's extension, so the host treats the file as the media it streams in real use.
    d.name = "sluice-bench-" + tag + ".mkv";
    d.file = d.dir / d.name;
    d.torrent_file = cache / ("sluice-bench-" + tag + ".torrent");
    d.size = size_mib * 1024 * 1024;
    fs::create_directories(d.dir);

    std::error_code ec;
    bool const have_file = fs::file_size(d.file, ec) == d.size && !ec;
    if (!have_file) {
        say("data: writing %s (%llu MiB) ...\n", d.file.c_str(), static_cast<unsigned long long>(size_mib));
        auto const t0 = steady_clock::now();
        fs::remove(d.torrent_file, ec);
        write_random_file(d.file, d.size, data_seed);
        say("data: written in %.1f s\n", ms_between(t0, steady_clock::now()) / 1000);
    }
    d.torrent_bytes = read_text(d.torrent_file);
    if (have_file && !d.torrent_bytes.empty()) {
        say("data: reusing %s and its .torrent\n", d.file.c_str());
    } else {
        say("data: hashing %s into %s ...\n", d.name.c_str(), d.torrent_file.c_str());
        auto const t0 = steady_clock::now();
        d.torrent_bytes = make_torrent(d);
        write_text(d.torrent_file, d.torrent_bytes);
        say("data: hashed in %.1f s\n", ms_between(t0, steady_clock::now()) / 1000);
    }
    lt::torrent_info const ti(
        lt::span<char const>(d.torrent_bytes.data(), static_cast<long>(d.torrent_bytes.size())),
        lt::from_span);
    if (static_cast<std::uint64_t>(ti.total_size()) != d.size || ti.name() != d.name) {
        throw bench_error(d.torrent_file.string() + " does not describe " + d.file.string() + "; delete it");
    }
    std::ostringstream hex;
    hex << ti.info_hashes().v1;
    d.info_hash = hex.str();
    d.fd.reset(::open(d.file.c_str(), O_RDONLY | O_CLOEXEC));
    if (!d.fd) {
        throw bench_error("cannot open " + d.file.string());
    }
    return d;
}

} // namespace sluice::bench
