// lobby_sequence: gaps counted, duplicates dropped, a new epoch counted from scratch.
#include "client/lobby_sequence.hpp"

#include <gtest/gtest.h>

namespace zchat::client {
namespace {

TEST(LobbySequence, InOrderIsNewsWithoutGaps) {
    LobbySequence s;
    s.start(7, 10);
    for (std::uint64_t seq = 11; seq <= 13; ++seq) {
        const auto seen = s.see(7, seq);
        EXPECT_TRUE(seen.news);
        EXPECT_EQ(seen.missed, 0u);
    }
}

TEST(LobbySequence, AJumpIsAGapOfTheNumbersSkipped) {
    LobbySequence s;
    s.start(7, 10);
    const auto seen = s.see(7, 15);
    EXPECT_TRUE(seen.news);
    EXPECT_EQ(seen.missed, 4u);
    EXPECT_EQ(s.see(7, 16).missed, 0u);
}

TEST(LobbySequence, WhatWasCoveredOrSeenIsADuplicate) {
    LobbySequence s;
    s.start(7, 10);
    EXPECT_FALSE(s.see(7, 9).news);   // history overlapping the live stream
    EXPECT_FALSE(s.see(7, 10).news);  // a live message that beat JOINED
    EXPECT_TRUE(s.see(7, 11).news);
    EXPECT_FALSE(s.see(7, 11).news);
}

TEST(LobbySequence, ANewEpochIsARestartedBrokerNotAGap) {
    LobbySequence s;
    s.start(7, 500);
    const auto seen = s.see(8, 3);
    EXPECT_TRUE(seen.news);
    EXPECT_EQ(seen.missed, 0u);
    EXPECT_EQ(s.epoch(), 8u);
    EXPECT_EQ(s.see(8, 5).missed, 1u);
}

TEST(LobbySequence, ABeatAheadRevealsAGapAtTheTail) {
    LobbySequence s;
    s.start(7, 10);
    EXPECT_EQ(s.beat(7, 10), 0u);
    EXPECT_EQ(s.beat(7, 13), 3u);
    EXPECT_EQ(s.beat(7, 13), 0u) << "reported once";
    EXPECT_FALSE(s.see(7, 12).news);
    EXPECT_EQ(s.beat(9, 100), 0u) << "another epoch's beat says nothing of this one";
}

}  // namespace
}  // namespace zchat::client
