// locked_bench: what reading a bundle's locked items costs, next to a reference measured in the same run.
//
//   decoder  open_chunk on 64 KiB chunks held in memory, one core, against `openssl speed` for
//            ChaCha20-Poly1305 and AES-256-GCM; with a breakdown of where open_chunk's time goes
//   http     an unlocked item streamed by sluice-host (decrypted chunk by chunk) against a free item of the
//            same bundle (sent with sendfile), both complete and seeded from the same folder
//
// The bundle (a 1 GiB free file, the same bytes sealed as a locked item, bundle.json, bundle.sig) and its
// .torrent are made once and kept in the cache folder; sandboxes and the host live and die with the run.

#include "support/args.hpp"
#include "support/bench_main.hpp"
#include "support/files.hpp"
#include "support/host_client.hpp"
#include "support/loopback_http.hpp"
#include "support/processes.hpp"
#include "support/progress.hpp"
#include "support/random_bytes.hpp"
#include "support/stats.hpp"
#include "support/timing.hpp"

#include <sluice/protocol/bundle_manifest.hpp>
#include <sluice/protocol/keys.hpp>
#include <sluice/protocol/locked_item.hpp>
#include <sluice/protocol/unlock_token.hpp>

#include <boost/process.hpp>
#include <libtorrent/create_torrent.hpp>
#include <libtorrent/file_storage.hpp>
#include <libtorrent/hasher.hpp>
#include <libtorrent/torrent_info.hpp>
#include <nlohmann/json.hpp>
#include <sodium.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <openssl/evp.h>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#ifndef SLUICE_BENCH_HOST_EXE
#define SLUICE_BENCH_HOST_EXE ""
#endif
#ifndef SLUICE_BENCH_CACHE_DIR
#define SLUICE_BENCH_CACHE_DIR "build/bench-cache"
#endif

namespace {

namespace bench = sluice::bench;
namespace bp = boost::process;
namespace fs = std::filesystem;
namespace lt = libtorrent;
namespace protocol = sluice::protocol;
using namespace std::chrono_literals;
using bench::bench_error;
using bench::host_client;
using bench::load_average;
using bench::median;
using bench::mega;
using bench::say;
using bench::seconds_between;
using std::chrono::steady_clock;

constexpr char const* program = "locked_bench";

constexpr std::uint32_t chunk_size = protocol::locked_header::default_chunk_size;
constexpr std::size_t tag_size = protocol::locked_header::tag_size;
constexpr int piece_size = 1024 * 1024;
// The seed of the items' plaintext: the cached bundle is reused by its sizes alone.
constexpr std::uint64_t plaintext_seed = 0x5107'CE00'0000'0002ULL;

constexpr double decoder_goal = 0.5; // open_chunk / openssl speed chacha20-poly1305
constexpr double http_goal = 0.8;    // unlocked item / free item, through the host

// Where the sweeps leave a byte of each result, so that no call can be optimised away.
std::uint64_t volatile benchmark_sink = 0;

constexpr char const* usage =
    "usage: locked_bench [--only decoder|http] [--runs N] [--decoder-mib N] [--size-mib N]\n"
    "                    [--openssl-seconds N] [--host PATH] [--cache DIR]\n"
    "  --only NAME          run one part only\n"
    "  --runs N             measured runs per figure (default: 3 for the decoder, 5 for http)\n"
    "  --decoder-mib N      plaintext decrypted per decoder run (default: 1024; the buffer is at most 256)\n"
    "  --size-mib N         size of each of the bundle's two files (default: 1024)\n"
    "  --openssl-seconds N  length of each `openssl speed` reference (default: 3)\n"
    "  --host PATH          the sluice-host binary (default: " SLUICE_BENCH_HOST_EXE ")\n"
    "  --cache DIR          where the bundle and its .torrent are kept (default: " SLUICE_BENCH_CACHE_DIR
    ")\n";

struct options {
    std::string only;
    std::optional<int> runs;
    std::uint64_t decoder_mib = 1024;
    std::uint64_t size_mib = 1024;
    int openssl_seconds = 3;
    fs::path host = SLUICE_BENCH_HOST_EXE;
    fs::path cache = SLUICE_BENCH_CACHE_DIR;
};

// The associated data of protocol/locked-items.md, rebuilt here so that the breakdown can call the AEAD
// without open_chunk's own work around it. A mistake here shows up as a failed tag, not as a figure.
class chunk_ad {
public:
    chunk_ad(protocol::locked_header const& header, std::array<unsigned char, 32> const& identity)
        : chunk_count_(header.chunk_count()) {
        constexpr std::string_view label = "sluice locked chunk v1";
        bytes_.assign(label.begin(), label.end());
        auto const encoded = header.encode();
        bytes_.insert(bytes_.end(), encoded.begin(), encoded.end());
        bytes_.insert(bytes_.end(), identity.begin(), identity.end());
        tail_ = bytes_.size();
        bytes_.resize(tail_ + 9);
    }

