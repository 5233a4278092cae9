#include "sluice-gate/play_handlers.hpp"

#include "sluice-gate/api_error.hpp"
#include "sluice-gate/bundle_lookup.hpp"
#include "sluice-gate/request_body.hpp"
#include "sluice-gate/view_counting.hpp"

#include <sluice/protocol/strict_object.hpp>

#include <algorithm>
#include <set>

namespace sluice::gate {

gate_response handle_plays(gate_context& ctx, gate_request const& req, std::string_view bundle_id) {
    play_report report;
    report.bundle_id = bundle_id;
    if (auto bad = read_json_body(req.body, [&](nlohmann::json const& v) {
            protocol::strict_object const o(v, "", {"version", "items"});
            report.version = o.integer("version", 1, protocol::max_safe_integer);
            for (auto const& entry : o.array("items", 1, max_report_items)) {
                protocol::strict_object const i(entry, "items[]", {"item", "started", "finished"});
                report.items.push_back({i.string("item", 1, 1024), i.integer("started", 0, max_item_plays),
                                        i.integer("finished", 0, max_item_plays)});
            }
        })) {
        return *bad;
    }
    auto const found = lookup_bundle(ctx, bundle_id);
    if (!found.bundle) {
        return found.error;
    }
    // Only what the bundle holds, of a version it has had: a report cannot make up items or versions.
    if (report.version > found.bundle->stored.version) {
        return error_response(422, error_code::invalid_request,
                              "version " + std::to_string(report.version) + " of this bundle is unknown");
    }
    std::set<std::string> named;
    for (auto const& i : report.items) {
        auto const& items = found.bundle->manifest.items;
        if (std::none_of(items.begin(), items.end(), [&](auto const& it) { return it.path == i.item; })) {
            return error_response(422, error_code::invalid_request, "the bundle has no item " + i.item);
        }
        if (!named.insert(i.item).second) {
            return error_response(422, error_code::invalid_request, "item " + i.item + " is named twice");
        }
    }
    if (ctx.plays_per_ip->acquire(req.client_ip, ctx.steady_now()).count() != 0) {
        return no_content();
    }
    report.day = day_of(ctx.unix_now());
    std::error_code ec;
    ctx.store.record_plays(report, ec);
    return ec ? storage_failed(ec) : no_content();
}

} // namespace sluice::gate
