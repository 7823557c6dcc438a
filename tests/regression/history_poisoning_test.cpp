// Attack: poison the history every newcomer is shown. Fifty lobby texts made
// only of newlines printed 819,254 lines on each newcomer's screen in version
// 1. Now blank text is refused, a text holds at most 100 lines (the broker
// refuses more, the client shows no more), so fifty texts show at most
// fifty times 101 lines.
#include "attacker.hpp"
#include "patterns/limits.hpp"

namespace zchat::regression {
namespace {

TEST(HistoryPoisoning, ANewcomerSeesAtMostTheBoundedLinesPerMessage) {
    BrokerProcess broker({"--insecure"});
    zmq::context_t ctx;
    auto eve = joined_peer(ctx, broker.rendezvous, "eve");
    const std::string newlines(limits::max_text_bytes, '\n');
    const std::string most_lines = "x" + std::string(limits::max_text_lines - 1, '\n');
    for (int i = 0; i < 50; ++i) {
        eve->expect_error(protocol::ErrorCode::bad_message, eve->say(newlines));
        eve->expect_error(protocol::ErrorCode::too_many_lines,
                          eve->say("x" + std::string(1000, '\n') + "x"));
    }
    for (int i = 0; i < 50; ++i) eve->say(most_lines);
    eve->say("the end");

    ChildProcess newcomer(cli_args(broker.rendezvous, "newcomer", {"--insecure"}));
    ASSERT_TRUE(newcomer.expect("[lobby history] eve: the end", 10s)) << newcomer.out();
    const std::string& out = newcomer.settle(300ms);
    const std::size_t lines = count_of(out, "\n");
    EXPECT_LE(lines, 50 * (limits::max_text_lines + 1) + 20) << lines << " lines shown";
}

}  // namespace
}  // namespace zchat::regression
