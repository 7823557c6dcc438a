// Attack: reorder another user's screen with bidirectional controls. Version 1
// let U+202A-U+202E and U+2066-U+2069 through its printable filter, so
// "\u202Egnp.exe" showed as "exe.png". They are now shown as U+FFFD.
#include "attacker.hpp"

namespace zchat::regression {
namespace {

TEST(BidiOverride, DirectionControlsAreReplaced) {
    BrokerProcess broker({"--insecure"});
    zmq::context_t ctx;
    ChildProcess anna(cli_args(broker.rendezvous, "anna", {"--insecure"}));
    ASSERT_TRUE(anna.expect(">>> anna joined the lobby", 10s));
    auto eve = joined_peer(ctx, broker.rendezvous, "eve");
    const std::string controls[] = {"\u202A", "\u202B", "\u202C", "\u202D", "\u202E", "\u2066",
                                    "\u2067", "\u2068", "\u2069", "\u200E", "\u200F", "\u061C"};
    std::string text = "file:";
    for (const auto& c : controls) text += c + "x";
    eve->say(text + " gnp.exe");
    ASSERT_TRUE(anna.expect("gnp.exe"));
    for (const auto& c : controls)
        EXPECT_EQ(anna.out().find(c), std::string::npos) << "a direction control was shown";
    EXPECT_GE(count_of(anna.out(), "\xEF\xBF\xBD"), std::size(controls));
}

}  // namespace
}  // namespace zchat::regression
