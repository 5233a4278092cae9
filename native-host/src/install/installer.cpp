#include "install/installer.hpp"

#include "install/host_manifest.hpp"
#include "install/install_record.hpp"
#include "install/make_dirs.hpp"
#include "install/manifest_targets.hpp"
#include "install/read_text.hpp"

#include <sluice/fileio/atomic_file.hpp>

#include <algorithm>

namespace sluice::install {

namespace fs = std::filesystem;

namespace {

std::string joined(std::vector<std::string> const& names) {
    std::string out;
    for (auto const& n : names) {
        out += (out.empty() ? "" : ", ") + n;
    }
    return out;
}

bool is_our_manifest(fs::path const& file) {
    auto const m = nlohmann::json::parse(read_text(file), nullptr, false);
    return m.is_object() && m.contains("name") && m.at("name") == host_name;
}

} // namespace

std::vector<browser const*> select_browsers(install_env const& env, scope s,
                                            std::vector<std::string> const& names, std::string& error) {
    std::vector<browser const*> out;
    auto const all = std::find(names.begin(), names.end(), "all") != names.end();
    for (auto const& b : browsers()) {
        bool wanted = all;
        if (!names.empty() && !all) {
            wanted = std::find(names.begin(), names.end(), b.key) != names.end();
        } else if (names.empty()) {
            wanted = s == scope::system || browser_found(b, env);
            for (auto const& t : plan_targets(env, s, {&b})) {
                std::error_code ec;
                wanted =
                    wanted || (!t.key && fs::exists(t.manifest_file, ec) && is_our_manifest(t.manifest_file));
            }
        }
        if (wanted) {
            out.push_back(&b);
        }
    }
    for (auto const& n : names) {
        if (n != "all" && find_browser(n) == nullptr) {
            std::string known;
            for (auto const& b : browsers()) {
                known += " " + std::string(b.key);
            }
            error = "unknown browser \"" + n + "\"; known:" + known + " (or all)";
            return {};
        }
    }
    return out;
}

install_result install(install_env const& env, scope s, std::vector<browser const*> const& wanted,
                       registry* reg) {
    install_result result;
    if (!env.host_binary.is_absolute()) {
        result.errors.push_back("the host's path " + env.host_binary.string() + " is not absolute");
        return result;
    }
    auto const record_path = record_file(env, s);
    std::error_code ec;
    auto record = load_record(record_path, ec);
    if (ec) {
        result.errors.push_back("cannot read " + record_path.string() + ": " + ec.message());
        return result;
    }
    for (auto const& t : plan_targets(env, s, wanted)) {
        auto const made = make_dirs(t.manifest_file.parent_path(), ec);
        for (auto const& dir : made) {
            record.add_directory(dir);
        }
        if (ec) {
            result.errors.push_back("cannot create " + t.manifest_file.parent_path().string() + ": " +
                                    ec.message());
            continue;
        }
        auto const text = make_manifest(t.kind, env.host_binary).dump(4) + "\n";
        bool const unchanged = fs::exists(t.manifest_file, ec) && read_text(t.manifest_file) == text;
        if (!unchanged) {
            fileio::write_file_atomically(t.manifest_file, text, 0644, true, ec);
            if (ec) {
                result.errors.push_back("cannot write " + t.manifest_file.string() + ": " + ec.message());
                continue;
            }
        }
        record.add_file(t.manifest_file);
        auto where = t.manifest_file.string();
        if (t.key) {
            if (reg == nullptr) {
                result.errors.push_back("no registry to write " + t.key->display() + " into");
                continue;
            }
            if (reg->default_value(*t.key) != t.manifest_file.string()) {
                reg->set_default_value(*t.key, t.manifest_file.string(), ec);
                if (ec) {
                    result.errors.push_back("cannot set " + t.key->display() + ": " + ec.message());
                    continue;
                }
            }
            record.add_registry_entry({.key = *t.key, .value = t.manifest_file.string()});
            where = t.key->display() + " -> " + where;
        }
        result.done.push_back((unchanged ? "already registered for " : "registered for ") +
                              joined(t.browsers) + ": " + where);
    }
    save_record(record_path, record, ec);
    if (ec) {
        result.errors.push_back("cannot write " + record_path.string() + ": " + ec.message());
    }
    return result;
}

install_result uninstall(install_env const& env, scope s, registry* reg) {
    install_result result;
    auto const record_path = record_file(env, s);
    std::error_code ec;
    auto const record = load_record(record_path, ec);
    if (ec) {
        result.errors.push_back("cannot read " + record_path.string() + ": " + ec.message());
        return result;
    }
    for (auto const& entry : record.registry_entries) {
        if (reg == nullptr || reg->default_value(entry.key) != entry.value) {
            continue; // someone else's now
        }
        reg->remove_key(entry.key, ec);
        if (ec) {
            result.errors.push_back("cannot remove " + entry.key.display() + ": " + ec.message());
        } else {
            result.done.push_back("removed " + entry.key.display());
        }
    }
    for (auto const& file : record.files) {
        if (!fs::exists(file, ec)) {
            continue;
        }
        if (!is_our_manifest(file)) {
            result.done.push_back("left " + file.string() + ": it is no longer Sluice's manifest");
            continue;
        }
        if (fs::remove(file, ec)) {
            result.done.push_back("removed " + file.string());
        } else {
            result.errors.push_back("cannot remove " + file.string() + ": " + ec.message());
        }
    }
    if (fs::remove(record_path, ec) || !fs::exists(record_path)) {
        for (auto dir = record.directories.rbegin(); dir != record.directories.rend(); ++dir) {
            // Only if empty: a browser or a person may have put something there since.
            if (fs::is_directory(*dir, ec) && fs::is_empty(*dir, ec)) {
                fs::remove(*dir, ec);
            }
        }
    } else {
        result.errors.push_back("cannot remove " + record_path.string() + ": " + ec.message());
    }
    if (record.files.empty() && record.registry_entries.empty()) {
        result.done.push_back(std::string("nothing to remove: no ") + (s == scope::user ? "user" : "system") +
                              " install was recorded in " + record_path.string());
    }
    return result;
}

} // namespace sluice::install
