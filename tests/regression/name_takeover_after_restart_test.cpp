// Attack: take a name after a broker restart. Without keys, 0.18 s after a
// restart another client took "anna", and the others saw its lines as anna's.
// Names are now bound to keys, in a name store that outlives the broker: a
// stranger asking for "anna" gets anna_2, and anna's key gets anna back.
#include <signal.h>

#include "attacker.hpp"

namespace zchat::regression {
namespace {

TEST(NameTakeoverAfterRestart, TheNameWaitsForItsKey) {
    const std::vector<std::string> flags{"--names-db", e2e::test_dir("names") + "/names.sqlite"};
    const std::vector<std::string> anna_key{"--key-file", e2e::test_dir("anna") + "/client.key"};
    {
        BrokerProcess broker(flags);
        ChildProcess anna(cli_args(broker.rendezvous, "anna", anna_key));
        ASSERT_TRUE(anna.expect(">>> anna joined the lobby", 10s)) << anna.err();
        broker.process.signal(SIGKILL);  // no goodbye, no chance to forget anything
        ASSERT_TRUE(broker.process.wait_exit());
    }
    BrokerProcess broker(flags);
    ChildProcess mallory(cli_args(broker.rendezvous, "anna"));
    EXPECT_TRUE(mallory.expect("Registered as anna_2 (the name anna is taken)", 10s))
        << mallory.out() << mallory.err();
    ChildProcess anna(cli_args(broker.rendezvous, "anna", anna_key));
    EXPECT_TRUE(anna.expect("Registered as anna\n", 10s)) << anna.out() << anna.err();
    anna.write_line("it is me");
    EXPECT_TRUE(mallory.expect("anna: it is me"));
}

}  // namespace
}  // namespace zchat::regression
