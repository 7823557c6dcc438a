// Attack: grow the broker with subscriptions. A SUB that never registered sent
// 11.4 MiB of subscriptions and grew version 1 by 375 MiB (the XPUB's
// subscription trie), and the memory stayed after it left. A subscription is
// now never applied; libzmq keeps a connection's own subscriptions only while
// the connection lives, and one over 256 bytes closes it.
#include "attacker.hpp"

namespace zchat::regression {
namespace {

TEST(SubscriptionFloodMemory, AStrangersSubscriptionsCostNothingOnceItLeaves) {
    // Sanitizer builds: measure freed memory as freed, and handed back to the OS.
    ::setenv("ASAN_OPTIONS", "quarantine_size_mb=0:allocator_release_to_os_interval_ms=50", 1);
    BrokerProcess broker({"--insecure", "--history", "0"});
    ::unsetenv("ASAN_OPTIONS");
    zmq::context_t ctx;
    auto anna = joined_peer(ctx, broker.rendezvous, "anna");
    auto bobby = joined_peer(ctx, broker.rendezvous, "bobby");
    const long before = rss_kb(broker.process.pid());

    constexpr std::size_t topic_bytes = 200;
    constexpr std::size_t total = 12 * 1024 * 1024;
    {
        auto lurker = make_network_socket(ctx, zmq::socket_type::sub);
        lurker.set(zmq::sockopt::linger, 2000);  // every subscription goes out before it closes
        lurker.connect(broker.lobby);
        std::string topic(topic_bytes, 'x');
        for (std::size_t sent = 0, i = 0; sent < total; sent += topic_bytes, ++i) {
            std::snprintf(topic.data(), 17, "%016zx", i);  // each topic new
            lurker.set(zmq::sockopt::subscribe, topic);
        }
        // An oversize subscription: libzmq closes the connection for it.
        lurker.set(zmq::sockopt::subscribe, std::string(1000, 'o'));
        std::this_thread::sleep_for(1s);
    }
    // Let the broker see the connection go and free what libzmq kept for it.
    const auto until = Clock::now() + 3s;
    while (Clock::now() < until) {
        anna->keep_alive();
        bobby->keep_alive();
        std::this_thread::sleep_for(50ms);
    }
    const long after = rss_kb(broker.process.pid());
    EXPECT_LE(after, before + 16 * 1024)
        << "RSS " << before << " kB before, " << after << " kB after the stranger left";
    anna->say("still serving");
    const auto t = bobby->await_lobby<protocol::LobbyText>();
    ASSERT_TRUE(t);
    EXPECT_EQ(t->text, "still serving");
}

}  // namespace
}  // namespace zchat::regression
