// chat-broker as an operator runs it: flags, bind errors, signals.
#include <signal.h>

#include "chat_fixture.hpp"

namespace zchat::e2e {
namespace {

TEST(ChatBroker, HelpListsTheFlags) {
    ChildProcess broker({CHAT_BROKER, "--help"});
    EXPECT_EQ(broker.wait_exit(), 0);
    for (const char* flag : {"--rendezvous", "--lobby", "--log-level", "--timeout", "--rate", "--burst", "--history"})
        EXPECT_NE(broker.out().find(flag), std::string::npos) << flag;
}

TEST(ChatBroker, TakenEndpointIsAOneLineErrorAndExitOne) {
    BrokerProcess first;
    ChildProcess second({CHAT_BROKER, "--rendezvous", first.rendezvous, "--lobby", "tcp://127.0.0.1:*"});
    EXPECT_EQ(second.wait_exit(), 1);
    EXPECT_NE(second.err().find("cannot bind rendezvous endpoint " + first.rendezvous), std::string::npos)
        << second.err();
}

TEST(ChatBroker, BadEndpointSyntaxIsAnError) {
    ChildProcess broker({CHAT_BROKER, "--lobby", "tcp://nowhere"});
    EXPECT_EQ(broker.wait_exit(), 1);
    EXPECT_NE(broker.err().find("tcp://nowhere"), std::string::npos) << broker.err();
}

TEST_F(ChatTest, SigtermTellsTheLobbyAndExitsZero) {
    auto& anna = join("anna");
    broker_->process.signal(SIGTERM);
    EXPECT_EQ(broker_->process.wait_exit(), 0);
    EXPECT_TRUE(anna.expect("the lobby is unreachable: broker stopped (SIGTERM)")) << anna.out();
}

TEST_F(ChatTest, LeavesAreLoggedWithTheReason) {
    auto& anna = join("anna");
    join("bobby");
    anna.write_line("\\quit");
    ASSERT_EQ(anna.wait_exit(), 0);
    users_["bobby"]->signal(SIGKILL);
    EXPECT_TRUE(users_["bobby"]->wait_exit().has_value());
    const auto deadline = std::chrono::steady_clock::now() + 5s;
    while (broker_->process.err().find("leave bobby (disconnected") == std::string::npos &&
           std::chrono::steady_clock::now() < deadline)
        broker_->process.settle(50ms);
    EXPECT_NE(broker_->process.err().find("leave anna (quit"), std::string::npos) << broker_->process.err();
    EXPECT_NE(broker_->process.err().find("leave bobby (disconnected"), std::string::npos) << broker_->process.err();
}

}  // namespace
}  // namespace zchat::e2e
