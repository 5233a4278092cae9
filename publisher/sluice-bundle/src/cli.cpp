#include "sluice-bundle/cli.hpp"

#include "common/key_files.hpp"
#include "sluice-bundle/create_command.hpp"
#include "sluice-bundle/inspect_command.hpp"
#include "sluice-bundle/interrupt.hpp"
#include "sluice-bundle/progress.hpp"
#include "sluice-bundle/verify_command.hpp"

#include <sluice/protocol/keys.hpp>

#include <bit>
#include <charconv>
#include <cstdio>
#include <map>
#include <optional>
#include <set>

namespace sluice::publisher {

namespace {

constexpr char const* usage_text =
    "usage: sluice-bundle <command> [options]\n"
    "\n"
    "  keygen --out FILE [--force] [--quiet]\n"
    "      Makes an Ed25519 signing key pair (a publisher's, or a gate server's) into FILE, created with\n"
    "      mode 0600, and prints its public key. An existing FILE is kept unless --force.\n"
    "\n"
    "  create SPEC.json --key KEY --out DIR [--source DIR] [--reuse-keys OLD.keys.json [--old-bundle DIR]]\n"
    "         [--piece-size KIB] [--prepare-media] [--include-translations FOLDER] [--force]\n"
    "         [--progress | --quiet]\n"
    "      Makes the bundle the spec describes from the files in --source (default: the spec's folder):\n"
    "      DIR/<id>/ (bundle.json, bundle.sig and the items, locked ones encrypted), DIR/<id>.torrent\n"
    "      (hybrid v1+v2) and DIR/<id>.keys.json (the item keys, mode 0600, for the gate server), and\n"
    "      prints the magnet link. --reuse-keys keeps the keys of items unchanged since an earlier version\n"
    "      (found in --old-bundle, by default the <id> folder beside OLD.keys.json). Existing output is\n"
    "      kept unless --force. A video or audio item that some browser does not play as it is (MKV, AC-3,\n"
    "      HEVC, AVI...) is warned about; --prepare-media converts it once into MP4 (streams copied where\n"
    "      browsers decode them) and stores that instead, named .mp4 (.m4a for audio).\n"
    "      --include-translations carries the viewers' translations approved for an earlier version (the\n"
    "      FOLDER sluice-gate translations export wrote) into this one, each checked against its signature.\n"
    "\n"
    "  verify BUNDLE-FOLDER|FILE.torrent [--data DIR] [--keys KEYS.json] [--progress | --quiet]\n"
    "      Checks the signature, the manifest, the layout, sizes and hashes, and with --keys decrypts and\n"
    "      checks the locked items. For a .torrent, --data is the bundle folder whose data is checked\n"
    "      against the piece hashes (default: only the folder beside it is read, for its manifest).\n"
    "\n"
    "  inspect BUNDLE-FOLDER|FILE.torrent [--data DIR] [--json]\n"
    "      Shows what a bundle holds: title, gates, campaign, items, info-hashes, magnet link.\n"
    "\n"
    "Progress goes to stderr when it is a terminal, or with --progress; --quiet silences it.\n"
    "Exit status: 0 done (verify: the bundle is good), 1 failed (verify: the bundle is bad),\n"
    "2 the command line is wrong.\n";

struct arguments {
    std::vector<std::string> positional;
    std::map<std::string, std::string> values;
    std::set<std::string> flags;
    std::string error;

