// lobby_history: the last N texts, oldest first; none when N is 0.
#include "broker/lobby_history.hpp"

#include <gtest/gtest.h>

namespace zchat::broker {
namespace {

protocol::History entry(std::uint64_t seq) { return {seq, seq * 10, "anna", std::to_string(seq)}; }

TEST(LobbyHistory, KeepsTheLastEntriesOldestFirst) {
    LobbyHistory h(3);
    for (std::uint64_t seq = 1; seq <= 5; ++seq) h.add(entry(seq));
    ASSERT_EQ(h.entries().size(), 3u);
    EXPECT_EQ(h.entries()[0].seq, 3u);
    EXPECT_EQ(h.entries()[1].seq, 4u);
    EXPECT_EQ(h.entries()[2].seq, 5u);
    EXPECT_EQ(h.entries()[2].text, "5");
}

TEST(LobbyHistory, FewerThanTheCapacityAreAllKept) {
    LobbyHistory h(50);
    h.add(entry(1));
    h.add(entry(2));
    ASSERT_EQ(h.entries().size(), 2u);
    EXPECT_EQ(h.entries().front().seq, 1u);
}

TEST(LobbyHistory, CapacityZeroKeepsNothing) {
    LobbyHistory h(0);
    h.add(entry(1));
    EXPECT_TRUE(h.entries().empty());
}

}  // namespace
}  // namespace zchat::broker
