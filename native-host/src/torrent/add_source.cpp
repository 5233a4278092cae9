#include "torrent/add_source.hpp"

#include <libtorrent/magnet_uri.hpp>
#include <libtorrent/torrent_info.hpp>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace sluice::torrent {

using protocol::error_code;
using protocol::rpc_error;

namespace {

bool is_zero(lt::sha1_hash const& h) {
    return h.is_all_zeros();
}

// libtorrent grows the file-priority vector to the largest `so=` index it reads, so a hostile index would
// cost gigabytes before any check could run: read the indices ourselves first.
bool selected_indices_in_range(std::string_view uri, int max_index, std::string& problem) {
    std::size_t pos = 0;
    while ((pos = uri.find("so=", pos)) != std::string_view::npos) {
        if (pos > 0 && uri[pos - 1] != '&' && uri[pos - 1] != '?') {
            pos += 3;
            continue;
        }
        pos += 3;
        long long value = 0;
        bool in_number = false;
        for (; pos < uri.size() && uri[pos] != '&'; ++pos) {
            char const c = uri[pos];
            if (c >= '0' && c <= '9') {
                value = value * 10 + (c - '0');
                in_number = true;
                if (value > max_index) {
                    problem = "so= selects file " + std::string(uri.substr(pos, 12)) + "…, beyond " +
                              std::to_string(max_index);
                    return false;
                }
            } else if (c == ',' || c == '-') {
                value = 0;
                in_number = false;
            } else {
                problem = "so= may hold only file indices and ranges";
                return false;
            }
        }
        (void)in_number;
    }
    return true;
}

rpc_error invalid(error_code code, std::string detail) {
    return rpc_error::make(code, std::move(detail));
}

// A local .torrent. Only a regular file of known size is read: a fifo or a socket would block the owner's
// one thread, a device never ends, and /proc files say size 0 and may fail mid-read (/proc/self/mem does
// at once). Opened non-blocking and checked with fstat on the same descriptor, so nothing can be swapped in
// between the check and the read.
add_source read_torrent_file(std::string const& path, add_limits const& limits) {
    int const fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
    if (fd < 0) {
        return invalid(error_code::invalid_torrent, "cannot read " + path + ": " + std::strerror(errno));
    }
    struct closer {
        int fd;
        ~closer() { ::close(fd); }
    } const guard{fd};
    struct stat st {};
    if (::fstat(fd, &st) != 0) {
        return invalid(error_code::invalid_torrent, "cannot read " + path + ": " + std::strerror(errno));
    }
    if (S_ISDIR(st.st_mode)) {
        return invalid(error_code::invalid_torrent, path + " is a folder, not a .torrent file");
    }
    if (!S_ISREG(st.st_mode) || st.st_size <= 0) {
        return invalid(error_code::invalid_torrent,
                       path + " is not a regular file (a device, pipe, socket or file of unknown size)");
    }
    if (static_cast<std::uint64_t>(st.st_size) > limits.max_torrent_bytes) {
        return invalid(error_code::invalid_torrent, ".torrent larger than the load limit");
    }
    // One byte more than the file says: a file that grew since fstat is read to its limit, not past it.
    std::string bytes(static_cast<std::size_t>(st.st_size) + 1, '\0');
    std::size_t got = 0;
    while (got < bytes.size()) {
        auto const n = ::read(fd, bytes.data() + got, bytes.size() - got);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0) {
            return invalid(error_code::invalid_torrent, "cannot read " + path + ": " + std::strerror(errno));
        }
        if (n == 0) {
            break;
        }
        got += static_cast<std::size_t>(n);
    }
    bytes.resize(got);
    return parse_torrent_data(bytes, limits);
}

} // namespace

