#pragma once

#include "common/result.hpp"

#include <filesystem>
#include <string>
#include <vector>

namespace sluice::publisher {

namespace fs = std::filesystem;

// Where `create` builds its output: a hidden folder beside the final one, `<out>/.<name>.partial-XXXXXX`,
// on the same file system so that moving the results into place is a rename. Until commit() the
// destructor deletes it with everything in it, so an error, an exception or Ctrl-C (noticed by the work
// loop, which then unwinds) never leaves half a bundle where a seeder or a web server could pick it up.
class staging_dir {
public:
    static result<staging_dir> create(fs::path const& out_dir, std::string const& name);

    staging_dir(staging_dir&& other) noexcept;
    staging_dir& operator=(staging_dir&&) = delete;
    staging_dir(staging_dir const&) = delete;
    staging_dir& operator=(staging_dir const&) = delete;
    ~staging_dir();

    fs::path const& path() const { return path_; }
    fs::path const& out_dir() const { return out_dir_; }

    // Moves `entries` (names of files or folders directly inside the staging folder) to the output folder,
    // in the given order, then removes the staging folder. Everything is fsynced first, so what is renamed
    // into place is on disk. An entry whose target exists makes the whole commit fail before anything
    // moves, unless `replace`: then a file is replaced by rename(2) and a folder is moved aside, the new
    // one moved in, and the old one deleted. If a later rename fails, entries already moved are put back.
    status commit(std::vector<std::string> const& entries, bool replace);

private:
    staging_dir(fs::path out_dir, fs::path path) : out_dir_(std::move(out_dir)), path_(std::move(path)) {}

    fs::path out_dir_;
    fs::path path_; // empty once committed or moved from
};

// fsync of every file and folder under `root`, and of `root` itself.
void sync_tree(fs::path const& root, std::error_code& ec);

} // namespace sluice::publisher
