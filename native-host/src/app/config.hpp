#pragma once

#include "torrent/session_config.hpp"

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace sluice::app {

struct host_config {
    torrent::session_config session;
    std::uint32_t max_inbound_frame_bytes = 8 * 1024 * 1024;
    std::uint64_t log_max_file_bytes = 1024 * 1024;
    int log_keep_files = 3;
    std::string log_level = "info";
    // The owner exits when no client has been attached for this long (the first client's grace period).
    int idle_exit_seconds = 10;
    // Where torrents are saved unless torrent.add names a folder; empty means the user's download folder.
    std::string download_folder;
    std::uint16_t stream_port = 0; // 0: a free port, chosen at start
    // How long the owner stays after the last client and the last stream have gone.
    int linger_seconds = 30;
    int resume_save_seconds = 30;
    // How often campaigns pledged to and payments under way are asked about (failures back off from it).
    int gate_poll_seconds = 60;
    // The most one request to a gate may take, from resolving its name to the last byte of its answer.
    int gate_timeout_seconds = 20;
    // Whether plays of bundle items are reported to their gates (bundle/play_reporter.hpp): only when the
    // viewer said yes; the extension asks the first time a bundle plays.
    bool report_plays = false;
    // The longest a play waits before it is reported (a random while, from a quarter of this to all of it).
    int play_report_delay_seconds = 3600;
};

struct config_load_result {
    host_config config;
    std::vector<std::string> warnings; // what was wrong with the file; defaults were used for those parts
};

// Reads config.json, whose members and their rules are settings_table()'s. A missing file yields the
// defaults; a malformed file or a value settings.set would refuse yields the defaults for what could not be
// used and a warning. Members it does not know are ignored. Reading never writes the file.
config_load_result load_host_config(std::filesystem::path const& file);

// The defaults, as the JSON a user would edit.
std::string default_config_text();

// A configuration as JSON, in the file's own layout: every member of settings_table() with a file key,
// objects' members in alphabetical order, four spaces of indent. settings.set replaces config.json with this
// text of the configuration in use, so what the file held beyond it (unknown members, a value refused at
// start, its own layout) is not kept.
std::string config_text(host_config const& config);

// The folder downloads go to when the configuration names none: $XDG_DOWNLOAD_DIR/Sluice, else
// ~/Downloads/Sluice.
std::filesystem::path default_download_folder();

} // namespace sluice::app
