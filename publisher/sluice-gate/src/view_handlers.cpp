#include "sluice-gate/view_handlers.hpp"

#include "sluice-gate/api_error.hpp"
#include "sluice-gate/request_body.hpp"
#include "sluice-gate/view_counting.hpp"

#include <sluice/protocol/bundle_manifest.hpp>
#include <sluice/protocol/strict_object.hpp>

namespace sluice::gate {

namespace {

// The longest referrer read: browsers cut theirs to 4 KiB, and only the host is kept.
constexpr std::size_t max_referrer = 4096;

// Runs on the landing page (its Content-Security-Policy allows this one script of the gate's own). The day of
// the first visit stays in the page's own storage, on the viewer's machine; only "an earlier day than today"
// is sent.
constexpr char const* views_script_text =
    R"js(// Counts this view of the page for its creator, without a cookie and without naming anyone.
(() => {
  const data = document.querySelector('script[type="application/sluice-bundle+json"]');
  let id;
  try {
    id = JSON.parse(data.textContent).bundleId;
  } catch {
    return;
  }
  const today = new Date().toISOString().slice(0, 10);
  let firstVisit = null;
  try {
    firstVisit = localStorage.getItem('sluice-first-visit:' + id);
    if (!firstVisit) localStorage.setItem('sluice-first-visit:' + id, today);
  } catch {
    // Storage refused (a private window): every visit is a first one.
  }
  const body = JSON.stringify({ returning: firstVisit !== null && firstVisit < today, referrer: document.referrer });
  const url = new URL('../v1/bundles/' + encodeURIComponent(id) + '/views', location.href).href;
  if (!navigator.sendBeacon || !navigator.sendBeacon(url, new Blob([body], { type: 'application/json' }))) {
    fetch(url, { method: 'POST', body, headers: { 'Content-Type': 'application/json' }, keepalive: true }).catch(() => {});
  }
})();
)js";

std::string header_or_empty(gate_request const& req, std::string_view name) {
    auto const* value = req.header(name);
    return value ? *value : std::string();
}

} // namespace

gate_response handle_view(gate_context& ctx, gate_request const& req, std::string_view bundle_id) {
    bool returning = false;
    std::string referrer;
    if (auto bad = read_json_body(req.body, [&](nlohmann::json const& v) {
            protocol::strict_object const o(v, "", {"returning", "referrer"});
            returning = o.has("returning") && o.boolean("returning");
            referrer = o.has("referrer") ? o.string("referrer", 0, max_referrer) : std::string();
        })) {
        return *bad;
    }
    std::error_code ec;
    if (!protocol::is_bundle_slug(bundle_id) || !ctx.store.find_bundle(bundle_id, ec)) {
        return ec ? storage_failed(ec)
                  : error_response(404, error_code::bundle_not_found, "no bundle with that id");
    }
    auto const user_agent = header_or_empty(req, "user-agent");
    auto const purpose = header_or_empty(req, "sec-purpose") + header_or_empty(req, "purpose");
    if (!ctx.count_views || is_robot(user_agent, purpose) ||
        ctx.views_per_ip->acquire(req.client_ip, ctx.steady_now()).count() != 0) {
        return no_content();
    }
    auto const day = day_of(ctx.unix_now());
    if (ctx.views_salt.day != day) {
        auto salt = ctx.store.view_salt(day, new_view_salt(), ec);
        if (ec) {
            return storage_failed(ec);
        }
        ctx.views_salt = {day, std::move(salt)};
    }
    ctx.store.record_view({.bundle_id = std::string(bundle_id),
                           .day = day,
                           .visitor = visitor_hash(ctx.views_salt.salt, bundle_id, req.client_ip, user_agent),
                           .returning = returning,
                           .site = referrer_site(referrer, header_or_empty(req, "host"))},
                          ec);
    return ec ? storage_failed(ec) : no_content();
}

gate_response views_script() {
    gate_response res;
    res.content_type = "text/javascript; charset=utf-8";
    res.body = views_script_text;
    res.headers.emplace_back("Cache-Control", "public, max-age=3600");
    return res;
}

} // namespace sluice::gate
