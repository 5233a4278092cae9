#include "stream/plain_run.hpp"

#include "base/log.hpp"

#include <boost/asio/post.hpp>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <limits>

namespace sluice::stream {

namespace {

// What the parts of one run share; the last part to finish hands the run on.
struct run_job {
    std::shared_ptr<bundle::locked_reader const> reader;
    std::string path;
    std::function<void(std::shared_ptr<plain_run>)> done;
    std::shared_ptr<plain_run> run;
    std::uint64_t until = 0;
    std::atomic<int> parts_left{0};
    std::atomic<std::uint64_t> first_bad_chunk{std::numeric_limits<std::uint64_t>::max()};
};

void note_bad_chunk(run_job& job, std::uint64_t chunk) {
    auto seen = job.first_bad_chunk.load();
    while (chunk < seen && !job.first_bad_chunk.compare_exchange_weak(seen, chunk)) {
    }
}

// Chunks [first, last] of the run: a chunk wholly inside it is opened in place, a partial one (the run's
// first or last) through a buffer of its own.
void decrypt_chunks(run_job& job, std::uint64_t first, std::uint64_t last) {
    auto const& header = job.reader->header();
    auto& run = *job.run;
    std::string sealed;
    std::vector<unsigned char> partial;
    for (auto chunk = first; chunk <= last; ++chunk) {
        if (chunk > job.first_bad_chunk.load(std::memory_order_relaxed)) {
            return; // nothing after a bad chunk is sent
        }
        auto const chunk_at = chunk * header.chunk_size;
        auto const chunk_plain = header.chunk_plain_size(chunk);
        auto const lo = std::max(run.at, chunk_at);
        auto const hi = std::min(job.until, chunk_at + chunk_plain);
        auto* const place = run.data.get() + (lo - run.at);
        std::error_code ec;
        if (lo == chunk_at && hi == chunk_at + chunk_plain) {
            job.reader->read_chunk_into(chunk, {place, static_cast<std::size_t>(chunk_plain)}, sealed, ec);
        } else {
            partial.resize(static_cast<std::size_t>(chunk_plain));
            job.reader->read_chunk_into(chunk, partial, sealed, ec);
            if (!ec) {
                std::memcpy(place, partial.data() + (lo - chunk_at), static_cast<std::size_t>(hi - lo));
            }
        }
        if (ec) {
            base::log::warning("chunk " + std::to_string(chunk) + " of " + job.path + " does not decrypt (" +
                               ec.message() + "); the response ends here");
            note_bad_chunk(job, chunk);
            return;
        }
    }
}

void finish(run_job& job) {
    auto const bad = job.first_bad_chunk.load();
    if (bad != std::numeric_limits<std::uint64_t>::max()) {
        auto const good_until = std::max(job.run->at, bad * job.reader->header().chunk_size);
        job.run->size = static_cast<std::size_t>(good_until - job.run->at);
        job.run->ends_short = true;
    }
    job.done(std::move(job.run));
}

} // namespace

void decrypt_run(boost::asio::thread_pool::executor_type pool, int parts,
                 std::shared_ptr<bundle::locked_reader const> reader, std::uint64_t at, std::uint64_t until,
                 std::unique_ptr<unsigned char[]> buffer, std::string path,
                 std::function<void(std::shared_ptr<plain_run>)> done) {
    if (until <= at) {
        auto empty = std::make_shared<plain_run>();
        empty->at = at;
        empty->data = std::move(buffer);
        empty->ends_short = true;
        boost::asio::post(pool, [done = std::move(done), empty] { done(empty); });
        return;
    }
    auto job = std::make_shared<run_job>();
    auto const chunk_size = reader->header().chunk_size;
    job->run = std::make_shared<plain_run>();
    job->run->at = at;
    job->run->size = static_cast<std::size_t>(until - at);
    job->run->data = std::move(buffer);
    job->reader = std::move(reader);
    job->path = std::move(path);
    job->done = std::move(done);
    job->until = until;
    auto const first = at / chunk_size;
    auto const last = (until - 1) / chunk_size;
    auto const chunks = last - first + 1;
    auto const count = std::clamp<std::uint64_t>(static_cast<std::uint64_t>(std::max(parts, 1)), 1, chunks);
    job->parts_left = static_cast<int>(count);
    for (std::uint64_t part = 0; part < count; ++part) {
        auto const from = first + chunks * part / count;
        auto const to = first + chunks * (part + 1) / count - 1;
        boost::asio::post(pool, [job, from, to] {
            decrypt_chunks(*job, from, to);
            if (job->parts_left.fetch_sub(1) == 1) {
                finish(*job);
            }
        });
    }
}

} // namespace sluice::stream
