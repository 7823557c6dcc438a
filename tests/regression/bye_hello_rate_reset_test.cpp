// Attack: refill the flood bucket by registering again. Version 1 kept the
// bucket in the registration, so one connection cycling HELLO / 500 SAY / BYE
// published 22,138 lobby texts per second against a nominal 100, and a client
// that never joined could speak unannounced. Buckets now follow the
// connection and its host, HELLO costs tokens, and only the joined speak.
#include "attacker.hpp"

namespace zchat::regression {
namespace {

// Registers and joins on PEER's connection (asking again while HELLO is
// refused), then says N texts as fast as the DEALER takes them, then leaves.
void cycle(ProtocolPeer& peer, int n) {
    const auto deadline = Clock::now() + 5s;
    while (!peer.try_hello("flooder", 200ms))
        if (Clock::now() > deadline) return;
    peer.subscribe();
    if (!peer.await_joined()) return;
    for (int i = 0; i < n; ++i) peer.say("flood " + std::to_string(i));
    peer.send(protocol::Bye{"again"});
}

// Counts the flood as a joined watcher sees it, until it stops for 300 ms.
std::size_t published(ProtocolPeer& watcher) {
    std::size_t texts = 0;
    while (auto m = watcher.next_lobby(300ms))
        if (std::holds_alternative<protocol::LobbyText>(*m)) ++texts;
    return texts;
}

TEST(ByeHelloRateReset, OneConnectionCyclingRegistrationsGetsOneBucket) {
    BrokerProcess broker({"--insecure", "--history", "0"});
    zmq::context_t ctx;
    auto watcher = joined_peer(ctx, broker.rendezvous, "watcher");
    ProtocolPeer flooder(ctx, broker.rendezvous);
    const auto start = Clock::now();
    for (int i = 0; i < 6; ++i) cycle(flooder, 500);
    const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
    const std::size_t texts = published(*watcher);
    // rate x time + burst: 100/s and 500, less what the HELLOs cost.
    EXPECT_LE(static_cast<double>(texts), 100 * (seconds + 1) + 500)
        << texts << " texts in " << seconds << " s";
    EXPECT_GT(texts, 0u);
}

TEST(ByeHelloRateReset, FreshConnectionsShareTheirHostsBucket) {
    BrokerProcess broker({"--insecure", "--history", "0"});
    zmq::context_t ctx;
    auto watcher = joined_peer(ctx, broker.rendezvous, "watcher");
    const auto start = Clock::now();
    for (int i = 0; i < 20; ++i) {
        ProtocolPeer flooder(ctx, broker.rendezvous);
        cycle(flooder, 500);
    }
    const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
    const std::size_t texts = published(*watcher);
    // The host's bucket: ten connections' worth.
    EXPECT_LE(static_cast<double>(texts), 1000 * (seconds + 1) + 5000)
        << texts << " texts in " << seconds << " s";
}

TEST(ByeHelloRateReset, ARegistrationThatNeverJoinedMayNotSpeak) {
    BrokerProcess broker({"--insecure", "--history", "0"});
    zmq::context_t ctx;
    auto watcher = joined_peer(ctx, broker.rendezvous, "watcher");
    ProtocolPeer ghost(ctx, broker.rendezvous);
    ASSERT_TRUE(ghost.hello("ghost"));
    for (int i = 0; i < 10; ++i)
        ghost.expect_error(protocol::ErrorCode::not_joined, ghost.say("unannounced"));
    EXPECT_EQ(published(*watcher), 0u);
}

}  // namespace
}  // namespace zchat::regression
