#include "sluice-gate/swarm_scrape.hpp"

#include <libtorrent/add_torrent_params.hpp>
#include <libtorrent/bdecode.hpp>
#include <libtorrent/hex.hpp>
#include <libtorrent/magnet_uri.hpp>

#include <cstdio>

namespace sluice::gate {

namespace lt = libtorrent;

namespace {

std::string hash_hex(char const* bytes, std::size_t size) {
    return lt::aux::to_hex({bytes, static_cast<std::ptrdiff_t>(size)});
}

} // namespace

std::vector<std::string> tracker_hashes(std::string_view magnet) {
    lt::error_code ec;
    auto const params = lt::parse_magnet_uri(lt::string_view(magnet.data(), magnet.size()), ec);
    std::vector<std::string> out;
    if (ec) {
        return out;
    }
    if (params.info_hashes.has_v1()) {
        out.push_back(hash_hex(params.info_hashes.v1.data(), 20));
    }
    if (params.info_hashes.has_v2()) {
        out.push_back(hash_hex(params.info_hashes.v2.data(), 20));
    }
    return out;
}

std::optional<std::string> scrape_url_of(std::string_view announce) {
    if (!announce.starts_with("http://") && !announce.starts_with("https://")) {
        return std::nullopt;
    }
    auto const path_end = announce.find_first_of("?#");
    auto const path = announce.substr(0, path_end);
    auto const slash = path.rfind('/');
    if (slash == std::string_view::npos || slash < announce.find("//") + 2 ||
        !path.substr(slash + 1).starts_with("announce")) {
        return std::nullopt;
    }
    std::string url(announce.substr(0, slash + 1));
    url += "scrape";
    url += announce.substr(slash + 1 + std::string_view("announce").size());
    return url;
}

std::string scrape_request(std::string_view scrape_url, std::vector<std::string> const& hashes) {
    std::string url(scrape_url);
    char separator = url.find('?') == std::string::npos ? '?' : '&';
    for (auto const& h : hashes) {
        url += separator;
        url += "info_hash=";
        for (std::size_t i = 0; i + 1 < h.size(); i += 2) {
            url += '%';
            url += h.substr(i, 2);
        }
        separator = '&';
    }
    return url;
}

std::optional<std::map<std::string, swarm_counts>> parse_scrape(std::string_view body, std::string& error) {
    lt::error_code ec;
    auto const root =
        lt::bdecode({body.data(), static_cast<std::ptrdiff_t>(body.size())}, ec, nullptr, 16, 100000);
    if (ec || root.type() != lt::bdecode_node::dict_t) {
        error = "the tracker's scrape is not a bencoded dictionary";
        return std::nullopt;
    }
    if (auto const failure = root.dict_find_string_value("failure reason"); !failure.empty()) {
        error = "the tracker refused the scrape: " + std::string(failure.substr(0, 200));
        return std::nullopt;
    }
    auto const files = root.dict_find_dict("files");
    if (!files) {
        error = "the tracker's scrape has no \"files\"";
        return std::nullopt;
    }
    std::map<std::string, swarm_counts> out;
    for (int i = 0; i < files.dict_size(); ++i) {
        // Not a structured binding: a lambda below reads `value`, and clang 14 cannot capture a binding.
        auto const entry = files.dict_at(i);
        auto const& key = entry.first;
        auto const& value = entry.second;
        if (key.size() != 20 || value.type() != lt::bdecode_node::dict_t) {
            continue;
        }
        auto const count = [&](char const* name) {
            return static_cast<std::uint64_t>(std::max<std::int64_t>(0, value.dict_find_int_value(name, 0)));
        };
        out[hash_hex(key.data(), key.size())] = {count("complete"), count("incomplete"), count("downloaded")};
    }
    return out;
}

} // namespace sluice::gate
