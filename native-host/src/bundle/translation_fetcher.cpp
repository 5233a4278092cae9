#include "bundle/translation_fetcher.hpp"

#include "base/log.hpp"

#include <sluice/protocol/translation_addon.hpp>

namespace sluice::bundle {

using nlohmann::json;

namespace {

// A gate listing more than this for one bundle is not believed beyond it.
constexpr std::size_t max_listed = 256;

std::string key_of(protocol::bundle_manifest const& m) {
    return m.id + '\n' + std::to_string(m.version);
}

std::string text_member(json const& j, char const* name) {
    auto const it = j.find(name);
    return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

} // namespace

struct translation_fetcher::run {
    protocol::bundle_manifest manifest;
    int under_way = 0;
    bool kept_any = false;
};

translation_fetcher::translation_fetcher(boost::asio::io_context& io, translation_shelf& shelf,
                                         gate_call call, std::chrono::seconds gate_timeout,
                                         std::chrono::seconds every,
                                         std::function<void(std::string const&)> added)
    : io_(io), shelf_(shelf), requests_(io, std::move(call), gate_timeout), every_(every),
      added_(std::move(added)) {}

void translation_fetcher::refresh(protocol::bundle_manifest const& manifest) {
    if (manifest.gate_url.empty()) {
        return;
    }
    auto const now = std::chrono::steady_clock::now();
    auto const key = key_of(manifest);
    if (auto const last = asked_.find(key); last != asked_.end() && now - last->second < every_) {
        return;
    }
    asked_[key] = now;
    auto r = std::make_shared<run>(run{manifest});
    ++r->under_way;
    requests_.read(manifest.gate_url, requests_.request("GET", "v1/bundles/" + manifest.id + "/translations"),
                   [this, r](gate_api::gate_reply reply) {
                       --r->under_way;
                       if (reply.what != gate_api::gate_reply::outcome::answered) {
                           base::log::info("translations of " + r->manifest.id + ": " + reply.message);
                           asked_.erase(key_of(r->manifest)); // asked again next time
                           return;
                       }
                       auto const list = reply.body.find("translations");
                       if (list == reply.body.end() || !list->is_array()) {
                           base::log::warning("translations of " + r->manifest.id +
                                              ": the gate's answer has no list");
                           return;
                       }
                       std::size_t seen = 0;
                       for (auto const& entry : *list) {
                           if (++seen > max_listed || !entry.is_object()) {
                               break;
                           }
                           auto addon = text_member(entry, "addon");
                           auto const submission = text_member(entry, "submissionId");
                           if (addon.empty() || submission.empty() || shelf_.has(r->manifest.id, addon)) {
                               continue;
                           }
                           // Before its track is fetched: an add-on for another bundle, version or key is
                           // not worth a request.
                           auto const checked = protocol::verify_translation_addon(addon, r->manifest);
                           if (!checked) {
                               base::log::warning("translation " + submission + " of " + r->manifest.id +
                                                  " refused: " + checked.detail);
                               continue;
                           }
                           fetch_track(r, submission, std::move(addon));
                       }
                   });
}

void translation_fetcher::fetch_track(std::shared_ptr<run> const& r, std::string const& submission,
                                      std::string addon) {
    if (!protocol::is_submission_id(submission)) {
        base::log::warning("translation of " + r->manifest.id + ": the gate named it oddly; not asked for");
        return;
    }
    auto request = requests_.request("GET", "v1/bundles/" + r->manifest.id + "/translations/" + submission);
    request.max_answer_bytes = gate_api::max_translation_answer_bytes;
    ++r->under_way;
    requests_.read(r->manifest.gate_url, std::move(request),
                   [this, r, submission, addon = std::move(addon)](gate_api::gate_reply reply) {
                       --r->under_way;
                       auto const track = reply.what == gate_api::gate_reply::outcome::answered
                                              ? text_member(reply.body, "track")
                                              : std::string();
                       auto const refused = track.empty()
                                                ? "the gate did not give its track: " + reply.message
                                                : shelf_.keep(r->manifest, addon, track);
                       if (refused.empty()) {
                           base::log::info("translation " + submission + " of " + r->manifest.id + " kept");
                           r->kept_any = true;
                       } else {
                           base::log::warning("translation " + submission + " of " + r->manifest.id +
                                              " refused: " + refused);
                       }
                       if (r->under_way == 0 && r->kept_any) {
                           added_(r->manifest.id);
                       }
                   });
}

} // namespace sluice::bundle
