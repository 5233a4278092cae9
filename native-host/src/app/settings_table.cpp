#include "app/settings_table.hpp"

#include "base/paths.hpp"

#include <array>
#include <functional>
#include <limits>
#include <sstream>
#include <type_traits>

namespace sluice::app {

namespace {

using nlohmann::json;

constexpr std::int64_t int_max = std::numeric_limits<int>::max();

// The folder rule as a JSON Schema pattern: what settings.set.params says of downloadFolder.
constexpr char const* folder_pattern = R"(^/[^\u0000-\u001F\u007F]*$)";

// A member of host_config or of its session: the table names either kind of member pointer alike.
template <auto member, typename Config>
decltype(auto) field(Config& c) {
    if constexpr (std::is_invocable_v<decltype(member), decltype((c.session))>) {
        return std::invoke(member, c.session);
    } else {
        return std::invoke(member, c);
    }
}

template <auto member>
json get_field(host_config const& c) {
    return field<member>(c);
}

template <auto member>
void put_field(host_config& c, json const& value) {
    auto& out = field<member>(c);
    using type = std::remove_reference_t<decltype(out)>;
    if constexpr (std::is_same_v<type, bool>) {
        out = value.get<bool>();
    } else if constexpr (std::is_integral_v<type>) {
        // check_setting has kept the value within the setting's range, which the field holds (a unit test
        // writes both ends of every range and reads them back).
        out = static_cast<type>(value.get<std::int64_t>());
    } else {
        out = value.get<std::string>();
    }
}

template <auto member>
constexpr setting boolean(std::string_view file_key, std::string_view rpc_name) {
    return {.file_key = file_key,
            .rpc_name = rpc_name,
            .type = setting_type::boolean,
            .get = &get_field<member>,
            .put = &put_field<member>};
}

template <auto member>
constexpr setting integer(std::string_view file_key, std::string_view rpc_name, std::int64_t min,
                          std::int64_t max) {
    return {.file_key = file_key,
            .rpc_name = rpc_name,
            .type = setting_type::integer,
            .min = min,
            .max = max,
            .get = &get_field<member>,
            .put = &put_field<member>};
}

template <auto member>
constexpr setting text(std::string_view file_key, std::string_view rpc_name, text_rule rule) {
    return {.file_key = file_key,
            .rpc_name = rpc_name,
            .type = setting_type::text,
            .rule = rule,
            .get = &get_field<member>,
            .put = &put_field<member>};
}

using torrent::session_config;

// The port is not a member of its own: settings.get shows the first port of listenInterfaces, and
// settings.set gives every interface the new one.
constexpr setting listen_port{
    .file_key = {},
    .rpc_name = "listenPort",
    .type = setting_type::integer,
    .min = 0,
    .max = 65'535,
    .get = [](host_config const& c) -> json { return listen_port_of(c.session.listen_interfaces); },
    .put =
        [](host_config& c, json const& value) {
            c.session.listen_interfaces = with_listen_port(c.session.listen_interfaces, value.get<int>());
        },
};

constexpr std::array table{
    boolean<&session_config::dht>("session.dht", "dht"),
    boolean<&session_config::lsd>("session.lsd", "lsd"),
    boolean<&session_config::upnp>("session.upnp", "upnp"),
    boolean<&session_config::natpmp>("session.natpmp", "natpmp"),
    // libtorrent's own syntax, passed to it as written.
    text<&session_config::listen_interfaces>("session.listenInterfaces", "", text_rule::any),
    listen_port,
    boolean<&session_config::utp>("session.utp", "utp"),
    // bytes per second, 0 for no limit
    integer<&session_config::download_rate_limit>("session.downloadRateLimit", "downloadRateLimit", 0,
                                                  1'000'000'000),
    integer<&session_config::upload_rate_limit>("session.uploadRateLimit", "uploadRateLimit", 0,
                                                1'000'000'000),
    integer<&session_config::connections_limit>("session.connectionsLimit", "connectionsLimit", 2, 10'000),
    integer<&host_config::max_inbound_frame_bytes>("nativeMessaging.maxInboundFrameBytes", "", 4 * 1024,
                                                   256 * 1024 * 1024),
    integer<&host_config::log_max_file_bytes>("log.maxFileBytes", "", 0,
                                              std::numeric_limits<std::int64_t>::max()),
    integer<&host_config::log_keep_files>("log.keepFiles", "", 0, 50),
    // debug, info, warning or error; any other word means info (base::log::parse_level).
    text<&host_config::log_level>("log.level", "", text_rule::any),
    integer<&host_config::idle_exit_seconds>("idleExitSeconds", "", 1, int_max),
    text<&host_config::download_folder>("downloadFolder", "downloadFolder", text_rule::folder),
    integer<&host_config::stream_port>("streamPort", "", 0, 65'535),
    integer<&host_config::linger_seconds>("lingerSeconds", "", 0, int_max),
    integer<&host_config::resume_save_seconds>("resumeSaveSeconds", "", 1, int_max),
    integer<&host_config::gate_poll_seconds>("gatePollSeconds", "", 1, 86'400),
    integer<&host_config::gate_timeout_seconds>("gateTimeoutSeconds", "", 1, 300),
    boolean<&host_config::report_plays>("reportPlays", "reportPlays"),
    integer<&host_config::play_report_delay_seconds>("playReportDelaySeconds", "", 1, 7 * 86'400),
};

bool in_range(json const& value, std::int64_t min, std::int64_t max) {
    if (value.is_number_unsigned()) {
        // Above the largest int64, get<std::int64_t> would wrap round to a negative number.
        auto const v = value.get<std::uint64_t>();
        return v <= static_cast<std::uint64_t>(max) && (min <= 0 || v >= static_cast<std::uint64_t>(min));
    }
    auto const v = value.get<std::int64_t>();
    return v >= min && v <= max;
}

} // namespace

std::span<setting const> settings_table() {
    return table;
}

setting const* find_rpc_setting(std::string_view rpc_name) {
    for (auto const& s : table) {
        if (!s.rpc_name.empty() && s.rpc_name == rpc_name) {
            return &s;
        }
    }
    return nullptr;
}

std::optional<setting_problem> check_setting(setting const& s, json const& value, setting_source source) {
    switch (s.type) {
    case setting_type::boolean:
        if (!value.is_boolean()) {
            return setting_problem{.text = "must be true or false"};
        }
        return std::nullopt;
    case setting_type::integer:
        // 1.5 or 1e3 is refused rather than cut to an integer, in the file as in a request.
        if (!value.is_number_integer() || !in_range(value, s.min, s.max)) {
            return setting_problem{.text = "must be an integer from " + std::to_string(s.min) + " to " +
                                           std::to_string(s.max)};
        }
        return std::nullopt;
    case setting_type::text:
        break;
    }
    if (s.rule == text_rule::any) {
        if (!value.is_string()) {
            return setting_problem{.text = "must be a string"};
        }
        return std::nullopt;
    }
    auto const problem = "must be an absolute path without control characters";
    if (!value.is_string()) {
        return setting_problem{.code = protocol::error_code::invalid_save_path, .text = problem};
    }
    auto const& folder = value.get_ref<std::string const&>();
    if (folder.empty() && source == setting_source::file) {
        return std::nullopt;
    }
    if (base::has_control_character(folder)) {
        return setting_problem{.text = problem};
    }
    if (folder.empty() || folder.front() != '/') {
        return setting_problem{.code = protocol::error_code::invalid_save_path, .text = problem};
    }
    return std::nullopt;
}

json rpc_settings_schema() {
    auto out = json::object();
    for (auto const& s : table) {
        if (s.rpc_name.empty()) {
            continue;
        }
        auto& property = out[std::string(s.rpc_name)];
        switch (s.type) {
        case setting_type::boolean:
            property = {{"type", "boolean"}};
            break;
        case setting_type::integer:
            property = {{"type", "integer"}, {"minimum", s.min}, {"maximum", s.max}};
            break;
        case setting_type::text:
            property = {{"type", "string"}};
            if (s.rule == text_rule::folder) {
                property["pattern"] = folder_pattern;
            }
            break;
        }
    }
    return out;
}

std::string with_listen_port(std::string const& interfaces, int port) {
    std::stringstream in(interfaces);
    std::string entry;
    std::string out;
    while (std::getline(in, entry, ',')) {
        auto const colon = entry.rfind(':');
        auto const host = colon == std::string::npos ? entry : entry.substr(0, colon);
        out += (out.empty() ? "" : ",") + host + ":" + std::to_string(port);
    }
    return out;
}

int listen_port_of(std::string const& interfaces) {
    auto const first = interfaces.substr(0, interfaces.find(','));
    auto const colon = first.rfind(':');
    try {
        return colon == std::string::npos ? 0 : std::stoi(first.substr(colon + 1));
    } catch (std::exception const&) {
        return 0;
    }
}

} // namespace sluice::app