    std::vector<unsigned char> const& for_chunk(std::uint64_t index) {
        for (int i = 0; i < 8; ++i) {
            bytes_[tail_ + static_cast<std::size_t>(i)] = static_cast<unsigned char>(index >> (8 * i));
        }
        bytes_[tail_ + 8] = index + 1 == chunk_count_ ? 1 : 0;
        return bytes_;
    }

private:
    std::uint64_t chunk_count_;
    std::vector<unsigned char> bytes_;
    std::size_t tail_ = 0;
};

std::array<unsigned char, 24> chunk_nonce(std::uint64_t index) {
    std::array<unsigned char, 24> nonce{};
    for (int i = 0; i < 8; ++i) {
        nonce[static_cast<std::size_t>(i)] = static_cast<unsigned char>(index >> (8 * i));
    }
    return nonce;
}

// ---- 1: the chunk decoder ----

// What `openssl speed -evp CIPHER -bytes 65536 -seconds N` measures, in bytes per second: the same
// command as by hand, with -mr for output that parses without guessing at column widths.
double openssl_speed(std::string const& cipher, int seconds) {
    auto const exe = bp::search_path("openssl");
    if (exe.empty()) {
        throw bench_error("openssl is not installed (apt-get install openssl)");
    }
    bp::ipstream out;
    bp::child child(
        exe,
        bp::args = {"speed", "-mr", "-evp", cipher, "-bytes", "65536", "-seconds", std::to_string(seconds)},
        bp::std_out > out, bp::std_err > bp::null);
    std::optional<double> rate;
    std::string line;
    // "+F:<n>:<name>:<bytes per second>"
    while (std::getline(out, line)) {
        if (line.starts_with("+F:")) {
            rate = std::stod(line.substr(line.rfind(':') + 1));
        }
    }
    child.wait();
    if (!rate || child.exit_code() != 0) {
        throw bench_error("openssl speed -evp " + cipher + " gave no figure (exit " +
                          std::to_string(child.exit_code()) + ")");
    }
    return *rate;
}

// XChaCha20-Poly1305 (IETF) is ChaCha20-Poly1305 (RFC 8439) under a subkey that HChaCha20 derives from the
// key and the first 16 nonce bytes, with the last 8 nonce bytes after four zeros as its 96-bit nonce. So the
// same sealed chunks open with libsodium's HChaCha20 and OpenSSL's ChaCha20-Poly1305: the option measured
// here for a faster decoder that leaves the format as it is.
class openssl_opener {
public:
    openssl_opener() : ctx_(EVP_CIPHER_CTX_new()) {
        if (!ctx_) {
            throw bench_error("EVP_CIPHER_CTX_new failed");
        }
    }
    openssl_opener(openssl_opener const&) = delete;
    openssl_opener& operator=(openssl_opener const&) = delete;
    ~openssl_opener() { EVP_CIPHER_CTX_free(ctx_); }

    bool open(unsigned char* out, unsigned char const* sealed, std::size_t sealed_size,
              std::vector<unsigned char> const& ad, std::array<unsigned char, 24> const& nonce,
              protocol::item_key const& key) {
        unsigned char subkey[32];
        crypto_core_hchacha20(subkey, nonce.data(), key.data(), nullptr);
        unsigned char iv[12] = {};
        std::memcpy(iv + 4, nonce.data() + 16, 8);
        auto const length = static_cast<int>(sealed_size - tag_size);
        int n = 0;
        bool const ok = EVP_DecryptInit_ex(ctx_, EVP_chacha20_poly1305(), nullptr, subkey, iv) == 1 &&
                        EVP_DecryptUpdate(ctx_, nullptr, &n, ad.data(), static_cast<int>(ad.size())) == 1 &&
                        EVP_DecryptUpdate(ctx_, out, &n, sealed, length) == 1 &&
                        EVP_CIPHER_CTX_ctrl(ctx_, EVP_CTRL_AEAD_SET_TAG, static_cast<int>(tag_size),
                                            const_cast<unsigned char*>(sealed + length)) == 1 &&
                        EVP_DecryptFinal_ex(ctx_, out + n, &n) == 1;
        sodium_memzero(subkey, sizeof subkey);
        return ok;
    }

private:
    EVP_CIPHER_CTX* ctx_;
};

protocol::locked_header header_for(std::uint64_t plaintext_size) {
    protocol::locked_header header;
    header.chunk_size = chunk_size;
    header.plaintext_size = plaintext_size;
    return header;
}

struct decoder_data {
    protocol::locked_header header;
    protocol::item_key key{};
    std::array<unsigned char, 32> identity{};
    std::vector<unsigned char> plain;
    std::vector<unsigned char> sealed; // every sealed chunk, back to back, without the 64-byte header

