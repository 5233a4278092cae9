#include "torrent_queries.hpp"

#include "wait_until.hpp"

#include <sluice/protocol/keys.hpp>

#include <gtest/gtest.h>

namespace sluice::testing {

using nlohmann::json;

json torrent_status(host_process& host, std::string const& hash) {
    auto const reply = host.call("torrent.list");
    for (auto const& t : reply.value("/result/torrents"_json_pointer, json::array())) {
        if (t.value("infoHash", "") == hash) {
            return t;
        }
    }
    return {{"missing", reply}};
}

json torrent_files(host_process& host, std::string const& hash, std::chrono::milliseconds timeout) {
    json files;
    EXPECT_TRUE(wait_until(
        [&] {
            files = host.call("torrent.files", {{"infoHash", hash}})["result"];
            return !files.contains("metadataPending");
        },
        timeout))
        << "no metadata within " << timeout.count() << " ms: " << files.dump();
    return files;
}

int seed_torrent(host_process& host, made_torrent const& torrent, std::filesystem::path const& save_path) {
    auto const added = host.call(
        "torrent.add", {{"torrent", protocol::to_base64(torrent.bytes)}, {"savePath", save_path.string()}});
    EXPECT_TRUE(added.contains("result")) << added.dump();
    json status;
    EXPECT_TRUE(wait_until([&] {
        status = torrent_status(host, torrent.info_hash);
        return status.value("state", "") == "seeding";
    })) << "the host did not check its data and seed: "
        << status.dump();
    auto const settings = host.call("settings.get");
    auto const port = settings["result"].value("peerPort", 0);
    EXPECT_GT(port, 0) << settings.dump();
    return status.value("state", "") == "seeding" ? port : 0;
}

std::string add_seeded_folder(host_process& host, host_world& world, std::filesystem::path const& folder,
                              std::vector<std::unique_ptr<loopback_seed>>& seeds) {
    auto const t = make_torrent(folder);
    seeds.push_back(std::make_unique<loopback_seed>(t, folder.parent_path()));
    auto const reply = host.call(
        "torrent.add", {{"uri", "magnet:?xt=urn:btih:" + t.info_hash + "&x.pe=" + seeds.back()->endpoint()},
                        {"savePath", (world.data_dir() / ("dl-" + std::to_string(seeds.size()))).string()}});
    EXPECT_TRUE(reply.contains("result")) << reply.dump();
    return t.info_hash;
}

void wait_verified(host_process& host, std::string const& hash) {
    json last;
    EXPECT_TRUE(wait_until([&] {
        last = host.call("bundle.get", {{"infoHash", hash}});
        return last.value("result", json::object()).value("status", "") == "verified";
    })) << last.dump();
}

} // namespace sluice::testing
