#pragma once

#include "common/result.hpp"
#include "sluice-bundle/progress.hpp"

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace sluice::publisher {

namespace fs = std::filesystem;

struct verify_options {
    fs::path target;              // a bundle folder or a .torrent
    std::optional<fs::path> data; // for a .torrent: the bundle folder (or the folder that holds it)
    std::optional<fs::path> keys; // <id>.keys.json: decrypt locked items and check their plaintext
    progress_mode progress = progress_mode::off;
};

struct verify_report {
    std::vector<std::string> problems; // each a sentence; none means the bundle is good
    std::vector<std::string> notes;    // what was not checked, and why
    std::string subject;               // "les-veilleurs version 3", or the path when no manifest was read
    std::size_t files_checked = 0;
};

// `sluice-bundle verify`. A bad bundle is a report with problems; a failed result means the command could
// not run as asked (no such path, a keys file for another bundle, interrupted).
//
// A folder: bundle.json against the manifest rules and bundle.sig, the folder's name, every file present
// and nothing else, sizes (a locked item: the locked format's size for its plaintext, and a header that
// decodes to that plaintext size), free items' SHA-256, and with keys every locked item decrypted and its
// plaintext's SHA-256. A .torrent: bundle.json and bundle.sig at its root and every manifest file at the
// right size; the manifest is read from --data or from the bundle folder beside the .torrent, and is the
// torrent's own (its hashes match); with --data the data is also checked against the piece hashes and as
// a folder.
result<verify_report> verify_bundle(verify_options const& options);

} // namespace sluice::publisher
