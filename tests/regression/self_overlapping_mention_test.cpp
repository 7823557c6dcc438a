// Attack: freeze a user whose name overlaps itself. For a name like "ha-ha",
// every "ha-ha" in "ha-ha-ha-..." counted as a mention, and each match after
// the first re-appended the rest of the line: one 4 KiB lobby line became
// megabytes on the victim's terminal. Now each mention is marked once and
// the line shown is about as long as the line sent.
#include "attacker.hpp"

namespace zchat::regression {
namespace {

TEST(SelfOverlappingMention, ALineOfTheNameRepeatedStaysItsOwnSize) {
    BrokerProcess broker({"--insecure"});
    zmq::context_t ctx;
    ::unsetenv("NO_COLOR");  // highlighting is on only in colour on a terminal
    ChildProcess victim(cli_args(broker.rendezvous, "ha-ha", {"--insecure"}),
                        ChildProcess::Io::pty);
    ASSERT_TRUE(victim.expect("ha-ha@lobby> ", 10s)) << victim.out() << victim.err();
    auto eve = joined_peer(ctx, broker.rendezvous, "eve");
    std::string text;
    while (text.size() + 3 < 4000) text += "ha-";
    text += "end";
    const std::size_t before = victim.out().size();
    eve->say(text);
    ASSERT_TRUE(victim.expect("-end", 10s));
    victim.settle(200ms);
    const std::size_t shown = victim.out().size() - before;
    EXPECT_LT(shown, 4 * text.size()) << "one line of " << text.size() << " bytes took " << shown;
    EXPECT_NE(victim.out().find("\x1b[7mha-ha\x1b[0m"), std::string::npos) << "still marked";
}

}  // namespace
}  // namespace zchat::regression
