// Attack: flood a user with invitations. 1,497 FORKs from one name pushed the
// version 1 victim to its descriptor limit (each invitation made it dial)
// and printed 451 "did not answer" lines. Now the broker relays at most a
// burst of invitations per asker and per invited user, the victim answers at
// most 8 at once, and says in one line per inviter how many it ignored.
#include "attacker.hpp"
#include "patterns/limits.hpp"

namespace zchat::regression {
namespace {

TEST(ForkFlood, TheVictimsDescriptorsAndScreenStayBounded) {
    BrokerProcess broker({"--insecure"});
    zmq::context_t ctx;
    ChildProcess anna(cli_args(broker.rendezvous, "anna", {"--insecure"}));
    ASSERT_TRUE(anna.expect(">>> anna joined the lobby", 10s));
    anna.settle(500ms);
    const std::size_t fds_before = open_fds(anna.pid());
    auto eve = joined_peer(ctx, broker.rendezvous, "eve");
    std::size_t refused = 0;
    for (int i = 0; i < 1497; ++i) {
        const auto cseq = eve->fork("anna", "tcp://127.0.0.1:" + std::to_string(20000 + i),
                                    "00112233445566778899aabbccddeeff");
        if (auto r = eve->receive(); r && std::holds_alternative<protocol::Error>(*r)) {
            EXPECT_EQ(std::get<protocol::Error>(*r).cseq, cseq);
            ++refused;
        }
    }
    EXPECT_GE(refused, 1497u - limits::default_fork_burst - 10) << "the broker relayed them all";
    std::size_t peak = 0;
    for (int i = 0; i < 20; ++i) {
        eve->keep_alive();
        peak = std::max(peak, open_fds(anna.pid()));
        anna.settle(100ms);
    }
    // Each invitation answered costs a socket: its mailbox and its connection.
    EXPECT_LE(peak, fds_before + 2 * limits::max_pending_invitations + 8)
        << "anna dialled every invitation";
    // Nothing per invitation on anna's screen: at most a summary line or two.
    for (int i = 0; i < 110; ++i) {
        eve->keep_alive();
        anna.settle(100ms);
    }
    EXPECT_LE(count_of(anna.out(), "invitation(s) from eve ignored"), 2u) << anna.out();
    EXPECT_LE(lines_starting(anna.out(), ">>>") + lines_starting(anna.out(), "***"), 6u)
        << anna.out();
    EXPECT_EQ(anna.out().find("did not answer"), std::string::npos) << anna.out();
    anna.write_line("still fine");
    eve->keep_alive();
    EXPECT_TRUE(eve->await_lobby<protocol::LobbyText>());
}

}  // namespace
}  // namespace zchat::regression
