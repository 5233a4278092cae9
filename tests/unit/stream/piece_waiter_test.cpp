// piece_waiter against a table of pieces: what it reads, the deadlines it sets, and how a wait ends.

#include "stream/piece_waiter.hpp"

#include <boost/asio/io_context.hpp>
#include <gtest/gtest.h>

#include <chrono>
#include <map>
#include <set>
#include <utility>
#include <vector>

namespace sluice::stream {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;

// A torrent as a table: the pieces whose hash passed, those on disk, and a record of what was asked.
class fake_pieces final : public piece_source {
public:
    explicit fake_pieces(int count) { verified.resize(count, false); }

    void arrive(int piece) {
        verified.set_bit(lt::piece_index_t(piece));
        on_disk.insert(piece);
    }
    // As the stream server does: every wait for the piece is answered once.
    void announce(int piece, bool ok = true) {
        std::vector<std::function<void(bool)>> ready;
        for (auto it = waits.begin(); it != waits.end();) {
            if (it->second.first == piece) {
                ready.push_back(std::move(it->second.second));
                it = waits.erase(it);
            } else {
                ++it;
            }
        }
        for (auto& r : ready) {
            r(ok);
        }
    }

    std::optional<lt::typed_bitfield<lt::piece_index_t>> verified_pieces() override {
        if (gone) {
            return std::nullopt;
        }
        return verified;
    }
    bool have_piece(int piece) override {
        ++have_piece_calls;
        return on_disk.count(piece) != 0;
    }
    void set_deadline(int piece, int milliseconds) override { deadlines[piece] = milliseconds; }
    void reset_deadlines(int from, int until) override { resets.emplace_back(from, until); }
    void drop_all_deadlines() override {
        deadlines.clear();
        ++epoch;
    }
    std::uint64_t deadline_epoch() override { return epoch; }
    std::uint64_t notify_when_verified(int piece, std::function<void(bool)> ready) override {
        waits[next_ticket] = {piece, std::move(ready)};
        return next_ticket++;
    }
    // Recorded only: a late answer after a cancel must be ignored by the waiter itself.
    void cancel_notify(int piece, std::uint64_t ticket) override { cancelled.emplace_back(piece, ticket); }

    lt::typed_bitfield<lt::piece_index_t> verified;
    std::set<int> on_disk;
    bool gone = false;
    int have_piece_calls = 0;
    std::map<int, int> deadlines;
    std::vector<std::pair<int, int>> resets;
    std::uint64_t epoch = 0;
    std::map<std::uint64_t, std::pair<int, std::function<void(bool)>>> waits;
    std::vector<std::pair<int, std::uint64_t>> cancelled;
    std::uint64_t next_ticket = 7;
};

// 100 pieces of 100 bytes; the file is the whole torrent unless a test says otherwise.
struct waiter_fixture : ::testing::Test {
    asio::io_context io;
    fake_pieces pieces{100};
    piece_waiter waiter{io.get_executor(), pieces};

