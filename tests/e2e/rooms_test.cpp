// Rooms and the conveniences, as users live them: three real clients join,
// talk, part and list rooms; \me; mentions and the bell; completion on a
// terminal; \ignore; defaults from a config file; rooms back after a restart.
#include <signal.h>

#include <cstdlib>
#include <fstream>
#include <regex>

#include "chat_fixture.hpp"

namespace zchat::e2e {
namespace {

TEST_F(ChatTest, RoomsJoinTalkPartAndList) {
    auto& anna = join("anna");
    auto& bobby = join("bobby");
    auto& carmen = join("carmen");
    anna.write_line("\\join #rust");
    ASSERT_TRUE(anna.expect("you joined #rust (session 1, 1 member(s)")) << anna.out();
    bobby.write_line("\\join #rust");
    ASSERT_TRUE(bobby.expect("you joined #rust")) << bobby.out();
    ASSERT_TRUE(anna.expect(">>> bobby joined #rust"));
    anna.write_line("lifetimes");  // the room is anna's active session now
    EXPECT_TRUE(bobby.expect("[#rust] anna: lifetimes"));
    carmen.write_line("\\rooms");
    EXPECT_TRUE(carmen.expect("Rooms (1): #rust 2"));
    carmen.write_line("\\who #rust");
    EXPECT_TRUE(carmen.expect("Members of #rust (2): anna bobby"));
    carmen.settle(300ms);
    EXPECT_EQ(carmen.out().find("lifetimes"), std::string::npos) << "carmen is not a member";

    anna.write_line("\\ss");
    EXPECT_TRUE(anna.expect("*1  #rust"));
    anna.write_line("\\lob");
    anna.write_line("in the lobby");
    EXPECT_TRUE(carmen.expect("[lobby] anna: in the lobby"));
    bobby.write_line("back in #rust");
    ASSERT_TRUE(anna.expect("[#rust] bobby: back in #rust"));
    anna.write_line("\\ss");
    EXPECT_TRUE(anna.expect(" 1  #rust (1 unread)")) << anna.out();

    bobby.write_line("\\part");
    EXPECT_TRUE(bobby.expect("you left #rust"));
    EXPECT_TRUE(anna.expect(">>> bobby left #rust"));
    anna.write_line("\\sw 1");
    anna.write_line("anyone?");
    bobby.settle(300ms);
    EXPECT_EQ(bobby.out().find("anyone?"), std::string::npos) << "bobby parted";
}

TEST_F(ChatTest, ARoomsHistoryIsReplayedToANewMember) {
    auto& anna = join("anna");
    auto& bobby = join("bobby");
    anna.write_line("\\join #log");
    ASSERT_TRUE(anna.expect("you joined #log"));
    for (int i = 1; i <= 3; ++i) anna.write_line("entry " + std::to_string(i));
    anna.write_line("\\lob");
    anna.write_line("lobby marker");
    ASSERT_TRUE(bobby.expect("[lobby] anna: lobby marker"));
    bobby.write_line("\\join #log");
    ASSERT_TRUE(bobby.expect("you joined #log"));
    const std::string& out = bobby.out();
    const auto first = out.find(
        "[#log history] anna: entry 1\n[#log history] anna: entry 2\n"
        "[#log history] anna: entry 3\n");
    EXPECT_NE(first, std::string::npos) << out;
}

TEST_F(ChatTest, MeMentionsAndIgnore) {
    auto& anna = join("anna");
    auto& bobby = join("bobby");
    anna.write_line("\\me waves");
    EXPECT_TRUE(bobby.expect("[lobby] * anna waves"));
    anna.write_line("hello bobby");
    EXPECT_TRUE(bobby.expect("[lobby] anna: hello bobby")) << "piped output stays as sent";
    bobby.write_line("\\ignore anna");
    ASSERT_TRUE(bobby.expect("ignoring anna"));
    anna.write_line("can you hear me");
    anna.write_line("\\fork bobby");
    EXPECT_TRUE(anna.expect("bobby does not take invitations from you")) << anna.out();
    bobby.write_line("\\ignore #den");  // a room's name, no one's
    EXPECT_TRUE(bobby.expect("no one is called that"));
    bobby.write_line("\\ignore");
    EXPECT_TRUE(bobby.expect("ignored (1): anna"));
    bobby.write_line("\\unignore anna");
    ASSERT_TRUE(bobby.expect("no longer ignoring anna"));
    anna.write_line("now?");
    EXPECT_TRUE(bobby.expect("[lobby] anna: now?"));
    EXPECT_EQ(bobby.out().find("can you hear me"), std::string::npos);
}

TEST_F(ChatTest, OnATerminalTabCompletesAndAMentionElsewhereRingsTheBell) {
    auto& bobby = join("bobby");
    ::unsetenv("NO_COLOR");  // colour shows the mention
    ChildProcess anna(cli_args(broker_->rendezvous, "anna"), ChildProcess::Io::pty);
    ASSERT_TRUE(anna.expect("anna@lobby> ", 10s)) << anna.out() << anna.err();
    ASSERT_TRUE(bobby.expect(">>> anna joined the lobby"));
    anna.write("\\jo\t#den\r");
    ASSERT_TRUE(anna.expect("you joined #den")) << anna.out();
    anna.write("\\users\r");
    ASSERT_TRUE(anna.expect("Users online (2)"));
    anna.write("\\lob\r");
    anna.write("bo\thi there\r");  // a name at the start of a line: "bobby: "
    EXPECT_TRUE(bobby.expect("[lobby] anna: bobby: hi there")) << bobby.out() << anna.out();
    anna.write("\\sw 1\r");
    ASSERT_TRUE(anna.expect("switched to #den"));
    const std::size_t before = anna.out().size();
    bobby.write_line("anna, look");
    ASSERT_TRUE(anna.expect("look"));
    const std::string after = anna.out().substr(before);
    EXPECT_NE(after.find('\a'), std::string::npos) << "no bell for a mention elsewhere";
    EXPECT_NE(after.find("\x1b[7manna\x1b[0m"), std::string::npos) << "the mention stands out";
    bobby.write_line("annabel is not anna's name");
    ASSERT_TRUE(anna.expect("is not"));
    EXPECT_NE(anna.out().find("annabel is not \x1b[7manna\x1b[0m's"), std::string::npos)
        << "only the word itself";
    anna.write("\\quit\r");
    EXPECT_EQ(anna.wait_exit(), 0);
}

TEST_F(ChatTest, TheConfigFileSetsTheDefaults) {
    const std::string dir = test_dir("config");
    std::ofstream(dir + "/chat-cli.toml") << "# anna's defaults\nname = \"confanna\"\n"
                                          << "timestamps = true\nno-bell = true\n";
    auto& bobby = join("bobby");
    ChildProcess anna(cli_args(broker_->rendezvous, "", {"--config", dir + "/chat-cli.toml"}));
    ASSERT_TRUE(anna.expect(">>> confanna joined the lobby", 10s)) << anna.out() << anna.err();
    bobby.write_line("hi confanna");
    ASSERT_TRUE(anna.expect("bobby: hi confanna"));
    static const std::regex stamped("\\d\\d:\\d\\d:\\d\\d \\[lobby\\] bobby: hi");
    EXPECT_TRUE(std::regex_search(anna.out(), stamped)) << anna.out();
}

TEST_F(ChatTest, RoomsComeBackAfterABrokerRestart) {
    start_on_own_ports();
    auto& anna = join("anna");
    auto& bobby = join("bobby");
    for (auto* p : {&anna, &bobby}) {
        p->write_line("\\join #stay");
        ASSERT_TRUE(p->expect("you joined #stay"));
    }
    const std::string rendezvous = broker_->rendezvous, lobby = broker_->lobby;
    broker_->process.signal(SIGKILL);
    ASSERT_TRUE(broker_->process.wait_exit().has_value());
    EXPECT_TRUE(anna.expect("the lobby is unreachable", 6s));
    broker_ = std::make_unique<BrokerProcess>(broker_flags(), rendezvous, lobby);
    EXPECT_TRUE(anna.expect("rejoined the lobby as anna", 10s)) << anna.out();
    EXPECT_TRUE(bobby.expect("rejoined the lobby as bobby", 10s)) << bobby.out();
    // No command: the room is there again, and talking in it works.
    for (int i = 0; i < 50; ++i) {
        anna.write_line("still here " + std::to_string(i));
        if (bobby.expect("[#stay] anna: still here", 200ms)) break;
    }
    EXPECT_NE(bobby.out().find("[#stay] anna: still here"), std::string::npos) << bobby.out();
}

}  // namespace
}  // namespace zchat::e2e
