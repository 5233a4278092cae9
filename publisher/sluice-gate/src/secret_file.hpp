#pragma once

#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>

namespace sluice::gate {

// A secret the publisher gives the gate in a file rather than on the command line, where every user of the
// machine could read it in the process list: the admin token, the payment provider's webhook secret.
// The file's content with spaces, tabs and line breaks trimmed from both ends (an editor's final newline is
// not part of the secret). nullopt, with `error` for a person, when the file cannot be read, is larger than
// 4096 bytes, or the trimmed secret is shorter than `min_length` or holds anything but visible ASCII.
std::optional<std::string> read_secret_file(std::filesystem::path const& file, std::size_t min_length,
                                            std::string& error);

} // namespace sluice::gate
