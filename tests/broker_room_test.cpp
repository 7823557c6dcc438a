// broker rooms: each room its own fan-out, for its members only, with its
// own numbering and history; bounded; and the lobby as it was.
#include "tests/broker_fixture.hpp"

namespace zchat::broker {
namespace {

using namespace test_support;

class RoomTest : public BrokerTest {
  protected:
    void SetUp() override {
        BrokerTest::SetUp();
        start();
        for (auto [peer, name] :
             {std::pair{&anna_, "anna"}, {&bobby_, "bobby"}, {&carmen_, "carmen"}}) {
            peer->emplace(clients_, rendezvous_);
            ASSERT_TRUE((*peer)->join(name));
        }
    }
    std::optional<ProtocolPeer> anna_, bobby_, carmen_;
    ProtocolPeer& anna = *anna_;
    ProtocolPeer& bobby = *bobby_;
    ProtocolPeer& carmen = *carmen_;
};

TEST_F(RoomTest, ARoomsTextReachesItsMembersAndNoOneElse) {
    ASSERT_TRUE(anna.join_room("#rust"));
    ASSERT_TRUE(bobby.join_room("#rust"));
    anna.say_room("#rust", "borrow checker");
    const auto t = bobby.await_room<protocol::RoomText>(
        "#rust", [](const auto& t) { return t.text == "borrow checker"; });
    ASSERT_TRUE(t);
    EXPECT_EQ(t->from, "anna");
    EXPECT_EQ(t->room, "#rust");
    EXPECT_TRUE(carmen.hears_nothing_of("", 300ms));
    EXPECT_TRUE(chat_works(anna, carmen)) << "the lobby is as it was";
}

// A member that lost a room's last messages learns of it from the beat.
TEST_F(RoomTest, ARoomBeatsWithItsLastNumberForItsMembersOnly) {
    ASSERT_TRUE(anna.join_room("#rust"));
    ASSERT_TRUE(bobby.join_room("#rust"));
    anna.say_room("#rust", "the last word");
    const auto t = bobby.await_room<protocol::RoomText>("#rust");
    ASSERT_TRUE(t);
    const auto beat = bobby.await_room<protocol::RoomBeat>(
        "#rust", [&](const auto& b) { return b.last_seq == t->seq; },
        limits::heartbeat_interval + limits::quiet_room_beat);
    ASSERT_TRUE(beat);
    EXPECT_EQ(beat->epoch, t->epoch);
    EXPECT_TRUE(carmen.hears_nothing_of("", 2 * limits::heartbeat_interval));
}

// A member whose join never applied was never announced, nor is its part.
TEST_F(RoomTest, AJoinThatNeverAppliedIsNotAnnouncedNorIsItsPart) {
    ASSERT_TRUE(anna.join_room("#rust"));
    bobby.send(protocol::JoinRoom{60, "#rust"});
    ASSERT_TRUE(bobby.expect<protocol::RoomTicket>());
    bobby.send(protocol::PartRoom{61, "#rust"});
    ASSERT_TRUE(bobby.expect<protocol::RoomTicket>());
    ASSERT_TRUE(carmen.join_room("#rust"));
    // Every notice of #rust up to carmen's join: none of bobby.
    EXPECT_TRUE(anna.await_room<protocol::RoomNotice>("#rust", [](const auto& n) {
        EXPECT_NE(n.name, "bobby") << n.event;
        return n.name == "carmen";
    }));
}

// A join still waiting for its ticket when its client resumes is made anew,
// so the room hears "joined" before it can ever hear "left".
TEST_F(RoomTest, AJoinWaitingAtAResumeIsMadeAnewWithItsNotice) {
    ASSERT_TRUE(anna.join_room("#rust"));
    bobby.send(protocol::JoinRoom{60, "#rust"});
    const auto ticket = bobby.expect<protocol::RoomTicket>();  // never applied
    ASSERT_TRUE(ticket);
    auto again = peer();  // bobby on fresh sockets, proving himself
    ASSERT_TRUE(again.hello("bobby", ticket->ticket));
    again.subscribe();
    ASSERT_TRUE(again.await_joined());
    ASSERT_TRUE(again.join_room("#rust"));
    EXPECT_TRUE(anna.await_room<protocol::RoomNotice>(
        "#rust", [](const auto& n) { return n.event == "joined" && n.name == "bobby"; }));
}

TEST_F(RoomTest, ARoomIsNotAPrefixOfAnother) {
    ASSERT_TRUE(anna.join_room("#rust"));
    ASSERT_TRUE(bobby.join_room("#rustaceans"));
    anna.say_room("#rust", "only #rust");
    EXPECT_TRUE(bobby.hears_nothing_of("#rust", 300ms));
}

TEST_F(RoomTest, ASubscriptionToARoomsTopicGetsNothing) {
    ASSERT_TRUE(anna.join_room("#rust"));
    auto lurker = peer();
    lurker.lurk(lobby_, {"", "r/", protocol::room_topic("#rust")});
    carmen.lurk(lobby_, {protocol::room_topic("#rust")});  // registered, not a member
    anna.say_room("#rust", "members only");
    ASSERT_TRUE(anna.await_room<protocol::RoomText>("#rust"));
    EXPECT_FALSE(lurker.next_lobby(300ms));
    EXPECT_FALSE(carmen.next_lobby(300ms));
}

TEST_F(RoomTest, EachRoomHasItsOwnNumberingAndHistory) {
    ASSERT_TRUE(anna.join_room("#a"));
    ASSERT_TRUE(anna.join_room("#b"));
    for (int i = 1; i <= 3; ++i) anna.say_room("#a", "a" + std::to_string(i));
    anna.say_room("#b", "b1");
    ASSERT_TRUE(anna.await_room<protocol::RoomText>("#b"));
    ASSERT_TRUE(bobby.join_room("#a"));
    const auto& history = bobby.room_history();
    ASSERT_EQ(history.size(), 3u);
    for (std::size_t i = 0; i < 3; ++i) {
        EXPECT_EQ(history[i].text, "a" + std::to_string(i + 1));
        EXPECT_EQ(history[i].room, "#a");
        if (i > 0) {
            EXPECT_EQ(history[i].seq, history[i - 1].seq + 1);
        }
    }
    ASSERT_TRUE(bobby.join_room("#b"));
    ASSERT_EQ(bobby.room_history().size(), 1u);
    // #b's own numbering: anna's join notice was 1, her text 2, whatever #a did.
    EXPECT_EQ(bobby.room_history()[0].seq, 2u);
}

TEST_F(RoomTest, APartStopsTheRoomAndIsAnnounced) {
    ASSERT_TRUE(anna.join_room("#rust"));
    ASSERT_TRUE(bobby.join_room("#rust"));
    const auto cseq = bobby.say_room("#nope", "not a member");
    bobby.expect_error(protocol::ErrorCode::not_in_room, cseq);
    bobby.send(protocol::PartRoom{50, "#rust"});
    ASSERT_TRUE(bobby.expect<protocol::RoomTicket>());
    const auto left = anna.await_room<protocol::RoomNotice>(
        "#rust", [](const auto& n) { return n.event == "left" && n.name == "bobby"; });
    ASSERT_TRUE(left);
    EXPECT_EQ(left->reason, "part");
    bobby.expect_error(protocol::ErrorCode::not_in_room, bobby.say_room("#rust", "gone"));
}

// A part and a join before the ticket applies: the last change wins, and
// the member hears the room (both in one grant once left it deaf).
TEST_F(RoomTest, APartThenAJoinBeforeTheTicketLeavesAMemberThatHears) {
    ASSERT_TRUE(anna.join_room("#rust"));
    ASSERT_TRUE(bobby.join_room("#rust"));
    bobby.send(protocol::PartRoom{50, "#rust"});
    ASSERT_TRUE(bobby.join_room("#rust"));
    anna.say_room("#rust", "still here?");
    EXPECT_TRUE(bobby.await_room<protocol::RoomText>(
        "#rust", [](const auto& t) { return t.text == "still here?"; }));
}

// Refusals name a room only if it is a room's name: a long or hostile field
// is never echoed back (a 64 KiB WHO made a 196 KiB reply).
TEST_F(RoomTest, RefusalsDoNotEchoWhatIsNotARoomsName) {
    const std::string junk(60000, '\x01');
    anna.send(protocol::Who{1, junk});
    anna.send(protocol::PartRoom{2, junk});
    anna.send(protocol::SayRoom{3, junk, "hi"});
    anna.fork(junk, some_endpoint, some_token);
    for (int i = 0; i < 4; ++i) {
        const auto e = anna.expect<protocol::Error>();
        ASSERT_TRUE(e);
        EXPECT_LT(e->reason.size(), 200u) << e->reason.substr(0, 80);
    }
}

TEST_F(RoomTest, RoomsAndWhoListMembers) {
    ASSERT_TRUE(anna.join_room("#rust"));
    ASSERT_TRUE(bobby.join_room("#rust"));
    ASSERT_TRUE(carmen.join_room("#go"));
    carmen.send(protocol::Rooms{7});
    const auto rooms = carmen.expect<protocol::RoomList>();
    ASSERT_TRUE(rooms);
    EXPECT_EQ(rooms->count, 2u);
    EXPECT_EQ(rooms->rooms, (std::vector<std::string>{"#go 1", "#rust 2"}));
    carmen.send(protocol::Who{8, "#rust"});
    const auto who = carmen.expect<protocol::UserList>();
    ASSERT_TRUE(who);
    EXPECT_EQ(who->cseq, 8u);
    EXPECT_EQ(who->names, (std::vector<std::string>{"anna", "bobby"}));
    carmen.send(protocol::Who{9, "#nowhere"});
    carmen.expect_error(protocol::ErrorCode::not_in_room, 9);
}

TEST_F(RoomTest, BadRoomNamesAreRefused) {
    std::uint64_t cseq = 100;
    const std::vector<std::string> bad_names{
        "rust",         "#", "#two words", "#" + std::string(33, 'x'), std::string("#nul\0x", 6),
        "#\\cmd\x1b[2J"};
    for (const auto& bad : bad_names) {
        anna.send(protocol::JoinRoom{++cseq, bad});
        anna.expect_error(protocol::ErrorCode::bad_name, cseq);
    }
    ASSERT_TRUE(anna.join_room("#" + std::string(32, 'x')));
}

TEST_F(RoomTest, AMemberThatLeavesTheBrokerLeavesItsRooms) {
    ASSERT_TRUE(anna.join_room("#rust"));
    ASSERT_TRUE(bobby.join_room("#rust"));
    bobby.send(protocol::Bye{"quit"});
    const auto left = anna.await_room<protocol::RoomNotice>(
        "#rust", [](const auto& n) { return n.event == "left"; });
    ASSERT_TRUE(left);
    EXPECT_EQ(left->name, "bobby");
    EXPECT_EQ(left->reason, "quit");
}

TEST_F(RoomTest, AnIgnoredUsersInvitationsAreNotRelayed) {
    bobby.send(protocol::Ignore{1, "anna", true});
    bobby.users();  // ordered after IGNORE on bobby's connection
    ASSERT_TRUE(bobby.expect<protocol::UserList>());
    const auto cseq = anna.fork("bobby", some_endpoint, some_token);
    const auto e = anna.expect_error(protocol::ErrorCode::unknown_peer, cseq);
    ASSERT_TRUE(e);
    EXPECT_NE(e->reason.find("does not take invitations from you"), std::string::npos);
    bobby.send(protocol::Ignore{2, "anna", false});
    bobby.users();
    ASSERT_TRUE(bobby.expect<protocol::UserList>());
    anna.fork("bobby", some_endpoint, some_token);
    EXPECT_TRUE(anna.expect<protocol::ForkOk>());
}

class RoomLimitTest : public BrokerTest {};

TEST_F(RoomLimitTest, AClientIsInAtMostAHundredRooms) {
    auto o = fast_options();
    o.flood.rate = o.flood.burst = 100000;  // the limit under test is the rooms'
    start(o);
    auto anna = peer();
    ASSERT_TRUE(anna.join("anna"));
    for (std::size_t i = 0; i < limits::max_rooms_per_client; ++i)
        ASSERT_TRUE(anna.join_room("#r" + std::to_string(i))) << i;
    anna.send(protocol::JoinRoom{999, "#one-more"});
    anna.expect_error(protocol::ErrorCode::too_many_rooms, 999);
}

}  // namespace
}  // namespace zchat::broker
