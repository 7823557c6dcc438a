// Attack: flood a client that cannot join. Version 1 buffered up to 100,000
// live lobby messages while it waited for JOINED (one grew from 8 to 499 MiB).
// A broker that welcomes a client, never sends JOINED and floods the lobby now
// costs the client at most early_lobby_messages texts.
#include "attacker.hpp"
#include "patterns/limits.hpp"

namespace zchat::regression {
namespace {

TEST(UnjoinableClientMemory, AClientWaitingForJoinedHoldsASmallBuffer) {
    zmq::context_t ctx;
    FakeBroker broker(ctx);
    ::setenv("ASAN_OPTIONS", "quarantine_size_mb=0", 1);  // measure freed memory as freed
    ChildProcess anna(cli_args(broker.rendezvous(), "anna", {"--insecure"}));
    ::unsetenv("ASAN_OPTIONS");
    ASSERT_TRUE(broker.welcome(1234));
    ASSERT_TRUE(broker.await_subscriber());
    std::this_thread::sleep_for(200ms);
    const long before = rss_kb(anna.pid());
    const std::string text(limits::max_text_bytes, 'u');
    for (std::uint64_t seq = 1; seq <= 40000; ++seq) {
        broker.publish(protocol::LobbyText{1234, seq, 1, 9, "eve", text});
        if (seq % 2000 == 0) std::this_thread::sleep_for(20ms);  // let the client read
    }
    anna.settle(1s);
    const long after = rss_kb(anna.pid());
    EXPECT_LE(after - before, 32 * 1024) << "chat-cli grew by " << (after - before) / 1024
                                         << " MiB waiting for a JOINED that never came";
    EXPECT_EQ(anna.out().find("uuuu"), std::string::npos) << "shown before JOINED";
}

}  // namespace
}  // namespace zchat::regression
