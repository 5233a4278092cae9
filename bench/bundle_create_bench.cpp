// bundle_create_bench: what `sluice-bundle create` costs on a 1 GiB folder, next to the tools that only
// hash the same folder for a torrent, each measured in the same run on the same cached data.
//
//   sluice-bundle create   reads every byte once, SHA-256 of the plaintext, seals the locked item
//                          (XChaCha20-Poly1305), writes the bundle, hashes it for a hybrid torrent (SHA-1
//                          pieces and SHA-256 blocks), fsyncs, renames into place
//   sluice-bundle verify   the bundle it just made, with --keys: reads, decrypts and hashes it all again
//   mktorrent              a v1 torrent of the source folder (SHA-1 only, one thread per core, no output
//                          but the .torrent): the usual reference for "making a torrent"
//   libtorrent hybrid      lt::create_torrent + set_piece_hashes on the source folder in this process, with
//                          a hashing thread per core: the hashing a hybrid torrent needs, and nothing else
//
// The folder (one "video" of 70 % of the size, to be locked, and a free file of the rest, pseudo-random) is
// made once and kept in the cache folder; keys, specs and outputs live and die with the run.

#include "support/args.hpp"
#include "support/bench_main.hpp"
#include "support/files.hpp"
#include "support/progress.hpp"
#include "support/random_bytes.hpp"
#include "support/run_program.hpp"
#include "support/stats.hpp"
#include "support/timing.hpp"

#include <boost/process/search_path.hpp>
#include <libtorrent/create_torrent.hpp>
#include <libtorrent/settings_pack.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <fcntl.h>
#include <fstream>
#include <functional>
#include <optional>
#include <string>
#include <thread>
#include <unistd.h>
#include <vector>

#ifndef SLUICE_BENCH_BUNDLE_EXE
#define SLUICE_BENCH_BUNDLE_EXE ""
#endif
#ifndef SLUICE_BENCH_CACHE_DIR
#define SLUICE_BENCH_CACHE_DIR "build/bench-cache"
#endif

