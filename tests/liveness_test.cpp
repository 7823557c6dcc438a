// liveness: two stages, then gone; a heartbeat only when silent; forgiveness
// after our own pause. Time is injected: nothing here waits.
#include "patterns/liveness.hpp"

#include <gtest/gtest.h>

namespace zchat {
namespace {

using namespace std::chrono_literals;
using Clock = Liveness::Clock;
const Clock::time_point t0{};

TEST(Liveness, AliveThenEvasiveThenExpired) {
    Liveness l(2s, 5s, t0);
    EXPECT_EQ(l.state(t0 + 2s), Liveness::State::alive);
    EXPECT_EQ(l.state(t0 + 2001ms), Liveness::State::evasive);
    EXPECT_EQ(l.state(t0 + 5s), Liveness::State::evasive);
    EXPECT_EQ(l.state(t0 + 5001ms), Liveness::State::expired);
    EXPECT_TRUE(l.expired(t0 + 6s));
}

TEST(Liveness, HearingRestartsTheClock) {
    Liveness l(2s, 5s, t0);
    l.heard(t0 + 4s);
    EXPECT_EQ(l.state(t0 + 6s), Liveness::State::alive);
    EXPECT_EQ(l.state(t0 + 9s), Liveness::State::evasive);
    EXPECT_EQ(l.silent_for(t0 + 9s), 5s);
}

TEST(Liveness, ForgivingAfterOurOwnPauseRestartsTheClock) {
    Liveness l(2s, 5s, t0);
    EXPECT_TRUE(l.expired(t0 + 60s));
    l.forgive(t0 + 60s);
    EXPECT_EQ(l.state(t0 + 61s), Liveness::State::alive);
}

TEST(Heartbeat, DueOnlyAfterAPeriodOfOurSilence) {
    Heartbeat h(1s, t0);
    EXPECT_FALSE(h.due(t0 + 999ms));
    EXPECT_TRUE(h.due(t0 + 1s));
    h.sent(t0 + 900ms);  // anything we send counts
    EXPECT_FALSE(h.due(t0 + 1500ms));
    EXPECT_TRUE(h.due(t0 + 1900ms));
    h.set_period(5s);
    EXPECT_FALSE(h.due(t0 + 1900ms));
}

}  // namespace
}  // namespace zchat