add_source parse_magnet(std::string_view uri, add_limits const& limits) {
    if (uri.size() > limits.max_magnet_bytes) {
        return invalid(error_code::invalid_magnet,
                       "magnet link longer than " + std::to_string(limits.max_magnet_bytes) + " bytes");
    }
    for (unsigned char c : uri) {
        if (c <= 0x20 || c == 0x7F) {
            return invalid(error_code::invalid_magnet,
                           "magnet link contains a space, line break or control character");
        }
    }
    std::string problem;
    if (!selected_indices_in_range(uri, limits.max_selected_file_index, problem)) {
        return invalid(error_code::invalid_magnet, problem);
    }
    lt::error_code ec;
    auto params = lt::parse_magnet_uri(lt::string_view(uri.data(), uri.size()), ec);
    if (ec) {
        return invalid(error_code::invalid_magnet, ec.message());
    }
    bool const has_v1 = params.info_hashes.has_v1() && !is_zero(params.info_hashes.v1);
    bool const has_v2 = params.info_hashes.has_v2() && !params.info_hashes.v2.is_all_zeros();
    if (!has_v1 && !has_v2) {
        return invalid(error_code::invalid_magnet, "the info-hash is missing or all zeros");
    }
    return params;
}

add_source parse_torrent_data(std::string_view data, add_limits const& limits) {
    if (data.size() > limits.max_torrent_bytes) {
        return invalid(error_code::invalid_torrent,
                       ".torrent larger than " + std::to_string(limits.max_torrent_bytes) + " bytes");
    }
    lt::load_torrent_limits lt_limits;
    lt_limits.max_buffer_size = static_cast<int>(limits.max_torrent_bytes);
    try {
        lt::add_torrent_params params;
        params.ti = std::make_shared<lt::torrent_info>(lt::span<char const>(data.data(), data.size()),
                                                       lt_limits, lt::from_span);
        return params;
    } catch (std::system_error const& e) {
        return invalid(error_code::invalid_torrent, e.code().message());
    } catch (std::exception const& e) {
        return invalid(error_code::invalid_torrent, e.what());
    }
}

std::optional<std::string> decode_base64(std::string_view text) {
    auto value = [](char c) -> int {
        if (c >= 'A' && c <= 'Z') {
            return c - 'A';
        }
        if (c >= 'a' && c <= 'z') {
            return c - 'a' + 26;
        }
        if (c >= '0' && c <= '9') {
            return c - '0' + 52;
        }
        if (c == '+') {
            return 62;
        }
        if (c == '/') {
            return 63;
        }
        return -1;
    };
    while (!text.empty() && text.back() == '=') {
        text.remove_suffix(1);
    }
    if (text.size() % 4 == 1) {
        return std::nullopt;
    }
    std::string out;
    out.reserve(text.size() * 3 / 4);
    std::uint32_t acc = 0;
    int bits = 0;
    for (char c : text) {
        int const v = value(c);
        if (v < 0) {
            return std::nullopt;
        }
        acc = (acc << 6) | static_cast<std::uint32_t>(v);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out.push_back(static_cast<char>((acc >> bits) & 0xFF));
        }
    }
    return out;
}

add_source parse_add_params(nlohmann::json const& params, add_limits const& limits) {
    auto const uri = params.find("uri");
    auto const data = params.find("torrent");
    if ((uri == params.end()) == (data == params.end())) {
        return invalid(error_code::invalid_params, "give exactly one of uri and torrent");
    }
    if (data != params.end()) {
        if (!data->is_string()) {
            return invalid(error_code::invalid_params, "torrent must be a base64 string");
        }
        auto const& text = data->get_ref<std::string const&>();
        if (text.size() > limits.max_torrent_bytes / 3 * 4 + 4) {
            return invalid(error_code::invalid_torrent, ".torrent data too large");
        }
        auto decoded = decode_base64(text);
        if (!decoded) {
            return invalid(error_code::invalid_params, "torrent is not valid base64");
        }
        return parse_torrent_data(*decoded, limits);
    }
    if (!uri->is_string()) {
        return invalid(error_code::invalid_params, "uri must be a string");
    }
    std::string_view const u = uri->get_ref<std::string const&>();
    if (u.starts_with("magnet:")) {
        return parse_magnet(u, limits);
    }
    if (u.starts_with("http://") || u.starts_with("https://")) {
        if (u.size() > 4096) {
            return invalid(error_code::invalid_params, "URL longer than 4096 bytes");
        }
        return fetch_request{std::string(u)};
    }
    if (u.starts_with("/")) {
        return read_torrent_file(std::string(u), limits);
    }
    return invalid(error_code::invalid_params,
                   "uri must be a magnet link, an http(s) URL or an absolute path");
}

} // namespace sluice::torrent