namespace {

namespace bench = sluice::bench;
namespace bp = boost::process;
namespace fs = std::filesystem;
namespace lt = libtorrent;
using bench::bench_error;
using bench::median;
using bench::mega;
using bench::say;
using bench::seconds_since;
using clock_type = std::chrono::steady_clock;

constexpr char const* usage =
    "usage: bundle_create_bench [--size-mib N] [--runs N] [--json] [--bundle PATH] [--mktorrent PATH]\n"
    "                           [--cache DIR]\n"
    "  --size-mib N      size of the source folder (default: 1024)\n"
    "  --runs N          measured runs of each tool (default: 3)\n"
    "  --json            print the figures as one JSON object (progress goes to stderr)\n"
    "  --bundle PATH     the sluice-bundle binary (default: " SLUICE_BENCH_BUNDLE_EXE ")\n"
    "  --mktorrent PATH  the mktorrent binary (default: mktorrent on the PATH)\n"
    "  --cache DIR       where the source folder is kept (default: " SLUICE_BENCH_CACHE_DIR ")\n";

struct options {
    std::uint64_t size_mib = 1024;
    int runs = 3;
    bool json = false;
    fs::path bundle = SLUICE_BENCH_BUNDLE_EXE;
    std::string mktorrent = "mktorrent"; // a name on the PATH or a path
    fs::path cache = SLUICE_BENCH_CACHE_DIR;
};

struct source_folder {
    fs::path folder;
    std::uint64_t locked_bytes = 0;
    std::uint64_t free_bytes = 0;
    std::uint64_t total() const { return locked_bytes + free_bytes; }
};

source_folder make_source(options const& opt) {
    source_folder src;
    src.folder = opt.cache / ("bundle-" + std::to_string(opt.size_mib) + "MiB");
    auto const total = opt.size_mib * 1024 * 1024;
    src.locked_bytes = total * 70 / 100;
    src.free_bytes = total - src.locked_bytes;
    auto const video = src.folder / "episode.webm";
    auto const extras = src.folder / "making-of.mkv";
    std::error_code ec;
    if (fs::file_size(video, ec) != src.locked_bytes || fs::file_size(extras, ec) != src.free_bytes) {
        std::fprintf(stderr, "making the %llu MiB source folder in %s ...\n",
                     static_cast<unsigned long long>(opt.size_mib), src.folder.c_str());
        fs::create_directories(src.folder);
        bench::write_random_file(video, src.locked_bytes, 1);
        bench::write_random_file(extras, src.free_bytes, 2);
    }
    return src;
}

// Every measured tool reads the source from the page cache: read it all once first.
void warm(source_folder const& src) {
    std::vector<char> buffer(1 << 20);
    for (auto const& name : {"episode.webm", "making-of.mkv"}) {
        std::ifstream f(src.folder / name, std::ios::binary);
        while (f.read(buffer.data(), static_cast<std::streamsize>(buffer.size())) || f.gcount() > 0) {
        }
    }
}

// The hashing of a hybrid torrent alone, as libtorrent does it, with as many hashing threads as cores.
void libtorrent_hybrid(fs::path const& folder, int piece_length, fs::path const& torrent_file) {
    lt::file_storage storage;
    lt::add_files(storage, folder.string());
    lt::create_torrent ct(storage, piece_length);
    lt::settings_pack settings;
    settings.set_int(lt::settings_pack::hashing_threads,
                     static_cast<int>(std::max(1u, std::thread::hardware_concurrency())));
    lt::error_code ec;
    lt::set_piece_hashes(
        ct, folder.parent_path().string(), settings, [](lt::piece_index_t) {}, ec);
    if (ec) {
        throw bench_error("libtorrent set_piece_hashes: " + ec.message());
    }
    auto const bytes = ct.generate_buf();
    std::ofstream(torrent_file, std::ios::binary)
        .write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

// What writing the bundle durably costs on this disk, with no hashing or encryption at all: every source file
// copied (1 MiB reads and writes) and fsynced, as create does with its output. The floor under create.
void copy_durably(fs::path const& from, fs::path const& to) {
    fs::create_directories(to);
    std::vector<char> buffer(1 << 20);
    for (auto const& entry : fs::directory_iterator(from)) {
        auto const target = to / entry.path().filename();
        int const in = ::open(entry.path().c_str(), O_RDONLY | O_CLOEXEC);
        int const out = ::open(target.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
        if (in < 0 || out < 0) {
            throw bench_error("cannot copy " + entry.path().string());
        }
        for (;;) {
            auto const n = ::read(in, buffer.data(), buffer.size());
            if (n <= 0) {
                break;
            }
            if (::write(out, buffer.data(), static_cast<std::size_t>(n)) != n) {
                throw bench_error("cannot write " + target.string());
            }
        }
        ::fsync(out);
        ::close(out);
        ::close(in);
    }
    int const dir = ::open(to.c_str(), O_RDONLY | O_CLOEXEC);
    ::fsync(dir);
    ::close(dir);
}

int log2_of(int n) {
    int k = 0;
    while ((1 << k) < n) {
        ++k;
    }
    return k;
}

struct row {
    std::string name;
    std::string what;
    std::vector<double> seconds;
    double median_s() const { return median(seconds); }
    double mb_per_s(std::uint64_t bytes) const { return static_cast<double>(bytes) / mega / median_s(); }
};

options parse_args(int argc, char** argv) {
    options opt;
    bench::arg_reader args(argc, argv);
    while (args.next()) {
        if (args.is("--size-mib")) {
            opt.size_mib = args.number(1, 64 * 1024);
        } else if (args.is("--runs")) {
            opt.runs = static_cast<int>(args.number(1, 1000));
        } else if (args.is("--json")) {
            opt.json = true;
        } else if (args.is("--bundle")) {
            opt.bundle = args.value();
        } else if (args.is("--mktorrent")) {
            opt.mktorrent = args.value();
        } else if (args.is("--cache")) {
            opt.cache = args.value();
        } else {
            args.unknown();
        }
    }
    return opt;
}

int run(options const& opt) {
    if (opt.json) {
        bench::progress_to_stderr();
    }
    auto const found = bp::search_path(opt.mktorrent);
    fs::path const mktorrent_exe = found.empty() ? fs::path(opt.mktorrent) : fs::path(found.string());
    if (found.empty() && !fs::exists(mktorrent_exe)) {
        throw bench_error(
            "mktorrent is not installed (apt-get install mktorrent, or installer/setup-deps.sh)");
    }
    auto const src = make_source(opt);
    bench::temp_dir work("sluice-bundle-bench");

    // A publisher key, a gate key and a spec: the video locked behind the email gate, the rest free.
    auto const gate_key =
        bench::run_tool(opt.bundle, {"keygen", "--out", (work / "gate.key").string()}, work / "keygen");
    bench::run_tool(opt.bundle, {"keygen", "--out", (work / "publisher.key").string()}, work / "keygen");
    nlohmann::json spec = {
        {"format", "sluice-bundle-spec/1"},
        {"id", "bench-bundle"},
        {"version", 1},
        {"title", "Benchmark bundle"},
        {"creator", "bundle_create_bench"},
        {"gateUrl", "https://gate.example.org/"},
        {"gateKeys", {gate_key.substr(0, gate_key.find('\n'))}},
        {"items",
         {{{"source", "episode.webm"}, {"access", "locked"}, {"gate", "email"}},
          {{"source", "making-of.mkv"}, {"access", "free"}}}},
        {"gates", {{"email", {{"doubleOptIn", false}}}}},
        {"trackers", {"udp://tracker.example.org:6969/announce"}},
    };
    bench::write_text(work / "spec.json", spec.dump(4));

    // The same piece size for every tool: what sluice-bundle picks for this size (libtorrent's rule).
    int piece_length = 16 * 1024;
    for (std::uint64_t const bound : {2684355ull, 10737418ull, 42949673ull, 171798692ull, 687194767ull,
                                      2748779069ull, 10995116278ull, 43980465111ull, 175921860444ull}) {
        if (bound >= src.total()) {
            break;
        }
        piece_length *= 2;
    }
    unsigned const cores = std::max(1u, std::thread::hardware_concurrency());

    say("source: %s, %.0f MB (%.0f MB locked, %.0f MB free), %d KiB pieces, %u cores\n", src.folder.c_str(),
        static_cast<double>(src.total()) / mega, static_cast<double>(src.locked_bytes) / mega,
        static_cast<double>(src.free_bytes) / mega, piece_length / 1024, cores);
    warm(src);

    row create{"sluice-bundle create", "encrypt 70 %, hash, write, hybrid torrent, fsync", {}};
    row verify{"sluice-bundle verify --keys", "read, decrypt and hash the bundle again", {}};
    row mktorrent{"mktorrent", "v1 torrent, SHA-1 only, " + std::to_string(cores) + " threads", {}};
    row hybrid{
        "libtorrent hybrid", "create_torrent + set_piece_hashes, " + std::to_string(cores) + " threads", {}};
    row copy{"copy + fsync", "the same bytes written durably, nothing computed", {}};

    std::vector<std::function<void(int)>> tools{
        [&](int run) {
            auto const out_dir = work / ("out-" + std::to_string(run));
            ::sync(); // the previous run's write-back is not this run's cost
            auto const start = clock_type::now();
            bench::run_tool(opt.bundle,
                            {"create", (work / "spec.json").string(), "--source", src.folder.string(),
                             "--key", (work / "publisher.key").string(), "--out", out_dir.string(), "--quiet",
                             "--piece-size", std::to_string(piece_length / 1024)},
                            work / "create");
            create.seconds.push_back(seconds_since(start));
            auto const verify_start = clock_type::now();
            bench::run_tool(opt.bundle,
                            {"verify", (out_dir / "bench-bundle").string(), "--keys",
                             (out_dir / "bench-bundle.keys.json").string(), "--quiet"},
                            work / "verify");
            verify.seconds.push_back(seconds_since(verify_start));
            fs::remove_all(out_dir);
        },
        [&](int run) {
            auto const torrent = work / ("mk-" + std::to_string(run) + ".torrent");
            ::sync();
            auto const start = clock_type::now();
            bench::run_tool(mktorrent_exe,
                            {"-l", std::to_string(log2_of(piece_length)), "-t", std::to_string(cores), "-a",
                             "udp://tracker.example.org:6969/announce", "-o", torrent.string(),
                             src.folder.string()},
                            work / "mktorrent");
            mktorrent.seconds.push_back(seconds_since(start));
        },
        [&](int run) {
            auto const target = work / ("copy-" + std::to_string(run));
            ::sync();
            auto const start = clock_type::now();
            copy_durably(src.folder, target);
            copy.seconds.push_back(seconds_since(start));
            fs::remove_all(target);
        },
        [&](int run) {
            ::sync();
            auto const start = clock_type::now();
            libtorrent_hybrid(src.folder, piece_length, work / ("lt-" + std::to_string(run) + ".torrent"));
            hybrid.seconds.push_back(seconds_since(start));
        },
    };
    for (int run = 0; run < opt.runs; ++run) {
        // Rotating order: no tool always runs right after another one's writes.
        for (std::size_t k = 0; k < tools.size(); ++k) {
            tools[(k + static_cast<std::size_t>(run)) % tools.size()](run);
        }
        say("run %d: create %.2f s, verify %.2f s, mktorrent %.2f s, libtorrent hybrid %.2f s, "
            "copy + fsync %.2f s\n",
            run + 1, create.seconds.back(), verify.seconds.back(), mktorrent.seconds.back(),
            hybrid.seconds.back(), copy.seconds.back());
    }

    auto const bytes = src.total();
    if (opt.json) {
        nlohmann::json j = {
            {"sizeBytes", bytes}, {"pieceLength", piece_length}, {"cores", cores}, {"runs", opt.runs}};
        for (auto const* r : {&create, &verify, &mktorrent, &hybrid, &copy}) {
            j["tools"].push_back({{"name", r->name},
                                  {"what", r->what},
                                  {"seconds", r->seconds},
                                  {"medianSeconds", r->median_s()},
                                  {"mbPerSecond", r->mb_per_s(bytes)}});
        }
        j["createOverMktorrent"] = create.median_s() / mktorrent.median_s();
        j["createOverLibtorrentHybrid"] = create.median_s() / hybrid.median_s();
        j["createOverCopy"] = create.median_s() / copy.median_s();
        std::printf("%s\n", j.dump(2).c_str());
        return 0;
    }
    std::printf("\n%-28s %10s %10s   %s\n", "tool", "median s", "MB/s", "");
    for (auto const* r : {&create, &verify, &mktorrent, &hybrid, &copy}) {
        std::printf("%-28s %10.2f %10.0f   %s\n", r->name.c_str(), r->median_s(), r->mb_per_s(bytes),
                    r->what.c_str());
    }
    std::printf("\ncreate / mktorrent:          %.2fx the time (%.2f of its throughput)\n",
                create.median_s() / mktorrent.median_s(), mktorrent.median_s() / create.median_s());
    std::printf("create / libtorrent hybrid:  %.2fx the time (%.2f of its throughput)\n",
                create.median_s() / hybrid.median_s(), hybrid.median_s() / create.median_s());
    std::printf("create / copy + fsync:       %.2fx the time (%.2f of its throughput)\n",
                create.median_s() / copy.median_s(), copy.median_s() / create.median_s());
    return 0;
}

} // namespace

int main(int argc, char** argv) {
    return bench::run_main("bundle_create_bench", usage, argc, argv,
                           [&] { return run(parse_args(argc, argv)); });
}
