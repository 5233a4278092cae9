#include "install/install_record.hpp"

#include "install/make_dirs.hpp"
#include "install/read_text.hpp"

#include <sluice/fileio/atomic_file.hpp>

#include <nlohmann/json.hpp>

#include <algorithm>

namespace sluice::install {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

template <typename T>
void add_unique(std::vector<T>& list, T const& item) {
    if (std::find(list.begin(), list.end(), item) == list.end()) {
        list.push_back(item);
    }
}

} // namespace

void install_record::add_file(fs::path const& file) {
    add_unique(files, file);
}
void install_record::add_directory(fs::path const& dir) {
    add_unique(directories, dir);
}
void install_record::add_registry_entry(registry_entry const& entry) {
    add_unique(registry_entries, entry);
}

install_record load_record(fs::path const& file, std::error_code& ec) {
    ec.clear();
    install_record record;
    if (!fs::exists(file, ec)) {
        ec.clear();
        return record;
    }
    // Unreadable or not ours to parse: an error, so that nothing is removed on a guess.
    auto const j = json::parse(read_text(file), nullptr, false);
    try {
        for (auto const& f : j.at("files")) {
            record.files.emplace_back(f.get<std::string>());
        }
        for (auto const& d : j.at("directories")) {
            record.directories.emplace_back(d.get<std::string>());
        }
        for (auto const& r : j.at("registry")) {
            record.registry_entries.push_back(
                {.key = {.machine = r.at("machine").get<bool>(), .path = r.at("key").get<std::string>()},
                 .value = r.at("value").get<std::string>()});
        }
    } catch (json::exception const&) {
        ec = std::make_error_code(std::errc::bad_message);
        return {};
    }
    return record;
}

void save_record(fs::path const& file, install_record& record, std::error_code& ec) {
    for (auto const& made : make_dirs(file.parent_path(), ec)) {
        record.add_directory(made);
    }
    if (ec) {
        return;
    }
    json j = {{"files", json::array()}, {"directories", json::array()}, {"registry", json::array()}};
    for (auto const& f : record.files) {
        j["files"].push_back(f.string());
    }
    for (auto const& d : record.directories) {
        j["directories"].push_back(d.string());
    }
    for (auto const& r : record.registry_entries) {
        j["registry"].push_back({{"machine", r.key.machine}, {"key", r.key.path}, {"value", r.value}});
    }
    fileio::write_file_atomically(file, j.dump(4) + "\n", 0644, true, ec);
}

} // namespace sluice::install
