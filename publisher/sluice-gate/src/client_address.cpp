#include "sluice-gate/client_address.hpp"

#include <boost/asio/ip/address.hpp>

#include <optional>

namespace sluice::gate {

namespace {

namespace ip = boost::asio::ip;

std::string_view trimmed(std::string_view text) {
    auto const first = text.find_first_not_of(" \t");
    if (first == std::string_view::npos) {
        return {};
    }
    return text.substr(first, text.find_last_not_of(" \t") - first + 1);
}

// One spelling per address, so the same client is one key whichever way it reached the gate.
std::optional<ip::address> canonical(std::string_view text) {
    boost::system::error_code ec;
    auto const address = ip::make_address(std::string(trimmed(text)), ec);
    if (ec) {
        return std::nullopt;
    }
    if (address.is_v6() && address.to_v6().is_v4_mapped()) {
        return ip::make_address_v4(ip::v4_mapped, address.to_v6());
    }
    return address;
}

} // namespace

std::string client_address(std::string_view peer, std::string_view forwarded_for,
                           std::string_view trusted_proxy) {
    auto const from = canonical(peer);
    if (!from) {
        return std::string(peer);
    }
    auto const proxy = trusted_proxy.empty() ? std::nullopt : canonical(trusted_proxy);
    if (!proxy || *proxy != *from) {
        return from->to_string();
    }
    auto const comma = forwarded_for.rfind(',');
    auto const last =
        canonical(comma == std::string_view::npos ? forwarded_for : forwarded_for.substr(comma + 1));
    return (last ? *last : *from).to_string();
}

} // namespace sluice::gate
