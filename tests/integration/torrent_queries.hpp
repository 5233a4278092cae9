#pragma once

#include "host_process.hpp"
#include "torrent_fixture.hpp"

#include <nlohmann/json.hpp>

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

namespace sluice::testing {

// The torrent's entry in torrent.list, or {"missing": the whole reply} (for failure messages).
nlohmann::json torrent_status(host_process& host, std::string const& hash);

// torrent.files once the metadata is there; after `timeout` a failed expectation and the last reply, which
// still says metadataPending.
nlohmann::json torrent_files(host_process& host, std::string const& hash,
                             std::chrono::milliseconds timeout = std::chrono::seconds(20));

// Adds `torrent`, whose data is complete in `save_path`, and waits until the host has checked it and seeds
// it. Returns the port the host's session takes peers on (0, with a failed expectation, if it does not).
int seed_torrent(host_process& host, made_torrent const& torrent, std::filesystem::path const& save_path);

// Makes a torrent of `folder`, seeds it from a loopback_seed kept in `seeds`, and adds it to `host` by a
// magnet carrying that seed's address, into a folder of its own below the world's data folder (two versions
// of a bundle carry the same names). Returns the info-hash.
std::string add_seeded_folder(host_process& host, host_world& world, std::filesystem::path const& folder,
                              std::vector<std::unique_ptr<loopback_seed>>& seeds);

// Waits until bundle.get says the bundle is verified (a failed expectation with the last answer if not).
void wait_verified(host_process& host, std::string const& hash);

} // namespace sluice::testing
