// Attack: forge a line by letting the terminal wrap. A text padded to the
// screen's width makes the terminal start its rest at column 0, where it
// reads like a line of its own ("[lobby] alice: ..."). On a terminal the
// client now wraps long lines itself and indents every further row.
#include "attacker.hpp"

namespace zchat::regression {
namespace {

TEST(LineWrapForgery, AWrappedRowNeverStartsAtColumnZero) {
    BrokerProcess broker({"--insecure"});
    zmq::context_t ctx;
    // An 80-column terminal (ChildProcess gives its pty 80 columns).
    ChildProcess anna(cli_args(broker.rendezvous, "anna", {"--insecure"}), ChildProcess::Io::pty);
    ASSERT_TRUE(anna.expect("anna joined the lobby", 10s)) << anna.out();
    auto eve = joined_peer(ctx, broker.rendezvous, "eve");
    // "[lobby] eve: " is 13 columns: pad to 80, then the forgery.
    const std::string forged = "[lobby] alice: pay me";
    eve->say(std::string(80 - 13, '.') + forged);
    ASSERT_TRUE(anna.expect("pay me", 5s)) << anna.out();
    const std::string& out = anna.out();
    const auto at = out.find(forged);
    ASSERT_NE(at, std::string::npos);
    // Whatever precedes the forgery on its row, it is not the start of a row.
    const auto row_start = out.rfind('\n', at);
    EXPECT_NE(row_start + 1, at) << "the forgery starts a row";
    EXPECT_EQ(out.substr(row_start + 1, 4), "    ") << "the wrapped row is not indented";
}

}  // namespace
}  // namespace zchat::regression
