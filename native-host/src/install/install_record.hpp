#pragma once

#include "install/manifest_targets.hpp"

#include <filesystem>
#include <string>
#include <system_error>
#include <vector>

namespace sluice::install {

// What `install` made, kept on disk so that `uninstall` removes exactly that and nothing a person or
// another program put beside it.
struct install_record {
    struct registry_entry {
        registry_key key;
        std::string value;
        bool operator==(registry_entry const&) const = default;
    };

    std::vector<std::filesystem::path> files;
    std::vector<std::filesystem::path> directories; // in the order they were made, parents first
    std::vector<registry_entry> registry_entries;

    void add_file(std::filesystem::path const& file);
    void add_directory(std::filesystem::path const& dir);
    void add_registry_entry(registry_entry const& entry);
};

// An absent file is an empty record; an unreadable or malformed one is an error (and an empty record).
install_record load_record(std::filesystem::path const& file, std::error_code& ec);

// Writes the record (mode 0644), making its folder if needed; the folders it made are recorded first.
void save_record(std::filesystem::path const& file, install_record& record, std::error_code& ec);

} // namespace sluice::install
