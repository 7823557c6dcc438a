// outbox: lobby text (and other requests' share) paced under the broker's
// bucket (less what HELLO took), counted until published back, refusals
// named, nothing kept when the lobby is down.
#include "client/outbox.hpp"

#include <gtest/gtest.h>

#include <vector>

#include "patterns/limits.hpp"

namespace zchat::client {
namespace {

using namespace std::chrono_literals;
using Clock = Outbox::Clock;
const Clock::time_point t0{};

struct Sent {
    std::vector<std::uint64_t> cseqs;
    bool accept = true;
    Outbox::Send fn() {
        return [this](std::uint64_t cseq, const std::string&, const std::string&) {
            if (accept) cseqs.push_back(cseq);
            return accept;
        };
    }
};

TEST(Outbox, PacesUnderTheBrokersBucketLessTheHello) {
    Outbox box(t0);
    box.pace(100, 500, t0);  // 95/s, 250 at once, less HELLO's 50
    for (std::uint64_t i = 1; i <= 1000; ++i) box.push(i, "line");
    Sent sent;
    box.flush(sent.fn(), t0);
    EXPECT_EQ(sent.cseqs.size(), 250u - limits::hello_cost);
    box.flush(sent.fn(), t0 + 1s);
    EXPECT_EQ(sent.cseqs.size(), 250u - limits::hello_cost + 95u);
    for (std::size_t i = 0; i < sent.cseqs.size(); ++i) EXPECT_EQ(sent.cseqs[i], i + 1);
}

// Other requests (IGNORE) take from the same pace as lines.
TEST(Outbox, RequestsThatAreNotTextShareThePace) {
    Outbox box(t0);
    box.pace(100, 500, t0);
    std::size_t spent = 0;
    while (box.spend(t0)) ++spent;
    EXPECT_EQ(spent, 250u - limits::hello_cost);
    box.push(1, "line");
    Sent sent;
    box.flush(sent.fn(), t0);
    EXPECT_TRUE(sent.cseqs.empty()) << "the pace is spent";
    box.flush(sent.fn(), t0 + 1s);
    EXPECT_EQ(sent.cseqs.size(), 1u);
}

TEST(Outbox, PendingCountsUntilPublishedBack) {
    Outbox box(t0);
    box.pace(100, 500, t0);
    box.push(1, "a");
    box.push(2, "b");
    EXPECT_EQ(box.pending(), 2u);
    Sent sent;
    box.flush(sent.fn(), t0);
    EXPECT_EQ(box.queued(), 0u);
    EXPECT_EQ(box.pending(), 2u);
    box.published();
    box.published();
    EXPECT_EQ(box.pending(), 0u);
    box.published();
    EXPECT_EQ(box.pending(), 0u);
}

TEST(Outbox, AFullSocketKeepsTheLineQueued) {
    Outbox box(t0);
    box.pace(100, 500, t0);
    box.push(1, "a");
    Sent sent;
    sent.accept = false;
    box.flush(sent.fn(), t0);
    EXPECT_EQ(box.queued(), 1u);
    sent.accept = true;
    box.flush(sent.fn(), t0);
    EXPECT_EQ(sent.cseqs, std::vector<std::uint64_t>{1});
}

TEST(Outbox, ARefusalNamesTheLineAndEndsItsWait) {
    Outbox box(t0);
    box.pace(100, 500, t0);
    box.push(7, "refused line");
    Sent sent;
    box.flush(sent.fn(), t0);
    EXPECT_EQ(box.refused(7), "refused line");
    EXPECT_EQ(box.pending(), 0u);
    EXPECT_EQ(box.refused(8), "");
}

TEST(Outbox, DroppingAllForgetsQueuedAndUnconfirmed) {
    Outbox box(t0);
    box.pace(1, 2, t0);
    for (std::uint64_t i = 1; i <= 5; ++i) box.push(i, "x");
    Sent sent;
    box.flush(sent.fn(), t0 + 10s);  // a bucket of one: one line sent
    ASSERT_EQ(sent.cseqs.size(), 1u);
    EXPECT_EQ(box.drop_all(), 4u) << "the queued lines";
    EXPECT_EQ(box.pending(), 0u) << "nor is the sent one waited for";
}

}  // namespace
}  // namespace zchat::client
