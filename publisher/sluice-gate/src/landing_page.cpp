#include "sluice-gate/landing_page.hpp"

#include <sluice/protocol/keys.hpp>
#include <sluice/protocol/untrusted_json.hpp>

#include <nlohmann/json.hpp>

namespace sluice::gate {

std::string html_escape(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (char const c : text) {
        switch (c) {
        case '&':
            out += "&amp;";
            break;
        case '<':
            out += "&lt;";
            break;
        case '>':
            out += "&gt;";
            break;
        case '"':
            out += "&quot;";
            break;
        case '\'':
            out += "&#39;";
            break;
        default:
            out += c;
        }
    }
    return out;
}

std::string json_for_script(std::string const& compact_json) {
    std::string out;
    out.reserve(compact_json.size());
    for (std::size_t i = 0; i < compact_json.size(); ++i) {
        char const c = compact_json[i];
        // Outside strings JSON never has these characters, so replacing them everywhere is safe.
        if (c == '<') {
            out += "\\u003c";
        } else if (c == '>') {
            out += "\\u003e";
        } else if (c == '&') {
            out += "\\u0026";
        } else if (c == '\xE2' && i + 2 < compact_json.size() && compact_json[i + 1] == '\x80' &&
                   (compact_json[i + 2] == '\xA8' || compact_json[i + 2] == '\xA9')) {
            out += compact_json[i + 2] == '\xA8' ? "\\u2028" : "\\u2029";
            i += 2;
        } else {
            out += c;
        }
    }
    return out;
}

namespace {

std::string money(std::uint64_t minor, std::string const& currency) {
    auto const cents = minor % 100;
    return std::to_string(minor / 100) + "." + (cents < 10 ? "0" : "") + std::to_string(cents) + " " +
           currency;
}

std::string gate_words(protocol::bundle_item const& item) {
    if (!item.locked()) {
        return "free";
    }
    switch (*item.gate) {
    case protocol::gate_kind::email:
        return "locked: unlocked with an email address";
    case protocol::gate_kind::pay:
        return "locked: pay what you want";
    case protocol::gate_kind::pledge:
        return "locked: for the campaign's backers";
    }
    return "locked";
}

} // namespace

std::string render_landing_page(protocol::bundle_manifest const& m, std::string_view magnet,
                                std::string_view public_url, std::optional<campaign_standing> const& standing,
                                bool count_views) {
    nlohmann::json const markup{
        {"bundleId", m.id},      {"version", m.version},
        {"magnet", magnet},      {"publisherKey", protocol::encode_public_key("ed25519", m.publisher_key)},
        {"gateUrl", m.gate_url},
    };
    std::string const title = html_escape(m.title);
    std::string html;
    html += "<!DOCTYPE html>\n<html>\n<head>\n<meta charset=\"utf-8\">\n";
    html += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";
    html += "<title>" + title + "</title>\n";
    if (!public_url.empty()) {
        std::string base(public_url);
        if (!base.ends_with('/')) {
            base += '/';
        }
        html += "<link rel=\"canonical\" href=\"" + html_escape(base + "b/" + m.id) + "\">\n";
    }
    if (!magnet.empty()) {
        html += "<link rel=\"sluice-bundle\" href=\"" + html_escape(magnet) + "\">\n";
    }
    html += "<script type=\"application/sluice-bundle+json\">" +
            json_for_script(protocol::dump_compact(markup)) + "</script>\n";
    if (count_views) {
        // Relative, so that a gate behind a proxy under a path of its own still counts its views.
        html += "<script src=\"../assets/views.js\" defer></script>\n";
    }
    html += "</head>\n<body>\n<main>\n";
    html += "<h1>" + title + "</h1>\n";
    html += "<p class=\"creator\">by " + html_escape(m.creator) + "</p>\n";
    if (!m.description.empty()) {
        html += "<p class=\"description\">" + html_escape(m.description) + "</p>\n";
    }
    html += "<h2>Items</h2>\n<ul class=\"items\">\n";
    for (auto const& item : m.items) {
        html += "<li><span class=\"path\">" + html_escape(item.path) + "</span> <span class=\"access\">" +
                html_escape(gate_words(item)) + "</span></li>\n";
    }
    html += "</ul>\n";
    if (m.gates.pledge) {
        auto const& p = *m.gates.pledge;
        html += "<section class=\"campaign\">\n<h2>Campaign " + html_escape(p.campaign_id) + "</h2>\n<ul>\n";
        if (standing) {
            html += "<li class=\"progress\">" + html_escape(standing->state) + ": " +
                    std::to_string(standing->backers) + " backers, " +
                    html_escape(money(standing->amount, p.currency)) + " pledged</li>\n";
        }
        if (p.goal_backers) {
            html += "<li>Goal: " + std::to_string(*p.goal_backers) + " backers</li>\n";
        }
        if (p.goal_amount) {
            html += "<li>Goal: " + html_escape(money(*p.goal_amount, p.currency)) + "</li>\n";
        }
        for (auto const& tier : p.offered_tiers()) {
            html += "<li class=\"tier\">" + html_escape(tier.title) + ": " +
                    html_escape(money(tier.price, p.currency));
            if (tier.limit) {
                html += " (" + std::to_string(*tier.limit) + " places)";
            }
            if (!tier.description.empty()) {
                html += " - " + html_escape(tier.description);
            }
            html += "</li>\n";
        }
        html += "<li>Deadline: " + html_escape(p.deadline) + "</li>\n";
        html += "<li>Expected delivery: " + html_escape(p.expected_delivery) + "</li>\n";
        html += "<li>If the goal is missed: " + html_escape(p.if_goal_missed) + "</li>\n</ul>\n</section>\n";
    }
    if (!magnet.empty()) {
        html += "<p><a href=\"" + html_escape(magnet) + "\">Open with a BitTorrent client</a></p>\n";
    }
    html += "</main>\n</body>\n</html>\n";
    return html;
}

} // namespace sluice::gate
