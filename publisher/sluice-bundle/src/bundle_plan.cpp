#include "sluice-bundle/bundle_plan.hpp"

#include <algorithm>
#include <map>

namespace sluice::publisher {

namespace {

bool is_inside(fs::path const& path, fs::path const& folder) {
    auto const [f, p] = std::mismatch(folder.begin(), folder.end(), path.begin(), path.end());
    return f == folder.end() && p != path.end();
}

} // namespace

result<std::vector<planned_file>> plan_bundle_files(bundle_spec const& spec, fs::path const& source_dir) {
    using failure = result<std::vector<planned_file>>;
    std::error_code ec;
    auto const root = fs::canonical(source_dir, ec);
    if (ec || !fs::is_directory(root)) {
        return failure::failure("the source folder " + source_dir.string() +
                                (ec ? " cannot be opened: " + ec.message() : " is not a folder"));
    }

    std::vector<planned_file> files;
    std::map<std::string, std::size_t> by_path;
    auto const add = [&](std::string const& relative, std::string bundle_path, bool locked,
                         std::string const& where) -> std::string {
        auto const path = source_dir / relative;
        std::error_code ec;
        auto const status = fs::status(path, ec);
        if (status.type() == fs::file_type::not_found) {
            return "at " + where + ": \"" + relative + "\" does not exist in the source folder " +
                   source_dir.string();
        }
        auto const real = fs::canonical(path, ec);
        if (ec) {
            return "at " + where + ": \"" + relative + "\" cannot be read: " + ec.message();
        }
        if (!is_inside(real, root)) {
            return "at " + where + ": \"" + relative +
                   "\" leads out of the source folder (through a symbolic "
                   "link); only files inside it can be published";
        }
        if (!fs::is_regular_file(status)) {
            return "at " + where + ": \"" + relative + "\" is not a regular file";
        }
        auto const size = fs::file_size(real, ec);
        if (ec) {
            return "at " + where + ": \"" + relative + "\" cannot be read: " + ec.message();
        }
        // The same bytes both sealed and in clear would publish what the lock is meant to keep back.
        for (auto const& other : files) {
            if (other.source == real && other.locked != locked) {
                return "at " + where + ": \"" + relative + "\" is also " +
                       (other.locked ? "a locked item (" : "stored in clear (") + other.where +
                       "); the same file cannot be both locked and in clear";
            }
        }
        auto const [it, inserted] = by_path.emplace(bundle_path, files.size());
        if (!inserted) {
            auto const& earlier = files[it->second];
            if (!earlier.locked && !locked && earlier.source == real) {
                return {}; // the same plain file asked for twice (a cover that is also an item): stored once
            }
            return "at " + where + ": \"" + bundle_path + "\" would be stored in the bundle twice (also by " +
                   earlier.where + ")";
        }
        files.push_back({std::move(bundle_path), real, size, locked, where});
        return {};
    };

    for (std::size_t i = 0; i < spec.items.size(); ++i) {
        auto const& item = spec.items[i];
        auto const where = "/items/" + std::to_string(i) + "/source";
        if (auto problem = add(item.source, item.bundle_path(), item.locked(), where); !problem.empty()) {
            return failure::failure(std::move(problem));
        }
    }
    for (std::size_t i = 0; i < spec.items.size(); ++i) {
        auto const& tracks = spec.items[i].subtitles;
        for (std::size_t t = 0; t < tracks.size(); ++t) {
            auto const where = "/items/" + std::to_string(i) + "/subtitles/" + std::to_string(t) + "/source";
            if (auto problem = add(tracks[t].source, tracks[t].source, false, where); !problem.empty()) {
                return failure::failure(std::move(problem));
            }
        }
    }
    if (spec.cover) {
        if (auto problem = add(*spec.cover, *spec.cover, false, "/cover"); !problem.empty()) {
            return failure::failure(std::move(problem));
        }
    }
    // "a.webm.locked" as a file and "a.webm.locked/x" inside a folder of that name cannot both exist.
    for (auto const& [path, index] : by_path) {
        auto const next = by_path.upper_bound(path + "/");
        if (next != by_path.end() && next->first.starts_with(path + "/")) {
            return failure::failure("at " + files[next->second].where + ": \"" + next->first +
                                    "\" would be stored inside \"" + path + "\", which is a file (" +
                                    files[index].where + ")");
        }
    }
    return files;
}

} // namespace sluice::publisher
