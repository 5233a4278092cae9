#include "support/host_client.hpp"

#include "support/bench_main.hpp"
#include "support/child_process.hpp"
#include "support/interrupt.hpp"
#include "support/native_messaging.hpp"

#include <boost/process.hpp>
#include <boost/process/extend.hpp>

#include <csignal>
#include <cstdio>
#include <exception>
#include <unistd.h>

namespace sluice::bench {

namespace bp = boost::process;
using namespace std::chrono_literals;
using std::chrono::milliseconds;
using std::chrono::steady_clock;

host_client::host_client(fs::path const& host_exe, std::string_view config) : box_(config) {
    check_interrupted();
    fs::create_directories(downloads());
    close_on_exec(to_);
    close_on_exec(from_);
    auto const own_group = [](auto&) { ::setpgid(0, 0); };
    started_ = steady_clock::now();
    child_ = bp::child(
        bp::exe = host_exe.string(), bp::std_in<to_, bp::std_out> from_,
        bp::std_err > box_.stderr_file().string(), bp::env["XDG_RUNTIME_DIR"] = box_.runtime_dir().string(),
        bp::env["XDG_DATA_HOME"] = box_.data_home().string(),
        // Where the owner saves when a call names no folder: never the user's own.
        bp::env["XDG_DOWNLOAD_DIR"] = downloads().string(), bp::extend::on_exec_setup = own_group);
    remember_group(child_.id());
    reader_ = std::thread([this] { read_replies(); });
}

host_client::~host_client() {
    auto const failing = std::uncaught_exceptions() > uncaught_at_start_;
    shut_down();
    if (failing) {
        box_.dump_logs();
    }
}

std::uint64_t host_client::send(std::string const& method, nlohmann::json params) {
    auto const id = next_id_++;
    auto const body =
        nlohmann::json{{"jsonrpc", "2.0"}, {"id", id}, {"method", method}, {"params", std::move(params)}}
            .dump();
    write_all(to_, make_frame(body));
    return id;
}

nlohmann::json host_client::wait_result(std::uint64_t id, std::string const& method, milliseconds limit) {
    std::unique_lock lock(mutex_);
    if (!replied_.wait_for(lock, limit, [&] { return replies_.count(id) > 0 || closed_; })) {
        throw bench_error(method + ": no reply from sluice-host within " + std::to_string(limit.count()) +
                          " ms");
    }
    auto const it = replies_.find(id);
    if (it == replies_.end()) {
        throw bench_error(method + ": sluice-host closed its stdout");
    }
    auto reply = std::move(it->second);
    replies_.erase(it);
    if (!reply.contains("result")) {
        throw bench_error(method + " failed: " + reply.dump().substr(0, 400));
    }
    return reply["result"];
}

nlohmann::json host_client::call(std::string const& method, nlohmann::json params, milliseconds limit) {
    return wait_result(send(method, std::move(params)), method, limit);
}

std::string host_client::stream_url(std::string const& info_hash, milliseconds every, milliseconds limit) {
    auto const deadline = steady_clock::now() + limit;
    for (;;) {
        check_interrupted();
        auto const files = call("torrent.files", {{"infoHash", info_hash}});
        if (!files["files"].empty()) {
            return files["files"][0]["streamUrl"].get<std::string>();
        }
        if (steady_clock::now() > deadline) {
            throw bench_error("no metadata for " + info_hash + " after " + std::to_string(limit.count()) +
                              " ms");
        }
        std::this_thread::sleep_for(every);
    }
}

nlohmann::json host_client::status_of(std::string const& info_hash) {
    auto const all = call("torrent.list");
    for (auto const& t : all["torrents"]) {
        if (t["infoHash"] == info_hash) {
            return t;
        }
    }
    throw bench_error("torrent.list does not list " + info_hash + ": " + all.dump().substr(0, 400));
}

pid_t host_client::owner_pid() const {
    auto const owners = box_.owners();
    if (owners.size() != 1) {
        throw bench_error("expected one session owner, found " + std::to_string(owners.size()));
    }
    return owners.front();
}

void host_client::shut_down() {
    if (shut_down_) {
        return;
    }
    shut_down_ = true;
    try {
        to_.close();
        auto const deadline = steady_clock::now() + 10s;
        while (child_.running() && steady_clock::now() < deadline) {
            std::this_thread::sleep_for(5ms);
        }
        if (child_.running()) {
            std::fprintf(stderr, "%s: sluice-host did not exit after its stdin closed; killing it\n",
                         program_name().c_str());
            ::kill(-child_.id(), SIGKILL);
            child_.wait();
        }
    } catch (std::exception const& e) {
        std::fprintf(stderr, "%s: stopping sluice-host: %s\n", program_name().c_str(), e.what());
    }
    forget_group(child_.id());
    if (reader_.joinable()) {
        reader_.join();
    }
    // The owner flushes its resume data and tears the session down; a busy one may need a while.
    box_.wait_for_owners(10s);
}

void host_client::read_replies() {
    std::string body;
    try {
        for (;;) {
            read_frame(from_, body, 64 * 1024 * 1024);
            auto reply = nlohmann::json::parse(body, nullptr, false);
            if (!reply.is_object() || !reply.contains("id") || !reply["id"].is_number_unsigned()) {
                continue;
            }
            // Apart from the assignment: json's operator= takes its operand by value, and C++17 builds that
            // operand before it evaluates the key.
            auto const id = reply["id"].get<std::uint64_t>();
            std::lock_guard lock(mutex_);
            replies_[id] = std::move(reply);
            replied_.notify_all();
        }
    } catch (std::exception const&) {
        // The end of the relay's stdout, at shutdown or because it died: either way no more replies.
    }
    std::lock_guard lock(mutex_);
    closed_ = true;
    replied_.notify_all();
}

} // namespace sluice::bench
