#include "torrent/torrent_json.hpp"

#include "media/mime_types.hpp"

#include <libtorrent/torrent_info.hpp>

namespace sluice::torrent {

namespace {

std::string state_name(lt::torrent_status const& st) {
    if (st.errc) {
        return "error";
    }
    if (st.flags & lt::torrent_flags::paused) {
        return "paused";
    }
    switch (st.state) {
    case lt::torrent_status::checking_files:
    case lt::torrent_status::checking_resume_data:
        return "checking";
    case lt::torrent_status::downloading_metadata:
        return "fetching-metadata";
    case lt::torrent_status::downloading:
        return "downloading";
    case lt::torrent_status::finished:
        return "finished";
    case lt::torrent_status::seeding:
        return "seeding";
    default:
        return "downloading";
    }
}

} // namespace

nlohmann::json status_json(std::string const& id, lt::torrent_status const& st) {
    nlohmann::json j = {
        {"infoHash", id},
        {"name", st.name},
        {"state", state_name(st)},
        {"progress", st.progress},
        {"size", st.total_wanted},
        {"downloaded", st.total_wanted_done},
        {"downloadRate", st.download_payload_rate},
        {"uploadRate", st.upload_payload_rate},
        {"peers", st.num_peers},
        {"seeds", st.num_seeds},
        {"hasMetadata", st.has_metadata},
        {"savePath", st.save_path},
        {"activeSeconds", st.active_duration.count()},
    };
    if (st.errc) {
        j["error"] = st.errc.message();
    }
    return j;
}

nlohmann::json changed_fields(nlohmann::json const& before, nlohmann::json const& now) {
    auto out = nlohmann::json::object();
    for (auto const& [key, value] : now.items()) {
        if (!before.is_object() || !before.contains(key) || before.at(key) != value) {
            out[key] = value;
        }
    }
    return out;
}

nlohmann::json files_json(lt::torrent_handle const& h, std::size_t offset, std::size_t limit,
                          std::function<std::string(int, std::string const&)> const& stream_url) {
    auto const ti = h.torrent_file();
    auto files = nlohmann::json::array();
    if (!ti) {
        return {{"files", files}, {"total", 0}, {"metadataPending", true}};
    }
    auto const& fs = ti->files();
    std::vector<std::int64_t> progress;
    h.file_progress(progress, lt::torrent_handle::piece_granularity);
    auto const priorities = h.get_file_priorities();
    std::size_t seen = 0;
    for (auto const f : fs.file_range()) {
        if (fs.pad_file_at(f)) {
            continue;
        }
        auto const n = seen++;
        if (n < offset || files.size() >= limit) {
            continue;
        }
        auto const index = static_cast<int>(f);
        auto const size = fs.file_size(f);
        auto const path = fs.file_path(f);
        auto const done =
            static_cast<std::size_t>(index) < progress.size() ? progress[static_cast<std::size_t>(index)] : 0;
        files.push_back({
            {"index", index},
            {"path", path},
            {"size", size},
            {"progress", size == 0 ? 1.0 : static_cast<double>(done) / static_cast<double>(size)},
            {"mime", std::string(media::mime_type_for(path))},
            {"priority",
             static_cast<std::size_t>(index) < priorities.size()
                 ? static_cast<int>(static_cast<std::uint8_t>(priorities[static_cast<std::size_t>(index)]))
                 : 4},
            {"streamUrl", stream_url(index, path)},
        });
    }
    return {{"files", files}, {"total", seen}, {"offset", offset}};
}

} // namespace sluice::torrent
