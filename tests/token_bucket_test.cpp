// token_bucket: a burst passes, then the rate rules; time is injected, so the
// tests never sleep.
#include "patterns/token_bucket.hpp"

#include <gtest/gtest.h>

namespace zchat {
namespace {

using namespace std::chrono_literals;
using Clock = TokenBucket::Clock;

const Clock::time_point t0 = Clock::now();

int take_all(TokenBucket& bucket, Clock::time_point now) {
    int taken = 0;
    while (bucket.take(now)) ++taken;
    return taken;
}

TEST(TokenBucket, BurstThenRefusal) {
    TokenBucket bucket(10, 5, t0);
    for (int i = 0; i < 5; ++i) EXPECT_TRUE(bucket.take(t0)) << i;
    EXPECT_FALSE(bucket.take(t0));
    EXPECT_FALSE(bucket.take(t0));
}

TEST(TokenBucket, RefillsAtTheRate) {
    TokenBucket bucket(10, 5, t0);
    take_all(bucket, t0);
    EXPECT_FALSE(bucket.take(t0 + 50ms));  // half a token
    EXPECT_TRUE(bucket.take(t0 + 100ms));
    EXPECT_FALSE(bucket.take(t0 + 100ms));
    EXPECT_EQ(take_all(bucket, t0 + 400ms), 3);
}

TEST(TokenBucket, RefillStopsAtTheBurst) {
    TokenBucket bucket(10, 5, t0);
    take_all(bucket, t0);
    EXPECT_EQ(take_all(bucket, t0 + 1h), 5);
}

TEST(TokenBucket, SustainedRateIsTheRate) {
    TokenBucket bucket(100, 500, t0);
    int taken = take_all(bucket, t0);
    for (int ms = 1; ms <= 10'000; ++ms)
        taken += take_all(bucket, t0 + std::chrono::milliseconds(ms));
    EXPECT_NEAR(taken, 500 + 100 * 10, 1);  // floating-point refill may leave the last token short
}

TEST(TokenBucket, TimeGoingBackwardsAddsNothing) {
    TokenBucket bucket(10, 5, t0);
    take_all(bucket, t0);
    EXPECT_FALSE(bucket.take(t0 - 1s));
    EXPECT_FALSE(bucket.take(t0 + 50ms));
}

TEST(TokenBucket, WaitIsZeroWithATokenThere) {
    TokenBucket bucket(10, 5, t0);
    EXPECT_EQ(bucket.wait(t0), 0ms);
}

TEST(TokenBucket, WaitIsHowLongUntilTheNextToken) {
    TokenBucket bucket(10, 5, t0);
    take_all(bucket, t0);
    const auto empty = bucket.wait(t0);
    EXPECT_GE(empty, 100ms);
    EXPECT_LE(empty, 101ms);
    const auto half = bucket.wait(t0 + 50ms);
    EXPECT_GE(half, 50ms);
    EXPECT_LE(half, 51ms);
    EXPECT_FALSE(bucket.take(t0 + 50ms));
    EXPECT_TRUE(bucket.take(t0 + 50ms + half));
}

// A client pacing itself by wait() is never refused by a broker with the same bucket.
TEST(TokenBucket, PacingByWaitIsNeverRefused) {
    TokenBucket client(100, 5, t0), broker(100, 5, t0);
    Clock::time_point now = t0;
    for (int i = 0; i < 1000; ++i) {
        now += client.wait(now);
        ASSERT_TRUE(client.take(now)) << i;
        ASSERT_TRUE(broker.take(now)) << i;
    }
}

}  // namespace
}  // namespace zchat
