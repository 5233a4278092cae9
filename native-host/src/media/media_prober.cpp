#include "media/media_prober.hpp"

#include "base/log.hpp"

#include <sluice/ffmpeg/tool_child.hpp>

#include <boost/asio/post.hpp>

namespace sluice::media {

namespace {

// ffprobe parses container headers a hostile file can make deep or looping: it gets a little memory and
// CPU, far more than a real file's header needs.
ffmpeg::child_limits probe_limits() {
    ffmpeg::child_limits limits;
    limits.memory_bytes = std::uint64_t{1} << 30;
    limits.cpu_seconds = 20;
    return limits;
}

// ffprobe names its input in its messages: the stream URL, whose token is not for messages people see.
std::string without_url(std::string message, std::string const& url) {
    for (auto at = message.find(url); at != std::string::npos; at = message.find(url, at)) {
        message.replace(at, url.size(), "the file");
    }
    if (message.starts_with("the file: ")) {
        message.erase(0, 10);
    }
    return message;
}

} // namespace

media_prober::media_prober(boost::asio::io_context& io, prober_options options)
    : io_(io), options_(options) {}

void media_prober::probe(key const& file, std::string const& url,
                         std::function<void(probe_outcome const&)> done) {
    if (auto const it = outcomes_.find(file); it != outcomes_.end()) {
        boost::asio::post(io_, [done = std::move(done), outcome = it->second] { done(outcome); });
        return;
    }
    auto& waiters = waiting_[file];
    waiters.push_back(std::move(done));
    if (waiters.size() > 1) {
        return; // its probe is queued or running
    }
    queue_.emplace_back(file, url);
    start_next();
}

void media_prober::keyframe(std::string const& url, ffmpeg::media_info const& info, double seconds,
                            std::function<void(double)> done) {
    auto const tools = ffmpeg::find_tools();
    if (!tools || !info.video) {
        boost::asio::post(io_, [done = std::move(done), seconds] { done(seconds); });
        return;
    }
    ffmpeg::run_tool(
        io_, tools->ffprobe, ffmpeg::keyframe_arguments(url, info, info.video->index, seconds),
        probe_limits(), options_.max_answer_bytes, options_.timeout,
        [done = std::move(done), seconds, info](ffmpeg::tool_result result) {
            auto const at = result.ok ? ffmpeg::read_keyframe(result.output, info) : std::nullopt;
            if (!at) {
                base::log::info("no keyframe found near " + std::to_string(seconds) + " s: " +
                                (result.ok ? std::string("none in ffprobe's answer") : result.error));
            }
            done(at.value_or(seconds));
        });
}

ffmpeg::media_info const* media_prober::known(key const& file) const {
    auto const it = outcomes_.find(file);
    return it == outcomes_.end() ? nullptr : std::get_if<ffmpeg::media_info>(&it->second);
}

void media_prober::forget(std::string const& info_hash) {
    std::erase_if(outcomes_, [&](auto const& entry) { return entry.first.first == info_hash; });
}

void media_prober::start_next() {
    while (running_ < options_.max_running && !queue_.empty()) {
        // Named, not a structured binding: clang does not let the lambda below capture one.
        auto const file = queue_.front().first;
        auto const url = std::move(queue_.front().second);
        queue_.pop_front();
        auto const tools = ffmpeg::find_tools();
        if (!tools) {
            finish(file,
                   probe_failure{protocol::error_code::media_tools_missing,
                                 "ffmpeg and ffprobe are not installed: install them (Debian and Ubuntu: "
                                 "sudo apt install ffmpeg) to play this file here"},
                   false);
            continue;
        }
        ++running_;
        auto const started = std::chrono::steady_clock::now();
        ffmpeg::run_tool(
            io_, tools->ffprobe, ffmpeg::probe_arguments(url), probe_limits(), options_.max_answer_bytes,
            options_.timeout, [this, file, url, started](ffmpeg::tool_result result) {
                --running_;
                auto const ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                                    std::chrono::steady_clock::now() - started)
                                    .count();
                auto const name = file.first + " file " + std::to_string(file.second);
                if (!result.ok) {
                    base::log::info("probe of " + name + " failed after " + std::to_string(ms) +
                                    " ms: " + result.error);
                    // A timeout may be a slow swarm, not the file: asked again next time.
                    bool const keep = result.error.find("longer than") == std::string::npos;
                    finish(
                        file,
                        probe_failure{protocol::error_code::media_unreadable, without_url(result.error, url)},
                        keep);
                } else {
                    std::string error;
                    auto info = ffmpeg::read_probe(result.output, error);
                    base::log::debug("probe of " + name + ": " + std::to_string(ms) + " ms" +
                                     (info ? ", " + info->container : ", " + error));
                    if (info) {
                        finish(file, std::move(*info), true);
                    } else {
                        finish(file, probe_failure{protocol::error_code::media_unreadable, error}, true);
                    }
                }
                start_next();
            });
    }
}

void media_prober::finish(key const& file, probe_outcome outcome, bool keep) {
    if (keep) {
        outcomes_[file] = outcome;
    }
    auto const it = waiting_.find(file);
    if (it == waiting_.end()) {
        return;
    }
    auto waiters = std::move(it->second);
    waiting_.erase(it);
    for (auto& done : waiters) {
        done(outcome);
    }
}

} // namespace sluice::media