    void start(file_geometry file = {0, 10'000, 100}, bool complete = false) {
        waiter.start(file, complete, pieces.verified);
    }
};

TEST_F(waiter_fixture, AVerifiedPieceIsAskedAboutUntilItIsOnDisk) {
    pieces.verified.set_bit(lt::piece_index_t(1));
    start();
    EXPECT_FALSE(waiter.have_piece(1));
    EXPECT_EQ(pieces.have_piece_calls, 1);
    pieces.on_disk.insert(1);
    EXPECT_TRUE(waiter.have_piece(1));
    EXPECT_EQ(pieces.have_piece_calls, 2);
    // Remembered: the torrent is not asked again.
    EXPECT_TRUE(waiter.have_piece(1));
    EXPECT_EQ(pieces.have_piece_calls, 2);
    // A piece whose hash has not passed is not there, whatever is on disk, and costs no question.
    pieces.on_disk.insert(0);
    EXPECT_FALSE(waiter.have_piece(0));
    EXPECT_EQ(pieces.have_piece_calls, 2);
}

TEST_F(waiter_fixture, APieceLostAgainIsNoLongerThere) {
    pieces.arrive(4);
    start();
    EXPECT_TRUE(waiter.have_piece(4));
    pieces.verified.clear_bit(lt::piece_index_t(4)); // a recheck
    pieces.on_disk.erase(4);
    ASSERT_TRUE(waiter.refresh());
    EXPECT_FALSE(waiter.have_piece(4));
    // Verified again but not yet written: asked about afresh, not taken from memory.
    pieces.verified.set_bit(lt::piece_index_t(4));
    ASSERT_TRUE(waiter.refresh());
    EXPECT_FALSE(waiter.have_piece(4));
}

TEST_F(waiter_fixture, WithoutABitfieldEveryPieceIsAskedAbout) {
    pieces.verified.clear();
    pieces.on_disk.insert(2);
    start();
    EXPECT_TRUE(waiter.have_piece(2));
    EXPECT_TRUE(waiter.have_piece(2));
    EXPECT_FALSE(waiter.have_piece(3));
    EXPECT_EQ(pieces.have_piece_calls, 3);
}

TEST_F(waiter_fixture, RefreshFailsOnceTheTorrentIsGone) {
    start();
    pieces.arrive(0);
    EXPECT_FALSE(waiter.have_piece(0)); // not until refreshed
    ASSERT_TRUE(waiter.refresh());
    EXPECT_TRUE(waiter.have_piece(0));
    pieces.gone = true;
    EXPECT_FALSE(waiter.refresh());
}

TEST_F(waiter_fixture, ACompleteFileIsReadWithoutQuestionsOrDeadlines) {
    pieces.gone = true;
    start({0, 10'000, 100}, true);
    EXPECT_TRUE(waiter.refresh());
    EXPECT_TRUE(waiter.have_piece(42));
    EXPECT_FALSE(waiter.first_missing(0, 9'999));
    waiter.extend_deadlines(0, 0, 1'000);
    EXPECT_EQ(pieces.have_piece_calls, 0);
    EXPECT_TRUE(pieces.deadlines.empty());
    // A run of a complete file is the cap, not the pieces.
    EXPECT_EQ(waiter.run_end(10, 10'000, 1'234), 1'244u);
    EXPECT_EQ(waiter.run_end(9'000, 10'000, 5'000), 10'000u);
}

TEST_F(waiter_fixture, ARunEndsAtTheFirstPieceNotThere) {
    for (int p : {0, 1, 2, 3, 5}) {
        pieces.arrive(p);
    }
    start();
    EXPECT_EQ(waiter.run_end(50, 10'000, 1'000'000), 400u);
    EXPECT_EQ(waiter.run_end(50, 350, 1'000'000), 350u);
    // Capped at the end of the piece that passes the cap.
    EXPECT_EQ(waiter.run_end(50, 10'000, 120), 200u);
    EXPECT_EQ(waiter.first_missing(0, 399), std::nullopt);
    EXPECT_EQ(waiter.first_missing(150, 599), 4);
}

TEST_F(waiter_fixture, PositionsAreTheFilesWhereverItStartsInTheTorrent) {
    pieces.arrive(2);
    pieces.arrive(3);
    start({250, 1'000, 100});
    EXPECT_EQ(waiter.piece_at(0), 2);
    EXPECT_EQ(waiter.piece_at(49), 2);
    EXPECT_EQ(waiter.piece_at(50), 3);
    EXPECT_EQ(waiter.run_end(0, 1'000, 1'000'000), 150u);
}

TEST_F(waiter_fixture, DeadlinesOpenOnTwoPiecesAndWidenAsTheReaderReadsOn) {
    start();
    waiter.set_request_start(0);
    waiter.extend_deadlines(0, 0, 2'000); // a full window of 20 pieces
    EXPECT_EQ(pieces.deadlines, (std::map<int, int>{{0, 0}, {1, 25}}));
    pieces.deadlines.clear();
    waiter.extend_deadlines(1, 100, 2'000);
    EXPECT_EQ(pieces.deadlines, (std::map<int, int>{{2, 25}, {3, 50}, {4, 75}}));
    EXPECT_TRUE(pieces.resets.empty());
}

TEST_F(waiter_fixture, PiecesAlreadyThereGetNoDeadline) {
    pieces.arrive(1);
    start();
    waiter.set_request_start(0);
    waiter.extend_deadlines(0, 0, 2'000);
    EXPECT_EQ(pieces.deadlines, (std::map<int, int>{{0, 0}}));
}

TEST_F(waiter_fixture, TheWindowStopsAtTheReadAheadAndAtTheFilesEnd) {
    start();
    waiter.set_request_start(0);
    waiter.extend_deadlines(50, 5'000, 2'000);
    ASSERT_EQ(pieces.deadlines.size(), 20u);
    EXPECT_EQ(pieces.deadlines.begin()->first, 50);
    EXPECT_EQ(pieces.deadlines.rbegin()->first, 69);
    EXPECT_EQ(pieces.deadlines.rbegin()->second, 19 * 25);
    pieces.deadlines.clear();
    // Past the old window: it is dropped from the reader on, and the new one ends with the file.
    waiter.extend_deadlines(95, 9'500, 2'000);
    EXPECT_EQ(pieces.resets, (std::vector<std::pair<int, int>>{{95, 70}}));
    ASSERT_EQ(pieces.deadlines.size(), 5u);
    EXPECT_EQ(pieces.deadlines.rbegin()->first, 99);
}

TEST_F(waiter_fixture, ASeekBackDropsTheWindowAhead) {
    start();
    waiter.set_request_start(5'000);
    waiter.extend_deadlines(50, 5'000, 2'000);
    pieces.deadlines.clear();
    waiter.set_request_start(1'000);
    waiter.extend_deadlines(10, 1'000, 2'000);
    // Nothing is there at the new position: every deadline of the torrent went, not only this window's.
    EXPECT_EQ(pieces.epoch, 2u);
    EXPECT_TRUE(pieces.resets.empty());
    EXPECT_EQ(pieces.deadlines, (std::map<int, int>{{10, 0}, {11, 25}}));
    pieces.resets.clear();
    // The end of a response drops what is left in front of the reader, once.
    waiter.clear_deadlines(1'100);
    EXPECT_EQ(pieces.resets, (std::vector<std::pair<int, int>>{{11, 12}}));
    waiter.clear_deadlines(1'100);
    EXPECT_EQ(pieces.resets.size(), 1u);
}

TEST_F(waiter_fixture, ARequestWhereNothingIsYetGoesBeforeEveryOtherReader) {
    start();
    waiter.set_request_start(0);
    waiter.extend_deadlines(0, 0, 2'000);
    waiter.extend_deadlines(1, 100, 2'000);
    EXPECT_EQ(pieces.epoch, 1u);
    EXPECT_EQ(waiter.window(), std::make_pair(0, 5));
    // Another reader seeks where nothing is: this window's deadlines are gone with everyone's. At its next
    // round this reader sets all of it again, from where it reads, after the other reader's.
    pieces.drop_all_deadlines();
    waiter.extend_deadlines(1, 150, 2'000);
    EXPECT_EQ(pieces.deadlines, (std::map<int, int>{{1, 0}, {2, 25}, {3, 50}, {4, 75}}));
    EXPECT_EQ(waiter.epoch(), 2u);
    // Nothing changed since: nothing is set again.
    pieces.deadlines.clear();
    EXPECT_FALSE(waiter.extend_deadlines(1, 160, 2'000));
    EXPECT_TRUE(pieces.deadlines.empty());
}

TEST_F(waiter_fixture, ARequestWherePiecesAreAlreadyLeavesOtherReadersAlone) {
    pieces.arrive(30);
    start();
    waiter.set_request_start(3'000);
    waiter.extend_deadlines(30, 3'000, 2'000);
    EXPECT_EQ(pieces.epoch, 0u);
    EXPECT_EQ(pieces.deadlines, (std::map<int, int>{{31, 25}}));
}

TEST_F(waiter_fixture, AWaitEndsWhenThePieceIsAnnounced) {
    start();
    std::vector<bool> calls;
    waiter.wait(3, [&](bool ok) { calls.push_back(ok); });
    EXPECT_TRUE(waiter.waiting());
    ASSERT_EQ(pieces.waits.size(), 1u);
    EXPECT_EQ(pieces.waits.begin()->second.first, 3);
    pieces.announce(3);
    EXPECT_EQ(calls, std::vector<bool>{true});
    EXPECT_FALSE(waiter.waiting());
    // The later look is called off.
    io.run_for(400ms);
    EXPECT_EQ(calls, std::vector<bool>{true});
    EXPECT_TRUE(pieces.cancelled.empty());
}

TEST_F(waiter_fixture, AWaitEndsInFailureWhenTheTorrentGoes) {
    start();
    std::vector<bool> calls;
    waiter.wait(3, [&](bool ok) { calls.push_back(ok); });
    pieces.announce(3, false);
    EXPECT_EQ(calls, std::vector<bool>{false});
    io.run_for(400ms);
    EXPECT_EQ(calls, std::vector<bool>{false});
}

TEST_F(waiter_fixture, WithoutAnAnnouncementThePieceIsLookedAtAgainAfterAWhile) {
    start();
    std::vector<bool> calls;
    auto const began = std::chrono::steady_clock::now();
    std::chrono::steady_clock::duration waited{};
    waiter.wait(3, [&](bool ok) {
        calls.push_back(ok);
        waited = std::chrono::steady_clock::now() - began;
    });
    io.run_for(2s);
    EXPECT_EQ(calls, std::vector<bool>{true});
    EXPECT_GE(waited, 250ms);
    // The announcement it no longer waits for is called off.
    EXPECT_EQ(pieces.cancelled, (std::vector<std::pair<int, std::uint64_t>>{{3, 7}}));
    EXPECT_FALSE(waiter.waiting());
}

// A piece is announced when its hash passes, a moment before it can be read: the look after that is soon.
TEST_F(waiter_fixture, AfterAnAnnouncementTheNextLookIsSoon) {
    start();
    int calls = 0;
    waiter.wait(3, [&](bool) { ++calls; });
    pieces.announce(3);
    ASSERT_EQ(calls, 1);
    auto const began = std::chrono::steady_clock::now();
    std::chrono::steady_clock::duration waited{};
    waiter.wait(3, [&](bool) {
        ++calls;
        waited = std::chrono::steady_clock::now() - began;
    });
    io.run_for(2s);
    ASSERT_EQ(calls, 2);
    EXPECT_LT(waited, 200ms);
}

TEST_F(waiter_fixture, ACancelledWaitNeverAnswers) {
    start();
    int calls = 0;
    waiter.wait(3, [&](bool) { ++calls; });
    waiter.cancel();
    EXPECT_FALSE(waiter.waiting());
    EXPECT_EQ(pieces.cancelled, (std::vector<std::pair<int, std::uint64_t>>{{3, 7}}));
    pieces.announce(3); // too late
    io.run_for(400ms);
    EXPECT_EQ(calls, 0);
    // Cancelling again has nothing to call off.
    waiter.cancel();
    EXPECT_EQ(pieces.cancelled.size(), 1u);
}

} // namespace
} // namespace sluice::stream
