// session_list: numbering, markers, switching and the \ss listing.
#include "client/session_list.hpp"

#include <gtest/gtest.h>

using zchat::client::SessionList;

TEST(SessionList, LobbyIsSessionZeroAndActiveAtStart) {
    SessionList s;
    EXPECT_EQ(s.active(), SessionList::lobby);
    const auto rows = s.rows(true);
    ASSERT_EQ(rows.size(), 2u);
    EXPECT_EQ(rows[1], "*0  lobby");
}

TEST(SessionList, SessionsAreNumberedAndMarked) {
    SessionList s;
    EXPECT_EQ(s.add("bobby", true), 1);
    EXPECT_EQ(s.add("carmen", false), 2);
    const auto rows = s.rows(true);
    EXPECT_EQ(rows[2], " 1  P-> bobby");
    EXPECT_EQ(rows[3], " 2  P~> carmen");
}

TEST(SessionList, SwitchMovesTheStar) {
    SessionList s;
    s.add("bobby", true);
    EXPECT_TRUE(s.switch_to(1));
    EXPECT_EQ(s.rows(true)[2], "*1  P-> bobby");
    EXPECT_FALSE(s.switch_to(7));
    EXPECT_EQ(s.active(), 1);
}

TEST(SessionList, RemovingTheActiveSessionGoesBackToTheLobby) {
    SessionList s;
    const int n = s.add("bobby", false);
    s.switch_to(n);
    s.remove(n);
    EXPECT_EQ(s.active(), SessionList::lobby);
    EXPECT_EQ(s.find(n), nullptr);
}

TEST(SessionList, NumbersAreNotReused) {
    SessionList s;
    const int a = s.add("bobby", true);
    s.remove(a);
    EXPECT_EQ(s.add("bobby", true), a + 1);
}

TEST(SessionList, DownLobbyIsShownDown) {
    SessionList s;
    EXPECT_NE(s.rows(false)[1].find("down"), std::string::npos);
}

TEST(SessionList, FindPeer) {
    SessionList s;
    s.add("bobby", true);
    ASSERT_NE(s.find_peer("bobby"), nullptr);
    EXPECT_EQ(s.find_peer("nobody"), nullptr);
}
