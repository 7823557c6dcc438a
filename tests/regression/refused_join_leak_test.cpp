// Attack (or a typo): make a \join fail, so the lines typed for the room land
// elsewhere. The client holds what follows a \join until it is answered; it
// used to release those lines to the session that happened to be active when
// the join was refused: the lobby everyone reads, or a private peer. Now the
// texts meant for the room are not sent at all, each with a line saying so.
#include "attacker.hpp"

namespace zchat::regression {
namespace {

TEST(RefusedJoinLeak, LinesMeantForARoomGoNowhereElse) {
    BrokerProcess broker({"--insecure"});
    zmq::context_t ctx;
    ChildProcess anna(cli_args(broker.rendezvous, "anna", {"--insecure"}));
    ASSERT_TRUE(anna.expect(">>> anna joined the lobby", 10s)) << anna.err();
    auto eve = joined_peer(ctx, broker.rendezvous, "eve");
    anna.write_line("\\join ops");  // no '#': the broker refuses the name
    anna.write_line("the db password is hunter2");
    anna.write_line("\\users");  // commands still run
    ASSERT_TRUE(anna.expect("refused by the broker")) << anna.out();
    EXPECT_TRUE(anna.expect("not sent, its room could not be joined")) << anna.out();
    EXPECT_TRUE(anna.expect("Users online (2)")) << anna.out();
    anna.write_line("after the refusal");
    // Every lobby text eve hears up to anna's next line: none is the room's.
    for (;;) {
        const auto m = eve->next_lobby(5s);
        ASSERT_TRUE(m) << "eve never heard anna's next line";
        const auto* t = std::get_if<protocol::LobbyText>(&*m);
        if (!t) continue;
        EXPECT_EQ(t->text.find("hunter2"), std::string::npos)
            << "the room's line reached the lobby";
        if (t->text == "after the refusal") break;
    }
}

}  // namespace
}  // namespace zchat::regression
