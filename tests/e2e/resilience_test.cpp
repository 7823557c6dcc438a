// Resilience, as users live it: a broker that dies and comes back, late joiners.
#include <signal.h>

#include "chat_fixture.hpp"

namespace zchat::e2e {
namespace {

TEST_F(ChatTest, EveryoneRejoinsARestartedBrokerByThemselves) {
    auto& anna = join("anna");
    auto& bobby = join("bobby");
    const std::string rendezvous = broker_->rendezvous;
    const std::string lobby = broker_->lobby;
    broker_->process.signal(SIGKILL);
    ASSERT_TRUE(broker_->process.wait_exit().has_value());
    EXPECT_TRUE(anna.expect("the lobby is unreachable", 6s)) << anna.out();
    anna.write_line("while down");
    EXPECT_TRUE(anna.expect("message not sent"));
    broker_ = std::make_unique<BrokerProcess>(std::vector<std::string>{"--history", "0"}, rendezvous, lobby);
    EXPECT_TRUE(anna.expect("rejoined the lobby as anna", 10s)) << anna.out();
    EXPECT_TRUE(bobby.expect("rejoined the lobby as bobby", 10s)) << bobby.out();
    ASSERT_TRUE(bobby.expect(">>> anna joined the lobby", 10s) || bobby.out().find("anna joined") != std::string::npos);
    bobby.write_line("\\users");
    EXPECT_TRUE(bobby.expect("Users online (2): anna bobby"));
    anna.write_line("after the restart");
    EXPECT_TRUE(bobby.expect("[lobby] anna: after the restart"));
    EXPECT_EQ(bobby.out().find("missed"), std::string::npos) << "a new epoch is not a gap";
}

class HistoryTest : public ChatTest {
protected:
    std::vector<std::string> broker_flags() override { return {"--history", "3"}; }
};

TEST_F(HistoryTest, LateJoinerSeesTheLastMessagesOnceInOrderThenLive) {
    auto& anna = join("anna");
    for (int i = 1; i <= 5; ++i) anna.write_line("m" + std::to_string(i));
    auto& watcher = join("watcher");
    anna.write_line("marker");
    ASSERT_TRUE(watcher.expect("[lobby] anna: marker"));
    auto& carmen = join("carmen");
    anna.write_line("live");
    ASSERT_TRUE(carmen.expect("[lobby] anna: live"));
    const std::string& out = carmen.out();
    EXPECT_EQ(out.find("m3"), std::string::npos) << out;
    const auto a = out.find("[lobby history] anna: m4\n[lobby history] anna: m5\n");
    const auto b = out.find("[lobby history] anna: marker");
    ASSERT_NE(a, std::string::npos) << out;
    ASSERT_NE(b, std::string::npos) << out;
    EXPECT_LT(a, b);
    EXPECT_LT(b, out.find("[lobby] anna: live"));
    EXPECT_EQ(out.find("anna: marker", b + 30), std::string::npos) << "history and live overlap";
}

TEST_F(ChatTest, FrozenClientReportsAGapOrGetsEverything) {
    auto& anna = join("anna");
    auto& frozen = join("frozen");
    frozen.signal(SIGSTOP);
    for (int i = 0; i < 200; ++i) anna.write_line("flood " + std::to_string(i));
    auto& bobby = join("bobby");
    anna.write_line("done");
    EXPECT_TRUE(bobby.expect("[lobby] anna: done"));
    frozen.signal(SIGCONT);
    ASSERT_TRUE(frozen.expect("[lobby] anna: done", 10s) || frozen.out().find("missed") != std::string::npos);
    const bool all = frozen.out().find("flood 199") != std::string::npos;
    EXPECT_TRUE(all || frozen.out().find("missed") != std::string::npos);
}

}  // namespace
}  // namespace zchat::e2e
