// Attack: ring a user's terminal bell without end. Every mention in a
// session the user was not looking at rang it, so a stranger's 300 lobby
// lines naming "anna", sent as fast as the broker takes them, rang it 300
// times in a second. Now it rings at most once a bell_interval, however many
// mentions come.
#include "attacker.hpp"

namespace zchat::regression {
namespace {

TEST(BellFlood, AFloodOfMentionsRingsOnceABellIntervalAtMost) {
    BrokerProcess broker({"--insecure"});
    zmq::context_t ctx;
    ChildProcess victim(cli_args(broker.rendezvous, "anna", {"--insecure"}), ChildProcess::Io::pty);
    ASSERT_TRUE(victim.expect("anna@lobby> ", 10s)) << victim.out() << victim.err();
    victim.write("\\join #den\r");
    ASSERT_TRUE(victim.expect("anna@#den> ")) << victim.out();  // the lobby is not shown
    auto eve = joined_peer(ctx, broker.rendezvous, "eve");
    const std::size_t before = victim.out().size();
    const auto start = Clock::now();
    constexpr int mentions = 300;  // within a new client's burst: none refused
    for (int i = 0; i < mentions; ++i) eve->say("anna, look " + std::to_string(i));
    ASSERT_TRUE(victim.expect("look " + std::to_string(mentions - 1), 20s));
    const auto took = Clock::now() - start;
    const auto bells = count_of(victim.out().substr(before), "\a");
    EXPECT_GE(bells, 1u) << "a mention elsewhere still rings";
    EXPECT_LE(bells, 1 + static_cast<std::size_t>(took / limits::bell_interval))
        << mentions << " mentions in " << std::chrono::duration<double>(took).count() << " s";
}

}  // namespace
}  // namespace zchat::regression