    std::span<unsigned char const> chunk(std::uint64_t i) const {
        return {sealed.data() + (header.chunk_offset(i) - protocol::locked_header::size),
                header.chunk_plain_size(i) + tag_size};
    }
};

decoder_data make_decoder_data(std::uint64_t mib) {
    decoder_data d;
    d.header = header_for(mib * 1024 * 1024);
    d.key = protocol::generate_item_key();
    d.identity = protocol::item_identity("locked-bench", "decoder.locked");
    d.plain.resize(d.header.plaintext_size);
    bench::splitmix64(plaintext_seed).fill(d.plain.data(), d.plain.size());
    d.sealed.resize(d.header.encrypted_size() - protocol::locked_header::size);
    for (std::uint64_t i = 0; i < d.header.chunk_count(); ++i) {
        auto const sealed = protocol::seal_chunk(d.header, d.key, d.identity, i,
                                                 {d.plain.data() + i * chunk_size, chunk_size});
        std::memcpy(d.sealed.data() + (d.header.chunk_offset(i) - protocol::locked_header::size),
                    sealed.data(), sealed.size());
    }
    return d;
}

// One timed sweep: `per_chunk` is called for every chunk of the buffer, `passes` times over.
struct sweep_result {
    double cpu_mbps = 0;
    double wall_mbps = 0;
};

template <typename Fn>
sweep_result sweep(decoder_data const& d, std::uint64_t passes, Fn&& per_chunk) {
    auto const n = d.header.chunk_count();
    auto const wall0 = steady_clock::now();
    auto const cpu0 = bench::thread_cpu_seconds();
    for (std::uint64_t pass = 0; pass < passes; ++pass) {
        for (std::uint64_t i = 0; i < n; ++i) {
            per_chunk(i);
        }
    }
    auto const cpu = bench::thread_cpu_seconds() - cpu0;
    auto const wall = seconds_between(wall0, steady_clock::now());
    auto const bytes = static_cast<double>(d.header.plaintext_size * passes);
    return {bytes / mega / cpu, bytes / mega / wall};
}

struct decoder_run {
    sweep_result open_chunk;
    sweep_result sodium_aead; // the AEAD call alone, into a buffer reused for every chunk
    sweep_result chacha20;    // libsodium's ChaCha20 alone
    sweep_result poly1305;    // libsodium's Poly1305 alone
    sweep_result openssl_aead;
    double openssl_chacha = 0; // `openssl speed`, MB/s
    double openssl_aes = 0;
    std::string load;
};

void section_decoder(options const& o) {
    int const runs = o.runs.value_or(3);
    auto const buffer_mib = std::min<std::uint64_t>(o.decoder_mib, 256);
    auto const passes = std::max<std::uint64_t>(1, o.decoder_mib / buffer_mib);
    say("\n== 1. chunk decoder, one core: %u KiB chunks, %llu MiB decrypted per run (a %llu MiB buffer "
        "looped), %d runs ==\n",
        chunk_size / 1024, static_cast<unsigned long long>(buffer_mib * passes),
        static_cast<unsigned long long>(buffer_mib), runs);
    if (sodium_init() < 0) {
        throw bench_error("sodium_init failed");
    }
    say("libsodium %s; the CPU has AVX2: %s, AVX-512F: %s (libsodium 1.0.18 has AVX2 and SSSE3 ChaCha20 and "
        "SSE2 Poly1305, nothing for AVX-512)\n",
        sodium_version_string(), sodium_runtime_has_avx2() ? "yes" : "no",
        sodium_runtime_has_avx512f() ? "yes" : "no");
    auto const d = make_decoder_data(buffer_mib);

    // Every way of opening must give back the plaintext, checked once outside the timed sweeps.
    chunk_ad ad(d.header, d.identity);
    openssl_opener ossl;
    std::vector<unsigned char> out(chunk_size);
    for (std::uint64_t i = 0; i < d.header.chunk_count(); ++i) {
        std::error_code ec;
        auto const plain = protocol::open_chunk(d.header, d.key, d.identity, i, d.chunk(i), ec);
        auto const* expected = d.plain.data() + i * chunk_size;
        if (ec || std::memcmp(plain.data(), expected, chunk_size) != 0) {
            throw bench_error("open_chunk did not give back chunk " + std::to_string(i));
        }
        auto const c = d.chunk(i);
        if (!ossl.open(out.data(), c.data(), c.size(), ad.for_chunk(i), chunk_nonce(i), d.key) ||
            std::memcmp(out.data(), expected, chunk_size) != 0) {
            throw bench_error("HChaCha20 + OpenSSL ChaCha20-Poly1305 did not open chunk " +
                              std::to_string(i));
        }
    }

    std::vector<decoder_run> results;
    std::uint64_t sink = 0;
    for (int run = 1; run <= runs; ++run) {
        decoder_run r;
        r.load = load_average();
        r.openssl_chacha = openssl_speed("chacha20-poly1305", o.openssl_seconds) / mega;
        r.openssl_aes = openssl_speed("aes-256-gcm", o.openssl_seconds) / mega;
        r.open_chunk = sweep(d, passes, [&](std::uint64_t i) {
            std::error_code ec;
            auto const plain = protocol::open_chunk(d.header, d.key, d.identity, i, d.chunk(i), ec);
            if (ec) {
                throw bench_error("open_chunk failed on chunk " + std::to_string(i));
            }
            sink += static_cast<unsigned char>(plain[0]);
        });
        r.sodium_aead = sweep(d, passes, [&](std::uint64_t i) {
            auto const c = d.chunk(i);
            auto const& a = ad.for_chunk(i);
            auto const nonce = chunk_nonce(i);
            unsigned long long written = 0;
            if (crypto_aead_xchacha20poly1305_ietf_decrypt(out.data(), &written, nullptr, c.data(), c.size(),
                                                           a.data(), a.size(), nonce.data(),
                                                           d.key.data()) != 0) {
                throw bench_error("libsodium refused chunk " + std::to_string(i));
            }
            sink += out[0];
        });
        r.openssl_aead = sweep(d, passes, [&](std::uint64_t i) {
            auto const c = d.chunk(i);
            if (!ossl.open(out.data(), c.data(), c.size(), ad.for_chunk(i), chunk_nonce(i), d.key)) {
                throw bench_error("OpenSSL refused chunk " + std::to_string(i));
            }
            sink += out[0];
        });
        // The two halves of the AEAD, one pass each over the buffer: enough to tell which half dominates.
        r.chacha20 = sweep(d, 1, [&](std::uint64_t i) {
            auto const c = d.chunk(i);
            auto const nonce = chunk_nonce(i);
            crypto_stream_chacha20_ietf_xor_ic(out.data(), c.data(), c.size() - tag_size, nonce.data() + 12,
                                               1, d.key.data());
            sink += out[0];
        });
        r.poly1305 = sweep(d, 1, [&](std::uint64_t i) {
            auto const c = d.chunk(i);
            unsigned char tag[16];
            crypto_onetimeauth_poly1305(tag, c.data(), c.size() - tag_size, d.key.data());
            sink += tag[0];
        });
        say("run %d (load %s): open_chunk %5.0f MB/s (wall %5.0f)   openssl chacha20-poly1305 %5.0f   "
            "aes-256-gcm %5.0f\n"
            "      breakdown: libsodium AEAD alone %5.0f   ChaCha20 alone %5.0f   Poly1305 alone %5.0f   "
            "HChaCha20 + OpenSSL %5.0f\n",
            run, r.load.c_str(), r.open_chunk.cpu_mbps, r.open_chunk.wall_mbps, r.openssl_chacha,
            r.openssl_aes, r.sodium_aead.cpu_mbps, r.chacha20.cpu_mbps, r.poly1305.cpu_mbps,
            r.openssl_aead.cpu_mbps);
        results.push_back(std::move(r));
    }
    benchmark_sink = sink;

    auto const med = [&](auto get) {
        std::vector<double> v;
        for (auto const& r : results) {
            v.push_back(get(r));
        }
        return median(v);
    };
    auto const ours = med([](decoder_run const& r) { return r.open_chunk.cpu_mbps; });
    auto const chacha = med([](decoder_run const& r) { return r.openssl_chacha; });
    auto const aes = med([](decoder_run const& r) { return r.openssl_aes; });
    auto const sodium = med([](decoder_run const& r) { return r.sodium_aead.cpu_mbps; });
    auto const stream = med([](decoder_run const& r) { return r.chacha20.cpu_mbps; });
    auto const poly = med([](decoder_run const& r) { return r.poly1305.cpu_mbps; });
    auto const hybrid = med([](decoder_run const& r) { return r.openssl_aead.cpu_mbps; });
    bool const met = ours / chacha >= decoder_goal;

    say("\nmedians, MB/s of plaintext per second of CPU time on one core:\n");
    say("  %-52s %7.0f\n", "open_chunk (HChaCha20 + OpenSSL ChaCha20-Poly1305)", ours);
    say("  %-52s %7.0f   ratio %.3f   goal >= %.1f   %s\n", "openssl speed chacha20-poly1305", chacha,
        ours / chacha, decoder_goal, met ? "met" : "NOT MET");
    say("  %-52s %7.0f   ratio %.3f   (another cipher family; for scale)\n", "openssl speed aes-256-gcm", aes,
        ours / aes);
    say("where open_chunk's time goes:\n");
    say("  %-52s %7.0f   open_chunk's own work (AD, allocation): %.1f %%\n",
        "the bare construction, same chunks", hybrid, 100 * (1 - ours / hybrid));
    say("the same format through libsodium 1.0.18 alone (its AVX2 ChaCha20 and SSE2 Poly1305):\n");
    say("  %-52s %7.0f   ratio to open_chunk %.3f\n", "libsodium AEAD, same chunks", sodium, sodium / ours);
    say("  %-52s %7.0f\n", "libsodium ChaCha20 alone", stream);
    say("  %-52s %7.0f   (the two in sequence: %.0f)\n", "libsodium Poly1305 alone", poly,
        1 / (1 / stream + 1 / poly));
}

// ---- 2: the bundle on disk ----

// The bundle's keys are derived from fixed labels rather than drawn at random, so that the cached folder
// and the token issued at run time agree without any secret being stored. A publisher's tool draws them.
std::array<unsigned char, 32> derived(std::string_view label, std::string const& bundle_id) {
    std::string const input = "locked_bench " + std::string(label) + " " + bundle_id;
    std::array<unsigned char, 32> out{};
    crypto_generichash(out.data(), out.size(), reinterpret_cast<unsigned char const*>(input.data()),
                       input.size(), nullptr, 0);
    return out;
}

protocol::signing_keypair signing_keys(std::string_view label, std::string const& bundle_id) {
    auto const seed = derived(label, bundle_id);
    protocol::signing_keypair k;
    crypto_sign_seed_keypair(k.public_key.data(), k.secret_key.data(), seed.data());
    return k;
}

struct bundle_set {
    std::string id;
    fs::path save_path; // the folder's parent: the savePath of the torrent
    fs::path folder;
    std::string plain_name = "film.mkv";
    std::string locked_name = "film.mkv.locked";
    std::uint64_t size = 0; // of each item's plaintext
    protocol::signing_keypair gate;
    protocol::item_key key{};
    fs::path torrent_file;
    std::string torrent_bytes;

