#include "sluice-gate/bundle_handlers.hpp"

#include "sluice-gate/api_error.hpp"
#include "sluice-gate/bundle_lookup.hpp"
#include "sluice-gate/campaigns.hpp"
#include "sluice-gate/landing_page.hpp"

#include <sluice/protocol/untrusted_json.hpp>

#include <nlohmann/json.hpp>

namespace sluice::gate {

gate_response handle_bundle_status(gate_context& ctx, std::string_view id) {
    auto found = lookup_bundle(ctx, id);
    if (!found.bundle) {
        return found.error;
    }
    auto const& m = found.bundle->manifest;
    nlohmann::json body{
        {"bundleId", m.id},
        {"version", m.version},
        {"title", m.title},
        {"gates", protocol::to_json(m.gates)},
    };
    if (m.gates.pledge) {
        std::error_code ec;
        auto progress = campaign_progress(ctx.store, m.gates.pledge->campaign_id, ctx.unix_now(), ec);
        if (ec) {
            return storage_failed(ec);
        }
        body["campaign"] = progress ? std::move(*progress) : nlohmann::json(nullptr);
    }
    return json_response(protocol::dump_compact(body));
}

gate_response handle_landing_page(gate_context& ctx, std::string_view id) {
    auto found = lookup_bundle(ctx, id);
    if (!found.bundle) {
        return found.error;
    }
    std::optional<campaign_standing> standing;
    if (auto const& pledge = found.bundle->manifest.gates.pledge) {
        std::error_code ec;
        auto const progress = campaign_progress(ctx.store, pledge->campaign_id, ctx.unix_now(), ec);
        if (ec) {
            return storage_failed(ec);
        }
        if (progress) {
            standing = campaign_standing{progress->at("state").get<std::string>(),
                                         progress->at("backers").get<std::uint64_t>(),
                                         progress->at("amount").get<std::uint64_t>()};
        }
    }
    gate_response res;
    res.content_type = "text/html; charset=utf-8";
    res.body = render_landing_page(found.bundle->manifest, found.bundle->stored.magnet, ctx.public_url,
                                   standing, ctx.count_views);
    // The page runs at most one script, the gate's own count of views (view_handlers.hpp), and may send only
    // to the gate; its other script element is data.
    res.headers.emplace_back("Content-Security-Policy",
                             ctx.count_views ? "default-src 'none'; img-src 'self'; style-src 'self'; "
                                               "script-src 'self'; connect-src 'self'"
                                             : "default-src 'none'; img-src 'self'; style-src 'self'");
    return res;
}

} // namespace sluice::gate
