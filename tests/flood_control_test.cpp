// flood_control: buckets per connection, per host, overall for HELLO, and per
// fork asker and invited user; a full bucket is forgotten. Time is injected.
#include "broker/flood_control.hpp"

#include <gtest/gtest.h>

namespace zchat::broker {
namespace {

using namespace std::chrono_literals;
using Verdict = FloodControl::Verdict;
const FloodControl::Clock::time_point t0{};

FloodLimits small() {
    FloodLimits l;
    l.rate = 10;
    l.burst = 100;
    l.host_factor = 2;
    l.hello_rate = 1;
    l.hello_burst = 3;
    l.fork_rate = 1;
    l.fork_burst = 2;
    return l;
}

TEST(FloodControl, AConnectionGetsItsBurstThenItsRate) {
    FloodControl f(small(), t0);
    for (int i = 0; i < 100; ++i) ASSERT_EQ(f.take("c1", "h", 1, t0), Verdict::ok) << i;
    EXPECT_EQ(f.take("c1", "h", 1, t0), Verdict::connection);
    EXPECT_EQ(f.take("c1", "h", 1, t0 + 100ms), Verdict::ok);
    EXPECT_EQ(f.take("c2", "h", 1, t0 + 100ms), Verdict::ok) << "another connection";
}

TEST(FloodControl, AHostGetsItsFactorOfConnections) {
    FloodControl f(small(), t0);
    int passed = 0;
    for (int c = 0; c < 5; ++c)
        for (int i = 0; i < 100; ++i)
            if (f.take("c" + std::to_string(c), "h", 1, t0) == Verdict::ok) ++passed;
    EXPECT_EQ(passed, 200) << "two connections' worth";
    EXPECT_EQ(f.take("c9", "other", 1, t0), Verdict::ok) << "another host";
}

TEST(FloodControl, HelloCostsTokensAndIsLimitedOverall) {
    FloodControl f(small(), t0);
    EXPECT_EQ(f.take_hello("a", "h1", t0), Verdict::ok);
    EXPECT_EQ(f.take_hello("b", "h2", t0), Verdict::ok);
    EXPECT_EQ(f.take_hello("c", "h3", t0), Verdict::ok);
    EXPECT_EQ(f.take_hello("d", "h4", t0), Verdict::overall);
    EXPECT_EQ(f.take_hello("d", "h4", t0 + 1s), Verdict::ok);
    // The HELLO took its cost from connection a: 100 - 50 left.
    int left = 0;
    while (f.take("a", "h1", 1, t0) == Verdict::ok) ++left;
    EXPECT_EQ(left, 100 - static_cast<int>(limits::hello_cost));
}

TEST(FloodControl, HelloNeverCostsMoreThanAFullBucket) {
    FloodLimits l = small();
    l.burst = 20;
    FloodControl f(l, t0);
    EXPECT_EQ(f.take_hello("a", "h", t0), Verdict::ok);
    EXPECT_EQ(f.take("a", "h", 1, t0), Verdict::connection);
}

TEST(FloodControl, ForksAreLimitedPerAskerAndPerInvited) {
    FloodControl f(small(), t0);
    EXPECT_TRUE(f.take_fork("eve", "anna", t0));
    EXPECT_TRUE(f.take_fork("eve", "bobby", t0));
    EXPECT_FALSE(f.take_fork("eve", "carmen", t0)) << "eve's burst is spent";
    EXPECT_TRUE(f.take_fork("dave", "anna", t0));
    EXPECT_FALSE(f.take_fork("frank", "anna", t0)) << "anna's burst is spent";
    EXPECT_TRUE(f.take_fork("eve", "carmen", t0 + 1s));
}

TEST(FloodControl, RefilledBucketsAreForgotten) {
    FloodControl f(small(), t0);
    f.take("c1", "h", 50, t0);
    f.take_fork("eve", "anna", t0);
    EXPECT_GT(f.tracked(), 0u);
    f.forget_refilled(t0 + 1s);
    EXPECT_GT(f.tracked(), 0u) << "not yet full";
    f.forget_refilled(t0 + 60s);
    EXPECT_EQ(f.tracked(), 0u);
}

}  // namespace
}  // namespace zchat::broker