    fs::path plain_file() const { return folder / plain_name; }
    fs::path locked_file() const { return folder / locked_name; }
};

void write_all_to(std::ofstream& out, void const* data, std::size_t size, fs::path const& file) {
    out.write(static_cast<char const*>(data), static_cast<std::streamsize>(size));
    if (!out) {
        throw bench_error("cannot write " + file.string());
    }
}

// Both items in one pass, chunk by chunk: nothing of the 1 GiB is held in memory.
void write_items(bundle_set const& b, std::array<unsigned char, 32>& sha256) {
    auto const header = header_for(b.size);
    auto const identity = protocol::item_identity(b.id, b.locked_name);
    auto const plain_partial = fs::path(b.plain_file().string() + ".partial");
    auto const locked_partial = fs::path(b.locked_file().string() + ".partial");
    {
        std::ofstream plain_out(plain_partial, std::ios::binary | std::ios::trunc);
        std::ofstream locked_out(locked_partial, std::ios::binary | std::ios::trunc);
        auto const encoded = header.encode();
        write_all_to(locked_out, encoded.data(), encoded.size(), locked_partial);
        lt::hasher256 hash;
        bench::splitmix64 bytes(plaintext_seed);
        std::vector<unsigned char> chunk(chunk_size);
        for (std::uint64_t i = 0; i < header.chunk_count(); ++i) {
            auto const length = static_cast<std::size_t>(header.chunk_plain_size(i));
            bytes.fill(chunk.data(), length);
            write_all_to(plain_out, chunk.data(), length, plain_partial);
            hash.update({reinterpret_cast<char const*>(chunk.data()), static_cast<long>(length)});
            auto const sealed = protocol::seal_chunk(header, b.key, identity, i, {chunk.data(), length});
            write_all_to(locked_out, sealed.data(), sealed.size(), locked_partial);
        }
        auto const digest = hash.final();
        std::memcpy(sha256.data(), digest.data(), sha256.size());
        if (!plain_out.flush() || !locked_out.flush()) {
            throw bench_error("cannot write the items into " + b.folder.string());
        }
    }
    fs::rename(plain_partial, b.plain_file());
    fs::rename(locked_partial, b.locked_file());
}

// A hybrid (v1 and v2) torrent of what the bundle's folder holds now.
std::vector<char> hashed_torrent(bundle_set const& b) {
    lt::file_storage storage;
    lt::add_files(storage, b.folder.string());
    lt::create_torrent ct(storage, piece_size);
    ct.set_creator(program);
    lt::set_piece_hashes(ct, b.save_path.string());
    return ct.generate_buf();
}

// The BEP 52 pieces root of each item, which the manifest signs: read from a torrent of the items alone,
// hashed before the manifest exists.
std::map<std::string, protocol::sha256_digest> pieces_roots(bundle_set const& b) {
    lt::torrent_info const items(hashed_torrent(b), lt::from_span);
    auto const& files = items.files();
    std::map<std::string, protocol::sha256_digest> roots;
    for (auto const f : files.file_range()) {
        if (files.pad_file_at(f)) {
            continue;
        }
        auto const root = files.root(f);
        std::copy(root.begin(), root.end(), roots[std::string(files.file_name(f))].begin());
    }
    return roots;
}

void write_manifest(bundle_set const& b, std::array<unsigned char, 32> const& sha256) {
    auto const roots = pieces_roots(b);
    auto const publisher = signing_keys("publisher", b.id);
    protocol::bundle_manifest m;
    m.id = b.id;
    m.version = 1;
    m.title = "locked_bench " + std::to_string(b.size >> 20) + " MiB";
    m.creator = "locked_bench";
    m.publisher_key = publisher.public_key;
    m.gate_keys = {b.gate.public_key};
    m.gate_url = "http://127.0.0.1:9/";
    m.gates.email = protocol::email_gate{};
    for (bool const locked : {false, true}) {
        protocol::bundle_item item;
        item.path = locked ? b.locked_name : b.plain_name;
        item.size = b.size;
        item.media_type = "video/x-matroska";
        item.sha256 = sha256;
        item.access = locked ? protocol::item_access::locked : protocol::item_access::free;
        item.stored_size = b.size;
        item.root = roots.at(item.path);
        if (locked) {
            item.gate = protocol::gate_kind::email;
            item.stored_size = header_for(b.size).encrypted_size();
        }
        m.items.push_back(std::move(item));
    }
    auto const text = protocol::to_json(m).dump(4) + "\n";
    auto const signature = protocol::sign(text, publisher);
    std::ofstream(b.folder / protocol::manifest_file_name, std::ios::binary | std::ios::trunc) << text;
    std::ofstream(b.folder / protocol::signature_file_name, std::ios::binary | std::ios::trunc)
        .write(reinterpret_cast<char const*>(signature.data()), signature.size());
    if (auto const verified =
            protocol::verify_bundle_manifest(text, {reinterpret_cast<char const*>(signature.data()), 64});
        !verified.manifest) {
        throw bench_error("the manifest written does not verify: " + verified.error);
    }
}

bundle_set prepare_bundle(options const& o) {
    if (sodium_init() < 0) {
        throw bench_error("sodium_init failed");
    }
    bundle_set b;
    b.id = "locked-bench-" + std::to_string(o.size_mib);
    b.save_path = o.cache / ("locked-" + std::to_string(o.size_mib) + "MiB");
    b.folder = b.save_path / b.id;
    b.size = o.size_mib * 1024 * 1024;
    b.gate = signing_keys("gate", b.id);
    auto const item_key = derived("item key", b.id);
    std::copy(item_key.begin(), item_key.end(), b.key.begin());
    b.torrent_file = o.cache / (b.id + ".torrent");

    auto const header = header_for(b.size);
    std::error_code ec;
    bool const have_items = fs::file_size(b.plain_file(), ec) == b.size && !ec &&
                            fs::file_size(b.locked_file(), ec) == header.encrypted_size() && !ec &&
                            fs::exists(b.folder / protocol::signature_file_name);
    b.torrent_bytes = have_items ? bench::read_text(b.torrent_file) : std::string();
    if (b.torrent_bytes.empty()) {
        say("data: writing the bundle %s (two items of %llu MiB) ...\n", b.folder.c_str(),
            static_cast<unsigned long long>(o.size_mib));
        auto const t0 = steady_clock::now();
        fs::remove(b.torrent_file, ec);
        fs::remove_all(b.folder, ec);
        fs::create_directories(b.folder);
        std::array<unsigned char, 32> sha256{};
        write_items(b, sha256);
        write_manifest(b, sha256);
        auto const buf = hashed_torrent(b);
        b.torrent_bytes.assign(buf.begin(), buf.end());
        // Written last and renamed into place: its presence says the folder beside it is complete.
        auto const partial = fs::path(b.torrent_file.string() + ".partial");
        std::ofstream(partial, std::ios::binary | std::ios::trunc) << b.torrent_bytes;
        fs::rename(partial, b.torrent_file);
        say("data: written and hashed in %.1f s\n", seconds_between(t0, steady_clock::now()));
    } else {
        say("data: reusing %s and its .torrent\n", b.folder.c_str());
    }
    lt::torrent_info const ti(
        lt::span<char const>(b.torrent_bytes.data(), static_cast<long>(b.torrent_bytes.size())),
        lt::from_span);
    if (ti.name() != b.id) {
        throw bench_error(b.torrent_file.string() + " does not describe " + b.folder.string() +
                          "; delete it");
    }
    return b;
}

// ---- 2: the stream through the host ----

std::string read_at(fs::path const& file, std::uint64_t offset, std::size_t length) {
    std::ifstream in(file, std::ios::binary);
    in.seekg(static_cast<std::streamoff>(offset));
    std::string bytes(length, '\0');
    in.read(bytes.data(), static_cast<std::streamsize>(length));
    if (static_cast<std::size_t>(in.gcount()) != length) {
        throw bench_error("cannot read " + file.string());
    }
    return bytes;
}

// Both streams must carry the free file's bytes (the locked item seals the same ones): the length, and
// samples at both ends.
void check_body(bench::http_response const& r, bundle_set const& b, std::string const& who) {
    if (r.status != 200 || r.body_bytes != b.size) {
        throw bench_error(who + " answered " + std::to_string(r.status) + " with " +
                          std::to_string(r.body_bytes) + " bytes, not 200 with " + std::to_string(b.size));
    }
    if (r.head != read_at(b.plain_file(), 0, r.head.size()) ||
        r.tail != read_at(b.plain_file(), b.size - r.tail.size(), r.tail.size())) {
        throw bench_error(who + " sent bytes that are not the item's");
    }
}

std::string unlock_token(bundle_set const& b, std::string const& device_key) {
    auto const device = protocol::decode_public_key("x25519", device_key);
    if (!device) {
        throw bench_error("bundle.deviceKey gave no x25519 key: " + device_key);
    }
    protocol::unlock_grant grant;
    grant.token_id = protocol::generate_token_id();
    grant.bundle_id = b.id;
    grant.bundle_version = 1;
    grant.grantee = {protocol::grantee_kind::code, "locked-bench"};
    grant.issued_at = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
    grant.items.emplace_back(b.locked_name, b.key);
    return protocol::issue_unlock_token(protocol::seal_unlock_grant(grant, *device), b.gate);
}

nlohmann::json bundle_state(host_client& host, std::string const& hash) {
    return host.call("bundle.get", {{"infoHash", hash}});
}

std::string stream_url_of(nlohmann::json const& bundle, std::string const& path) {
    for (auto const& item : bundle.at("items")) {
        if (item.at("path") == path && item.contains("streamUrl")) {
            return item["streamUrl"].get<std::string>();
        }
    }
    throw bench_error("bundle.get gives no streamUrl for " + path + ": " + bundle.dump().substr(0, 600));
}

struct stream_figure {
    double mbps = 0;
    double host_cpu_ns_per_byte = 0; // the owner's CPU time per body byte
};

stream_figure timed_get(std::string const& url, pid_t owner, bundle_set const& b, std::string const& who) {
    auto const [port, target] = bench::split_url(url);
    auto const cpu0 = bench::process_cpu_seconds(owner);
    auto const r = bench::http_get({.port = port, .target = target});
    auto const cpu = bench::process_cpu_seconds(owner) - cpu0;
    check_body(r, b, who);
    return {r.mb_per_s(), cpu * 1e9 / static_cast<double>(r.body_bytes)};
}

void section_http(options const& o) {
    int const runs = o.runs.value_or(5);
    say("\n== 2. HTTP stream from sluice-host: unlocked item (decrypted) against a free item (sendfile), "
        "%llu MiB each, %d runs ==\n",
        static_cast<unsigned long long>(o.size_mib), runs);
    auto const b = prepare_bundle(o);

    host_client host(o.host);
    host.call("host.hello");
    auto const t0 = steady_clock::now();
    auto const hash =
        host.call("torrent.add",
                  {{"torrent", protocol::to_base64(b.torrent_bytes)}, {"savePath", b.save_path.string()}},
                  60s)["infoHash"]
            .get<std::string>();
    // No resume data: the host checks both files before it seeds them, and verifies the manifest.
    for (;;) {
        auto const list = host.call("torrent.list");
        auto const it = std::find_if(list["torrents"].begin(), list["torrents"].end(),
                                     [&](auto const& t) { return t["infoHash"] == hash; });
        if (it != list["torrents"].end() && (*it)["progress"].get<double>() >= 1.0 &&
            (*it)["state"] == "seeding") {
            break;
        }
        if (steady_clock::now() - t0 > 300s) {
            throw bench_error("the host did not seed the bundle: " + list.dump().substr(0, 600));
        }
        std::this_thread::sleep_for(50ms);
    }
    nlohmann::json bundle;
    for (;;) {
        bundle = bundle_state(host, hash);
        if (bundle["status"] == "verified") {
            break;
        }
        if (bundle["status"] == "refused" || steady_clock::now() - t0 > 330s) {
            throw bench_error("the bundle was not verified: " + bundle.dump().substr(0, 600));
        }
        std::this_thread::sleep_for(50ms);
    }
    say("host checked the bundle, seeds it and verified its manifest after %.1f s\n",
        seconds_between(t0, steady_clock::now()));
    auto const device = host.call("bundle.deviceKey")["deviceKey"].get<std::string>();
    host.call("bundle.redeem", {{"token", unlock_token(b, device)}});
    bundle = bundle_state(host, hash);
    auto const plain_url = stream_url_of(bundle, b.plain_name);
    auto const locked_url = stream_url_of(bundle, b.locked_name);
    auto const owner = host.owner_pid();

    // One unmeasured read each: the pages of both files are in the cache, and the server is warm.
    timed_get(plain_url, owner, b, "the free item");
    timed_get(locked_url, owner, b, "the unlocked item");

    std::vector<double> plain_mbps, locked_mbps, plain_cpu, locked_cpu;
    for (int run = 1; run <= runs; ++run) {
        auto const load = load_average();
        // Alternating which goes first spreads any drift of the machine over both.
        std::optional<stream_figure> p, l;
        for (int k = 0; k < 2; ++k) {
            if ((k + run) % 2 == 1) {
                p = timed_get(plain_url, owner, b, "the free item");
            } else {
                l = timed_get(locked_url, owner, b, "the unlocked item");
            }
        }
        plain_mbps.push_back(p->mbps);
        locked_mbps.push_back(l->mbps);
        plain_cpu.push_back(p->host_cpu_ns_per_byte);
        locked_cpu.push_back(l->host_cpu_ns_per_byte);
        say("run %d (load %s): free item %6.0f MB/s (host CPU %.2f ns/B)   "
            "unlocked item %6.0f MB/s (host CPU %.2f ns/B)   ratio %.3f\n",
            run, load.c_str(), p->mbps, p->host_cpu_ns_per_byte, l->mbps, l->host_cpu_ns_per_byte,
            l->mbps / p->mbps);
    }
    auto const ratio = median(locked_mbps) / median(plain_mbps);
    bool const met = ratio >= http_goal;
    say("\nmedians: free item %.0f MB/s (host CPU %.2f ns/B), unlocked item %.0f MB/s (host CPU %.2f ns/B)\n",
        median(plain_mbps), median(plain_cpu), median(locked_mbps), median(locked_cpu));
    say("decrypting / plain: ratio %.3f   goal >= %.1f   %s\n", ratio, http_goal, met ? "met" : "NOT MET");
    // The host's CPU time per byte moves much less with the load than the throughput does.
    say("host CPU per byte, decrypting / plain: %.2f\n", median(locked_cpu) / median(plain_cpu));
}

// ---- driver ----

options parse_args(int argc, char** argv) {
    options o;
    bench::arg_reader args(argc, argv);
    while (args.next()) {
        if (args.is("--only")) {
            o.only = args.choice({"decoder", "http"});
        } else if (args.is("--runs")) {
            o.runs = static_cast<int>(args.number(1, 1000));
        } else if (args.is("--decoder-mib")) {
            o.decoder_mib = args.number(1, 64 * 1024);
        } else if (args.is("--size-mib")) {
            o.size_mib = args.number(8, 64 * 1024);
        } else if (args.is("--openssl-seconds")) {
            o.openssl_seconds = static_cast<int>(args.number(1, 60));
        } else if (args.is("--host")) {
            o.host = args.value();
        } else if (args.is("--cache")) {
            o.cache = args.value();
        } else {
            args.unknown();
        }
    }
    if ((o.only.empty() || o.only == "http") && (o.host.empty() || !fs::is_regular_file(o.host))) {
        throw bench_error("no program at \"" + o.host.string() + "\"; pass --host");
    }
    o.cache = fs::absolute(o.cache);
    return o;
}

int run(options const& o) {
    say("locked_bench: %d cores, load %s\n", static_cast<int>(std::thread::hardware_concurrency()),
        load_average().c_str());
    // A goal missed is a figure to read, not a failure; a part that could not be measured is.
    int status = 0;
    for (auto const& [name, section] :
         {std::pair<char const*, void (*)(options const&)>{"decoder", section_decoder},
          {"http", section_http}}) {
        if (!o.only.empty() && o.only != name) {
            continue;
        }
        try {
            section(o);
        } catch (std::exception const& e) {
            std::fprintf(stderr, "%s: %s failed: %s\n", program, name, e.what());
            status = 1;
        }
    }
    say("\nlocked_bench: load at the end %s\n", load_average().c_str());
    return status;
}

} // namespace

int main(int argc, char** argv) {
    return bench::run_main(program, usage, argc, argv, [&] {
        bench::become_subreaper();
        return run(parse_args(argc, argv));
    });
}
