#include "sluice-bundle/staging_dir.hpp"

#include <sluice/fileio/file_io.hpp>

#include <cstdlib>
#include <random>

namespace sluice::publisher {

namespace {

std::string random_suffix() {
    static constexpr char alphabet[] = "abcdefghijklmnopqrstuvwxyz0123456789";
    std::random_device random;
    std::string s(6, 'x');
    for (auto& c : s) {
        c = alphabet[random() % (sizeof alphabet - 1)];
    }
    return s;
}

} // namespace

void sync_tree(fs::path const& root, std::error_code& ec) {
    ec.clear();
    for (auto it = fs::recursive_directory_iterator(root, ec);
         !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
        if (it->is_symlink()) {
            continue;
        }
        fileio::sync_path(it->path(), ec);
        if (ec) {
            return;
        }
    }
    if (!ec) {
        fileio::sync_path(root, ec);
    }
}

result<staging_dir> staging_dir::create(fs::path const& out_dir, std::string const& name) {
    std::error_code ec;
    fs::create_directories(out_dir, ec);
    if (ec) {
        return result<staging_dir>::failure("cannot create the output folder " + out_dir.string() + ": " +
                                            ec.message());
    }
    // mkdtemp(3): a fresh name, created 0700, so nobody else sees the item keys or plaintext-sized files
    // before they are in place.
    auto templ = (out_dir / ("." + name + ".partial-XXXXXX")).string();
    if (::mkdtemp(templ.data()) == nullptr) {
        ec = {errno, std::system_category()};
        return result<staging_dir>::failure("cannot create a folder in " + out_dir.string() + ": " +
                                            ec.message());
    }
    return staging_dir(out_dir, templ);
}

staging_dir::staging_dir(staging_dir&& other) noexcept
    : out_dir_(std::move(other.out_dir_)), path_(std::exchange(other.path_, {})) {}

staging_dir::~staging_dir() {
    if (!path_.empty()) {
        std::error_code ec;
        fs::remove_all(path_, ec);
    }
}

status staging_dir::commit(std::vector<std::string> const& entries, bool replace) {
    std::error_code ec;
    sync_tree(path_, ec);
    if (ec) {
        return status::failure("cannot write the output to disk: " + ec.message());
    }
    if (!replace) {
        for (auto const& name : entries) {
            if (fs::symlink_status(out_dir_ / name, ec).type() != fs::file_type::not_found) {
                return status::failure((out_dir_ / name).string() +
                                       " already exists; pass --force to replace it");
            }
        }
    }
    // What was in the way of each entry moved so far, kept until the end so that a failed commit can put
    // the old bundle back as it was.
    struct moved_entry {
        std::string name;
        fs::path aside;
    };
    std::vector<moved_entry> moved;
    auto const undo = [&] {
        for (auto it = moved.rbegin(); it != moved.rend(); ++it) {
            std::error_code ignored;
            fs::rename(out_dir_ / it->name, path_ / it->name, ignored);
            if (!it->aside.empty()) {
                fs::rename(it->aside, out_dir_ / it->name, ignored);
            }
        }
    };
    for (auto const& name : entries) {
        auto const from = path_ / name;
        auto const to = out_dir_ / name;
        moved_entry entry{name, {}};
        auto const existing = fs::symlink_status(to, ec).type();
        if (!replace || existing == fs::file_type::not_found) {
            fileio::rename_no_replace(from, to, ec);
        } else if (existing == fs::file_type::directory) {
            // rename(2) cannot replace a non-empty folder: the old one is moved aside (one rename in the same
            // folder), the new one moved in, and the old one deleted only once everything is in place.
            entry.aside = out_dir_ / ("." + name + ".old-" + random_suffix());
            fs::rename(to, entry.aside, ec);
            if (!ec) {
                fs::rename(from, to, ec);
                if (ec) {
                    std::error_code ignored;
                    fs::rename(entry.aside, to, ignored);
                }
            }
        } else {
            // A file is replaced by one atomic rename; a second link to the old one keeps it for undo().
            entry.aside = out_dir_ / ("." + name + ".old-" + random_suffix());
            fs::create_hard_link(to, entry.aside, ec);
            if (ec) {
                entry.aside.clear();
            }
            fs::rename(from, to, ec);
            if (ec && !entry.aside.empty()) {
                std::error_code ignored;
                fs::remove(entry.aside, ignored);
            }
        }
        if (ec) {
            undo();
            return status::failure("cannot move " + name + " into " + out_dir_.string() + ": " +
                                   ec.message());
        }
        moved.push_back(std::move(entry));
    }
    fileio::sync_path(out_dir_, ec);
    for (auto const& entry : moved) {
        if (!entry.aside.empty()) {
            std::error_code ignored;
            fs::remove_all(entry.aside, ignored);
        }
    }
    fs::remove_all(path_, ec);
    path_.clear();
    return ok();
}

} // namespace sluice::publisher
