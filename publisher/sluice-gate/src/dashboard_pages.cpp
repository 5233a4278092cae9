#include "sluice-gate/dashboard_pages.hpp"

#include "sluice-gate/landing_page.hpp"

#include <sluice/protocol/untrusted_json.hpp>

#include <functional>
#include <initializer_list>

namespace sluice::gate {

namespace {

using nlohmann::json;

std::string text_of(json const& v) {
    if (v.is_string()) {
        return html_escape(v.get<std::string>());
    }
    return v.is_null() ? "—" : html_escape(v.dump());
}

// The page around `body`. Pages sit at /admin/, /admin/translations and one level below (/admin/bundles/{id},
// /admin/campaigns/{id}, /admin/translations/{id}): links are relative to the page's own depth (`root`), so
// that a gate behind a proxy under its own path still works. `figures` is the JSON the page's `script` reads:
// dashboard.js draws plots from it, after uPlot; translation.js previews a track.
std::string page(std::string_view title, std::string_view root, std::string const& body,
                 json const* figures = nullptr, bool logged_in = true,
                 std::string_view script = "dashboard.js") {
    std::string html = "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
                       "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
                       "<title>" +
                       html_escape(title) + " · Sluice gate</title>\n";
    if (figures && script == "dashboard.js") {
        // Only the pages with plots load the chart library.
        html += "<link rel=\"stylesheet\" href=\"" + std::string(root) + "assets/uPlot.min.css\">\n";
    }
    html +=
        "<link rel=\"stylesheet\" href=\"" + std::string(root) + "assets/dashboard.css\">\n</head>\n<body>\n";
    html += "<header class=\"bar\"><strong>Sluice gate</strong>";
    if (logged_in) {
        html += "<a href=\"" + std::string(root) + "\">Overview</a><a href=\"" + std::string(root) +
                "translations\">Translations</a><form method=\"post\" action=\"" + std::string(root) +
                "logout\"><button type=\"submit\">Log out</button></form>";
    }
    html += "</header>\n<main>\n<h1>" + html_escape(title) + "</h1>\n" + body;
    if (figures) {
        html += "<script type=\"application/json\" id=\"figures\">" +
                json_for_script(protocol::dump_compact(*figures)) + "</script>\n";
        if (script == "dashboard.js") {
            html += "<script src=\"" + std::string(root) + "assets/uPlot.iife.min.js\"></script>\n";
        }
        html += "<script src=\"" + std::string(root) + "assets/" + std::string(script) + "\"></script>\n";
    }
    html += "</main>\n</body></html>\n";
    return html;
}

// A table of `rows`, one column per heading and what its cell holds, as HTML.
struct column {
    std::string heading;
    std::function<std::string(json const&)> cell;
};

std::string table(std::string_view id, json const& rows, std::initializer_list<column> columns) {
    if (rows.empty()) {
        return "<p class=\"empty\" id=\"" + std::string(id) + "\">Nothing yet.</p>\n";
    }
    std::string html = "<table id=\"" + std::string(id) + "\"><thead><tr>";
    for (auto const& c : columns) {
        html += "<th scope=\"col\">" + html_escape(c.heading) + "</th>";
    }
    html += "</tr></thead><tbody>\n";
    for (auto const& row : rows) {
        html += "<tr>";
        for (auto const& c : columns) {
            html += "<td>" + c.cell(row) + "</td>";
        }
        html += "</tr>\n";
    }
    return html + "</tbody></table>\n";
}

column at(std::string heading, std::string key) {
    return {std::move(heading), [key](json const& row) { return text_of(row.value(key, json())); }};
}

column at(std::string heading, std::string key, std::string inner) {
    return {std::move(heading), [key, inner](json const& row) {
                return text_of(row.value(key, json::object()).value(inner, json()));
            }};
}

std::string chart(std::string_view id) {
    return "<div class=\"chart\" id=\"" + std::string(id) + "\"></div>\n";
}

// The row's id, linking to its page under `folder`.
column id_link(std::string heading, std::string folder) {
    return {std::move(heading), [folder](json const& row) {
                auto const id = html_escape(row.at("id").get<std::string>());
                return "<a href=\"" + folder + "/" + id + "\">" + id + "</a>";
            }};
}

// The row's submission id, linking to its page.
column submission_link() {
    return {"submission", [](json const& row) {
                auto const id = html_escape(row.at("submissionId").get<std::string>());
                return "<a href=\"translations/" + id + "\">" + id + "</a>";
            }};
}

} // namespace

std::string render_login_page(std::string_view problem) {
    std::string body = "<form class=\"login\" method=\"post\" action=\"login\">\n";
    if (!problem.empty()) {
        body += "<p class=\"error\" role=\"alert\">" + html_escape(problem) + "</p>\n";
    }
    body +=
        "<p><label for=\"token\">The gate's admin token (the contents of its <code>--admin-token-file</code>)"
        "</label></p>\n<p><input id=\"token\" name=\"token\" type=\"password\" "
        "autocomplete=\"current-password\" "
        "required autofocus></p>\n<p><button type=\"submit\">Log in</button></p>\n</form>\n";
    return page("Log in", "", body, nullptr, false);
}

std::string render_overview_page(json const& stats) {
    std::string body = "<h2>Bundles</h2>\n";
    body += table("bundles", stats.at("bundles"),
                  {id_link("bundle", "bundles"), at("version", "version"), at("views", "views"),
                   at("visitor-days", "visitorDays"), at("unlocks", "unlocks")});
    body += "<h2>Campaigns</h2>\n";
    body += table("campaigns", stats.at("campaigns"),
                  {id_link("campaign", "campaigns"), at("state", "state"), at("backers", "backers"),
                   at("amount (minor units)", "amount")});
    return page("Overview", "", body);
}

std::string render_bundle_page(json const& figures) {
    auto const& totals = figures.at("totals");
    std::string body = "<ul class=\"totals\" id=\"totals\">";
    for (auto const& [label, value] : std::initializer_list<std::pair<char const*, json>>{
             {"views", totals.at("views")},
             {"visitor-days", totals.at("visitorDays")},
             {"returning", totals.at("returning")},
             {"plays", totals.at("plays").at("started")},
             {"watched to the end", totals.at("plays").at("finished")}}) {
        body += "<li>" + html_escape(label) + "<strong>" + text_of(value) + "</strong></li>";
    }
    body += "</ul>\n<h2>The funnel</h2>\n" + chart("chart-funnel") + chart("chart-funnel-days");
    body += table("funnel", figures.at("funnel"),
                  {at("day", "day"), at("views", "views"), at("downloads", "downloads"),
                   at("plays", "plays", "started"), at("to the end", "plays", "finished"),
                   at("email unlocks", "unlocks", "email"), at("paid unlocks", "unlocks", "payment"),
                   at("pledge unlocks", "unlocks", "pledge"), at("pledges", "pledges"),
                   at("charged", "charged")});
    body += "<h2>By version</h2>\n";
    body += table("versions", figures.at("versions"),
                  {at("version", "version"), at("downloads", "downloads"), at("plays", "plays", "started"),
                   at("to the end", "plays", "finished")});
    body += "<h2>Views</h2>\n" + chart("chart-views");
    body += table(
        "views", figures.at("days"),
        {at("day", "day"), at("views", "views"), at("visitors", "visitors"), at("returning", "returning")});
    body += "<h2>Referring sites</h2>\n";
    body += table("referrers", figures.at("referrers"), {at("site", "site"), at("views", "views")});
    body += "<h2>The swarm (the tracker's scrape)</h2>\n" + chart("chart-swarm");
    body += table("swarm", figures.at("swarm"),
                  {at("day", "day"), at("version", "version"), at("info-hash", "infoHash"),
                   at("seeds", "seeds"), at("leechers", "leechers"), at("downloaded", "downloaded")});
    return page("Bundle " + figures.at("bundleId").get<std::string>(), "../", body, &figures);
}

std::string render_campaign_page(json const& figures) {
    auto const& goal = figures.at("goal");
    std::string body = "<ul class=\"totals\" id=\"totals\">";
    body += "<li>state<strong>" + text_of(figures.at("state")) + "</strong></li>";
    body += "<li>goal (backers)<strong>" + text_of(goal.at("backers")) + "</strong></li>";
    body += "<li>goal (amount, minor units of " + text_of(figures.at("currency")) + ")<strong>" +
            text_of(goal.at("amount")) + "</strong></li>";
    body += "<li>deadline<strong>" + text_of(goal.at("deadline")) + "</strong></li></ul>\n";
    body += "<h2>Progress</h2>\n" + chart("chart-progress");
    body += table("progress", figures.at("days"),
                  {at("day", "day"), at("backers", "backers"), at("amount (minor units)", "amount"),
                   at("charged", "charged"), at("backers needed", "needed", "backers"),
                   at("amount needed (minor units)", "needed", "amount"), at("on track", "onTrack")});
    return page("Campaign " + figures.at("campaignId").get<std::string>(), "../", body, &figures);
}

std::string render_translations_page(json const& list) {
    std::string body = "<p>What viewers translated, newest last. A submission's page previews it against the "
                       "item's video.</p>\n";
    body += table("translations", list.at("translations"),
                  {submission_link(), at("bundle", "bundleId"), at("version", "version"), at("item", "item"),
                   at("language", "lang"), at("label", "label"), at("credit", "credit"), at("state", "state"),
                   at("submitted", "submittedAt")});
    return page("Translations", "./", body);
}

std::string render_translation_page(json const& submission) {
    auto const id = submission.at("submissionId").get<std::string>();
    auto const item = submission.at("item").get<std::string>();
    std::string body = "<dl class=\"details\" id=\"details\">";
    for (auto const& [label, key] :
         std::initializer_list<std::pair<char const*, char const*>>{{"bundle", "bundleId"},
                                                                    {"version", "version"},
                                                                    {"item", "item"},
                                                                    {"language", "lang"},
                                                                    {"label", "label"},
                                                                    {"credit", "credit"},
                                                                    {"licence", "licence"},
                                                                    {"taken up from", "basedOn"},
                                                                    {"submitted", "submittedAt"},
                                                                    {"state", "state"},
                                                                    {"reviewed", "reviewedAt"},
                                                                    {"reason", "reason"}}) {
        if (submission.contains(key)) {
            body += "<dt>" + html_escape(label) + "</dt><dd>" + text_of(submission.at(key)) + "</dd>";
        }
    }
    body += "</dl>\n<h2>Preview</h2>\n";
    body += "<p><label for=\"preview-file\">The video of " + html_escape(item) +
            ", from your disk (it stays in this browser)</label> <input id=\"preview-file\" type=\"file\" "
            "accept=\"video/*,audio/*,.mkv,.webm\"></p>\n";
    body += "<video id=\"preview\" controls hidden></video>\n";
    body += "<table id=\"cues\" hidden><thead><tr><th scope=\"col\">start</th><th scope=\"col\">end</th>"
            "<th scope=\"col\">text</th></tr></thead><tbody></tbody></table>\n";
    body += "<h2>The track</h2>\n<pre id=\"track\">" +
            html_escape(submission.at("track").get<std::string>()) + "</pre>\n";
    if (submission.at("state") == "pending") {
        body +=
            "<h2>Approve or reject</h2>\n<pre class=\"commands\">sluice-gate translations approve --data DIR "
            "--key TRANSLATION.key " +
            html_escape(id) + "\nsluice-gate translations reject --data DIR " + html_escape(id) +
            " --reason \"...\"</pre>\n<p>or <code>POST /v1/admin/translations/" + html_escape(id) +
            "/approve</code> on a gate started with <code>--translation-key</code>.</p>\n";
    }
    // The preview's script reads the track's language, label and text from here.
    json const preview = {{"lang", submission.at("lang")},
                          {"label", submission.at("label")},
                          {"track", submission.at("track")}};
    return page("Translation " + id, "../", body, &preview, true, "translation.js");
}

} // namespace sluice::gate
