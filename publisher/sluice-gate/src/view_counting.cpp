#include "sluice-gate/view_counting.hpp"

#include <sodium.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <chrono>
#include <cstdio>

namespace sluice::gate {

namespace {

std::string ascii_lower(std::string_view s) {
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
}

std::string hex_text(unsigned char const* data, std::size_t size) {
    std::string out(size * 2, '\0');
    sodium_bin2hex(out.data(), out.size() + 1, data, size);
    return out;
}

// A host name as DNS writes it, or an IPv4 address: the only sites worth a row.
bool plausible_host(std::string_view host) {
    return !host.empty() && host.size() <= 253 && host.front() != '.' && host.back() != '.' &&
           std::all_of(host.begin(), host.end(), [](char c) {
               return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-';
           });
}

std::string host_without_www(std::string host) {
    if (host.starts_with("www.") && host.size() > 4) {
        host.erase(0, 4);
    }
    return host;
}

// "host[:port]" of an authority, lower case, without user information.
std::string host_of_authority(std::string_view authority) {
    if (auto const at = authority.rfind('@'); at != std::string_view::npos) {
        authority.remove_prefix(at + 1);
    }
    authority = authority.substr(0, authority.find(':'));
    return ascii_lower(authority);
}

} // namespace

std::int64_t day_of(std::int64_t unix_seconds) {
    // Floor division: a time before 1970 is still on the day it falls on.
    return unix_seconds >= 0 ? unix_seconds / 86400 : -((-unix_seconds + 86399) / 86400);
}

std::string day_text(std::int64_t day) {
    std::chrono::year_month_day const ymd{std::chrono::sys_days{std::chrono::days{day}}};
    char buf[16];
    std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", static_cast<int>(ymd.year()),
                  static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
    return buf;
}

std::string new_view_salt() {
    std::array<unsigned char, 32> bytes{};
    randombytes_buf(bytes.data(), bytes.size());
    return hex_text(bytes.data(), bytes.size());
}

std::string visitor_hash(std::string_view salt, std::string_view bundle_id, std::string_view address,
                         std::string_view user_agent) {
    // Each part with its length first, so that no two different requests give the same input.
    crypto_generichash_state state;
    std::array<unsigned char, 16> digest{};
    crypto_generichash_init(&state, nullptr, 0, digest.size());
    for (auto const part : {salt, bundle_id, address, user_agent}) {
        auto const size = static_cast<std::uint64_t>(part.size());
        crypto_generichash_update(&state, reinterpret_cast<unsigned char const*>(&size), sizeof size);
        crypto_generichash_update(&state, reinterpret_cast<unsigned char const*>(part.data()), part.size());
    }
    crypto_generichash_final(&state, digest.data(), digest.size());
    return hex_text(digest.data(), digest.size());
}

bool is_robot(std::string_view user_agent, std::string_view purpose) {
    if (ascii_lower(purpose).find("prefetch") != std::string::npos) {
        return true;
    }
    auto const ua = ascii_lower(user_agent);
    if (ua.find_first_not_of(" \t") == std::string::npos) {
        return true;
    }
    static constexpr std::string_view signs[] = {"bot",
                                                 "crawl",
                                                 "spider",
                                                 "slurp",
                                                 "headless",
                                                 "phantomjs",
                                                 "selenium",
                                                 "puppeteer",
                                                 "playwright",
                                                 "lighthouse",
                                                 "preview",
                                                 "curl/",
                                                 "wget/",
                                                 "python",
                                                 "go-http",
                                                 "java/",
                                                 "okhttp",
                                                 "libwww",
                                                 "httpclient",
                                                 "axios/",
                                                 "node-fetch",
                                                 "scrapy",
                                                 "facebookexternalhit",
                                                 "embedly",
                                                 "monitor",
                                                 "pingdom",
                                                 "uptime"};
    return std::any_of(std::begin(signs), std::end(signs),
                       [&](std::string_view s) { return ua.find(s) != std::string::npos; });
}

std::string referrer_site(std::string_view referrer, std::string_view own_host) {
    std::string_view rest;
    for (std::string_view scheme : {"https://", "http://"}) {
        if (ascii_lower(referrer.substr(0, scheme.size())) == scheme) {
            rest = referrer.substr(scheme.size());
            break;
        }
    }
    if (rest.empty()) {
        return {};
    }
    auto const host = host_without_www(host_of_authority(rest.substr(0, rest.find_first_of("/?#"))));
    if (!plausible_host(host) || host == host_without_www(host_of_authority(own_host))) {
        return {};
    }
    return host;
}

} // namespace sluice::gate