    std::optional<std::string> value(std::string const& name) const {
        auto const it = values.find(name);
        return it == values.end() ? std::nullopt : std::optional(it->second);
    }
    std::optional<fs::path> path(std::string const& name) const {
        auto v = value(name);
        return v ? std::optional<fs::path>(*v) : std::nullopt;
    }
    bool flag(std::string const& name) const { return flags.contains(name); }
};

arguments parse(std::vector<std::string> const& args, std::set<std::string> const& with_value,
                std::set<std::string> const& without_value) {
    arguments out;
    bool options_done = false;
    for (std::size_t i = 1; i < args.size(); ++i) {
        auto const& arg = args[i];
        if (options_done || !arg.starts_with("--")) {
            out.positional.push_back(arg);
            continue;
        }
        if (arg == "--") {
            options_done = true;
            continue;
        }
        auto const eq = arg.find('=');
        auto const name = arg.substr(0, eq);
        if (with_value.contains(name)) {
            if (eq != std::string::npos) {
                out.values[name] = arg.substr(eq + 1);
            } else if (i + 1 < args.size()) {
                out.values[name] = args[++i];
            } else {
                out.error = name + " needs a value";
                return out;
            }
        } else if (without_value.contains(name) && eq == std::string::npos) {
            out.flags.insert(name);
        } else {
            out.error = "unknown option " + name.substr(0, 60);
            return out;
        }
    }
    return out;
}

int usage_error(std::string const& command, std::string const& message) {
    std::fprintf(stderr, "sluice-bundle %s: %s\n(sluice-bundle --help shows the usage)\n", command.c_str(),
                 message.c_str());
    return exit_usage;
}

int failed(std::string const& command, std::string const& message) {
    std::fprintf(stderr, "sluice-bundle %s: %s\n", command.c_str(), message.c_str());
    return exit_failed;
}

progress_mode progress_of(arguments const& a) {
    return choose_progress_mode(a.flag("--quiet"), a.flag("--progress"));
}

int run_keygen(std::vector<std::string> const& args) {
    auto const a = parse(args, {"--out"}, {"--force", "--quiet"});
    if (!a.error.empty()) {
        return usage_error("keygen", a.error);
    }
    if (!a.positional.empty()) {
        return usage_error("keygen", "unexpected argument " + a.positional.front());
    }
    auto const out = a.path("--out");
    if (!out) {
        return usage_error("keygen", "--out FILE is required (where the key pair goes)");
    }
    auto const keys = protocol::generate_signing_keypair();
    auto const saved = save_signing_key(*out, keys, a.flag("--force"));
    if (!saved) {
        return failed("keygen", saved.error);
    }
    std::printf("%s\n", protocol::encode_public_key("ed25519", keys.public_key).c_str());
    if (!a.flag("--quiet")) {
        std::fprintf(stderr,
                     "sluice-bundle keygen: wrote the key pair to %s (mode 0600); its public key is on "
                     "stdout\n",
                     out->c_str());
    }
    return exit_ok;
}

int run_create(std::vector<std::string> const& args) {
    auto const a = parse(args,
                         {"--key", "--out", "--source", "--reuse-keys", "--old-bundle", "--piece-size",
                          "--include-translations"},
                         {"--force", "--prepare-media", "--progress", "--quiet"});
    if (!a.error.empty()) {
        return usage_error("create", a.error);
    }
    if (a.positional.size() != 1) {
        return usage_error("create", a.positional.empty() ? "the spec file is missing"
                                                          : "one spec file at a time, not " +
                                                                std::to_string(a.positional.size()));
    }
    create_options options;
    options.spec_file = a.positional.front();
    options.source_dir = a.path("--source");
    options.reuse_keys = a.path("--reuse-keys");
    options.old_bundle = a.path("--old-bundle");
    options.include_translations = a.path("--include-translations");
    options.force = a.flag("--force");
    options.prepare_media = a.flag("--prepare-media");
    options.progress = progress_of(a);
    if (!a.path("--key")) {
        return usage_error("create",
                           "--key FILE is required (the publisher's key, from sluice-bundle keygen)");
    }
    if (!a.path("--out")) {
        return usage_error("create", "--out DIR is required (where the bundle, torrent and keys go)");
    }
    if (options.old_bundle && !options.reuse_keys) {
        return usage_error("create", "--old-bundle goes with --reuse-keys");
    }
    options.key_file = *a.path("--key");
    options.out_dir = *a.path("--out");
    if (auto const kib = a.value("--piece-size")) {
        int n = 0;
        auto const [end, ec] = std::from_chars(kib->data(), kib->data() + kib->size(), n);
        if (ec != std::errc{} || end != kib->data() + kib->size() || n < 16 || n > 64 * 1024 ||
            !std::has_single_bit(static_cast<unsigned>(n))) {
            return usage_error("create", "--piece-size is in KiB: a power of two from 16 to 65536");
        }
        options.piece_length = n * 1024;
    }
    auto const made = create_bundle(options, stderr);
    if (!made) {
        return failed("create", made.error);
    }
    if (!a.flag("--quiet")) {
        std::fprintf(stderr,
                     "bundle     %s (version %llu, %s)\n"
                     "torrent    %s\n"
                     "           v1 %s\n"
                     "           v2 %s\n"
                     "item keys  %s (mode 0600: for the gate server only, never publish it)\n",
                     made->bundle_dir.c_str(), static_cast<unsigned long long>(made->version),
                     human_size(made->total_bytes).c_str(), made->torrent_file.c_str(),
                     made->info_hash_v1.c_str(), made->info_hash_v2.c_str(), made->keys_file.c_str());
    }
    std::printf("%s\n", made->magnet.c_str());
    return exit_ok;
}

int run_verify(std::vector<std::string> const& args) {
    auto const a = parse(args, {"--data", "--keys"}, {"--progress", "--quiet"});
    if (!a.error.empty()) {
        return usage_error("verify", a.error);
    }
    if (a.positional.size() != 1) {
        return usage_error("verify", "name one bundle folder or .torrent file");
    }
    verify_options options{a.positional.front(), a.path("--data"), a.path("--keys"), progress_of(a)};
    if (options.data && fs::is_directory(options.target)) {
        return usage_error("verify", "--data goes with a .torrent; a bundle folder is its own data");
    }
    auto const report = verify_bundle(options);
    if (!report) {
        return report.error == "interrupted" ? failed("verify", report.error)
                                             : usage_error("verify", report.error);
    }
    for (auto const& problem : report->problems) {
        std::printf("problem: %s\n", problem.c_str());
    }
    if (!a.flag("--quiet")) {
        for (auto const& note : report->notes) {
            std::printf("note: %s\n", note.c_str());
        }
    }
    if (report->problems.empty()) {
        std::printf("%s: good (%zu files checked)\n", report->subject.c_str(), report->files_checked);
        return exit_ok;
    }
    std::printf("%s: %zu %s\n", report->subject.c_str(), report->problems.size(),
                report->problems.size() == 1 ? "problem" : "problems");
    return exit_failed;
}

int run_inspect(std::vector<std::string> const& args) {
    auto const a = parse(args, {"--data"}, {"--json"});
    if (!a.error.empty()) {
        return usage_error("inspect", a.error);
    }
    if (a.positional.size() != 1) {
        return usage_error("inspect", "name one bundle folder or .torrent file");
    }
    auto const inspection = inspect_bundle({a.positional.front(), a.path("--data")});
    if (!inspection) {
        return failed("inspect", inspection.error);
    }
    if (a.flag("--json")) {
        std::printf("%s\n",
                    inspection->dump(4, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
    } else {
        std::fputs(render_inspection(*inspection).c_str(), stdout);
    }
    return exit_ok;
}

} // namespace

int run_command_line(std::vector<std::string> const& args) {
    if (args.empty() || args.front() == "--help" || args.front() == "-h" || args.front() == "help") {
        std::fputs(usage_text, args.empty() ? stderr : stdout);
        return args.empty() ? exit_usage : exit_ok;
    }
    if (args.front() == "--version") {
        std::printf("sluice-bundle %s\n", SLUICE_VERSION);
        return exit_ok;
    }
    for (auto const& arg : args) {
        if (arg == "--help" || arg == "-h") {
            std::fputs(usage_text, stdout);
            return exit_ok;
        }
    }
    install_interrupt_handlers();
    auto const& command = args.front();
    if (command == "keygen") {
        return run_keygen(args);
    }
    if (command == "create") {
        return run_create(args);
    }
    if (command == "verify") {
        return run_verify(args);
    }
    if (command == "inspect") {
        return run_inspect(args);
    }
    return usage_error(command, "unknown command (keygen, create, verify, inspect)");
}

} // namespace sluice::publisher
