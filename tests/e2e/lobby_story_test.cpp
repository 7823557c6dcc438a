// The lobby, as users live it: registration, names, talk, commands, leaving.
#include <signal.h>

#include <thread>

#include "chat_fixture.hpp"

namespace zchat::e2e {
namespace {

TEST_F(ChatTest, ThreeUsersRegisterOneThroughTheNamePrompt) {
    auto& anna = join("anna");
    auto& bobby = join("bobby");
    ChildProcess carmen(cli_args(broker_->rendezvous, ""));
    ASSERT_TRUE(carmen.expect("$ Welcome to chat!"));
    ASSERT_TRUE(carmen.expect("Please input chat name:"));
    carmen.write_line("carmen");
    ASSERT_TRUE(carmen.expect("Registered as carmen")) << carmen.out();
    EXPECT_TRUE(anna.expect(">>> carmen joined the lobby"));
    bobby.write_line("\\users");
    EXPECT_TRUE(bobby.expect("Users online (3): anna bobby carmen")) << bobby.out();
}

TEST_F(ChatTest, DuplicateNameIsSuffixed) {
    join("dave");
    ChildProcess second(cli_args(broker_->rendezvous, "dave"));
    EXPECT_TRUE(second.expect("Registered as dave_2 (the name dave is taken)")) << second.out();
}

TEST_F(ChatTest, LobbyMessageReachesEveryoneElseOnce) {
    auto& anna = join("anna");
    auto& bobby = join("bobby");
    auto& carmen = join("carmen");
    anna.write_line("hello everyone");
    EXPECT_TRUE(bobby.expect("[lobby] anna: hello everyone"));
    EXPECT_TRUE(carmen.expect("[lobby] anna: hello everyone"));
    bobby.write_line("hi anna");
    EXPECT_TRUE(anna.expect("[lobby] bobby: hi anna"));
    EXPECT_EQ(anna.out().find("hello everyone"), std::string::npos)
        << "echoed to its sender: " << anna.out();
    EXPECT_EQ(bobby.out().find("hello everyone", bobby.out().find("hello everyone") + 1),
              std::string::npos);
}

TEST_F(ChatTest, UnknownCommandIsNeverSent) {
    auto& anna = join("anna");
    auto& bobby = join("bobby");
    anna.write_line("\\frok bobby");
    EXPECT_TRUE(anna.expect("unknown command \\frok"));
    anna.write_line("\\sw abc");
    EXPECT_TRUE(anna.expect("not a session number"));
    anna.write_line("\\fork");
    EXPECT_TRUE(anna.expect("\\fork needs NAME"));
    anna.write_line("marker");
    ASSERT_TRUE(bobby.expect("[lobby] anna: marker"));
    EXPECT_EQ(bobby.out().find("frok"), std::string::npos);
    EXPECT_EQ(bobby.out().find("abc"), std::string::npos);
}

TEST_F(ChatTest, LongAndMultiLineMessagesArriveWhole) {
    auto& anna = join("anna");
    auto& bobby = join("bobby");
    std::string long_line;
    for (int i = 0; long_line.size() < 300; ++i) long_line += "word" + std::to_string(i) + " ";
    anna.write_line(long_line);
    EXPECT_TRUE(bobby.expect("[lobby] anna: " + long_line + "\n"));
    anna.write_line("first line\\");
    anna.write_line("second line");
    EXPECT_TRUE(bobby.expect("[lobby] anna:\n    first line\n    second line\n")) << bobby.out();
    anna.write_line("h\xc3\xa9llo \xe2\x9c\x93 \x1b[31mred");
    EXPECT_TRUE(bobby.expect("[lobby] anna: h\xc3\xa9llo \xe2\x9c\x93 \xef\xbf\xbd[31mred"))
        << "escape not neutralised";
}

TEST_F(ChatTest, SessionsSwitchAndLobbyCommands) {
    auto& anna = join("anna");
    anna.write_line("\\ss");
    EXPECT_TRUE(anna.expect("*0  lobby"));
    anna.write_line("\\sw 5");
    EXPECT_TRUE(anna.expect("no session 5"));
    anna.write_line("\\lob");
    EXPECT_TRUE(anna.expect("back in the lobby"));
    anna.write_line("\\leave");
    EXPECT_TRUE(anna.expect("you are in the lobby"));
    anna.write_line("\\help");
    EXPECT_TRUE(anna.expect("\\fork NAME"));
}

TEST_F(ChatTest, QuitAndEndOfInputExitZeroAndOthersSeeTheLeave) {
    auto& anna = join("anna");
    auto& bobby = join("bobby");
    anna.write_line("\\quit");
    EXPECT_EQ(anna.wait_exit(), 0);
    EXPECT_TRUE(bobby.expect(">>> anna left the lobby (quit)"));
    bobby.close_stdin();
    EXPECT_EQ(bobby.wait_exit(), 0);
}

TEST_F(ChatTest, CtrlCQuitsCleanly) {
    auto& anna = join("anna");
    auto& bobby = join("bobby");
    anna.signal(SIGINT);
    EXPECT_EQ(anna.wait_exit(), 0);
    EXPECT_TRUE(bobby.expect(">>> anna left the lobby (quit)"));
}

TEST(ChatCli, NoBrokerExitsTwoWithAClearMessage) {
    ChildProcess cli(cli_args("tcp://127.0.0.1:9", "anna"));
    EXPECT_EQ(cli.wait_exit(8s), 2);
    EXPECT_NE(cli.err().find("no broker answered at tcp://127.0.0.1:9"), std::string::npos)
        << cli.err();
}

TEST(ChatCli, BadEndpointExitsTwo) {
    ChildProcess cli(cli_args("nonsense", "anna"));
    EXPECT_EQ(cli.wait_exit(), 2);
    EXPECT_NE(cli.err().find("nonsense"), std::string::npos) << cli.err();
}

TEST(ChatCli, HelpExists) {
    ChildProcess cli({CHAT_CLI, "--help"});
    EXPECT_EQ(cli.wait_exit(), 0);
    EXPECT_NE(cli.out().find("--peer-host"), std::string::npos);
}

class PacedChatTest : public ChatTest {
  protected:
    std::vector<std::string> broker_flags() override {
        return {"--history", "0", "--rate", "1000000", "--burst", "1000000"};
    }
};

TEST_F(PacedChatTest, HundredThousandPipedLinesAllArriveInOrder) {
    auto& bobby = join("bobby");
    constexpr int lines = 100000;
    std::string input;
    for (int i = 0; i < lines; ++i) input += "line " + std::to_string(i) + "\n";
    ChildProcess anna(cli_args(broker_->rendezvous, "anna"));
    // chat-cli reads a pipe only as fast as the lobby takes it: feed it from a
    // thread while this one keeps bobby's output flowing.
    std::thread feeder([&] {
        anna.write(input);
        anna.close_stdin();
    });
    const bool arrived = bobby.expect("[lobby] anna: line 99999\n", 60s);
    feeder.join();
    ASSERT_EQ(anna.wait_exit(60s), 0) << anna.err() << anna.out();
    ASSERT_TRUE(arrived) << bobby.out().substr(bobby.out().size() -
                                               std::min<std::size_t>(bobby.out().size(), 600))
                         << bobby.err();
    std::size_t at = 0;
    for (int i = 0; i < lines; ++i) {
        at = bobby.out().find("[lobby] anna: line " + std::to_string(i) + "\n", at);
        ASSERT_NE(at, std::string::npos) << "line " << i << " missing or out of order";
    }
    EXPECT_EQ(bobby.out().find("missed"), std::string::npos);
}

class RateLimitedChatTest : public ChatTest {
  protected:
    std::vector<std::string> broker_flags() override {
        return {"--history", "0", "--rate", "200", "--burst", "50"};
    }
};

TEST_F(RateLimitedChatTest, APipedFileIsPacedToTheRateNotRefused) {
    auto& bobby = join("bobby");
    std::string input;
    for (int i = 0; i < 300; ++i) input += "paced " + std::to_string(i) + "\n";
    ChildProcess anna(cli_args(broker_->rendezvous, "anna"));
    anna.write(input);
    anna.close_stdin();
    EXPECT_EQ(anna.wait_exit(20s), 0);
    EXPECT_TRUE(bobby.expect("[lobby] anna: paced 299\n", 10s));
    EXPECT_EQ(anna.out().find("refused"), std::string::npos) << anna.out();
}

}  // namespace
}  // namespace zchat::e2e
