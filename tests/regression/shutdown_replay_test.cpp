// Attack: take a client's lobby down with an old SHUTDOWN. Version 1 obeyed a
// SHUTDOWN of any epoch. Only the epoch the client registered in counts now.
#include "attacker.hpp"

namespace zchat::regression {
namespace {

TEST(ShutdownReplay, AShutdownOfAnotherEpochIsIgnored) {
    zmq::context_t ctx;
    FakeBroker broker(ctx);
    ChildProcess anna(cli_args(broker.rendezvous(), "anna", {"--insecure"}));
    ASSERT_TRUE(broker.welcome(500));
    ASSERT_TRUE(broker.await_subscriber());
    broker.joined(0);
    ASSERT_TRUE(anna.expect("Registered as anna", 5s));
    for (const std::uint64_t epoch : {0ull, 499ull, 501ull})
        broker.publish(protocol::Shutdown{epoch, "replayed"});
    for (int i = 0; i < 5; ++i) {
        broker.beat(0);
        anna.settle(100ms);
    }
    EXPECT_EQ(anna.out().find("unreachable"), std::string::npos) << anna.out();
    broker.publish(protocol::Shutdown{500, "really going"});
    EXPECT_TRUE(anna.expect("the lobby is unreachable: really going", 5s)) << anna.out();
}

}  // namespace
}  // namespace zchat::regression
