// Attack: make the broker queue the lobby for a reader that never reads.
// Version 1 queued 100,000 messages of up to 16 KiB per subscriber (1.6 GiB);
// one such reader grew it by 647 MiB in 2 s of flood. Now a message is at
// most 4 KiB and 100 lines and the queue 14,000 messages: at most about
// 62 MiB per reader that never reads.
#include "attacker.hpp"
#include "patterns/limits.hpp"

namespace zchat::regression {
namespace {

// What one byte of the broker's own memory shows as in its RSS. Under
// AddressSanitizer every allocation carries a redzone and is rounded up to
// the sanitizer's size classes, and every 8 bytes of heap have a byte of
// shadow: the same queue measures about 1.4 times its plain size (57 MiB
// plain, 80 MiB sanitized, on this machine).
#if defined(__SANITIZE_ADDRESS__)
constexpr double measured_per_byte = 1.5;
#else
constexpr double measured_per_byte = 1.0;
#endif

TEST(FrozenReaderMemory, AReaderThatNeverReadsCostsAtMost64MiB) {
    ::setenv("ASAN_OPTIONS", "quarantine_size_mb=0:allocator_release_to_os_interval_ms=50", 1);
    BrokerProcess broker(
        {"--insecure", "--history", "0", "--rate", "1000000", "--burst", "1000000"});
    ::unsetenv("ASAN_OPTIONS");
    zmq::context_t ctx;
    ProtocolPeer frozen_peer(ctx, broker.rendezvous);
    frozen_peer.queue_at_most(1);
    ASSERT_TRUE(frozen_peer.join("frozen"));  // and never reads again
    auto* frozen = &frozen_peer;
    auto flooder = joined_peer(ctx, broker.rendezvous, "flooder");
    auto reader = joined_peer(ctx, broker.rendezvous, "reader");
    const long before = rss_kb(broker.process.pid());

    // Twice what the frozen reader's queue may hold, each text as large as allowed.
    const std::string text(limits::max_text_bytes, 'f');
    const int texts = 2 * limits::lobby_hwm;
    long peak = before;
    int read = 0;
    for (int i = 0; i < texts; ++i) {
        flooder->say(text);
        frozen->keep_alive();
        // The reader and the flooder keep up, so only the frozen reader's queue can grow.
        while (flooder->next_lobby(0ms)) {
        }
        while (auto m = reader->next_lobby(i % 100 == 99 ? 20ms : 0ms))
            if (std::holds_alternative<protocol::LobbyText>(*m)) ++read;
        if (i % 1000 == 0) peak = std::max(peak, rss_kb(broker.process.pid()));
    }
    const auto until = Clock::now() + 10s;
    while (read < texts && Clock::now() < until) {
        while (flooder->next_lobby(0ms)) {
        }
        if (auto m = reader->next_lobby(100ms);
            m && std::holds_alternative<protocol::LobbyText>(*m))
            ++read;
    }
    peak = std::max(peak, rss_kb(broker.process.pid()));
    EXPECT_EQ(read, texts) << "a reader that keeps up lost texts";
    // 64 MiB for the frozen reader's queue, 16 for everything else in flight.
    EXPECT_LE(peak - before, static_cast<long>((64 * 1024 + 16 * 1024) * measured_per_byte))
        << "the broker grew by " << (peak - before) / 1024 << " MiB for one frozen reader";
    RecordProperty("broker_growth_kb", static_cast<int>(peak - before));
}

}  // namespace
}  // namespace zchat::regression
