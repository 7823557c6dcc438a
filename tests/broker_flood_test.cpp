// broker flood control: what is refused, never silently dropped.
#include "tests/broker_fixture.hpp"

namespace zchat::broker {
namespace {

using namespace test_support;

TEST_F(BrokerTest, FloodIsRefusedNotSilentlyDropped) {
    auto options = fast_options();
    options.flood.rate = 1;  // so slow that the time the test takes adds a token or two at most
    options.flood.burst = limits::hello_cost + 20;  // HELLO takes its share of the bucket
    start(options);
    auto anna = peer(), bobby = peer();
    const auto hello = Clock::now();
    ASSERT_TRUE(anna.join("anna"));
    ASSERT_TRUE(bobby.join("bobby"));
    constexpr int sent = 100;
    for (int i = 1; i <= sent; ++i) anna.say(std::to_string(i));
    // An empty frame is refused before the bucket is consulted: its ERROR marks
    // the end of the replies to the flood on anna's DEALER.
    anna.send_frames({""});

    std::set<std::uint64_t> refused;
    for (;;) {
        const auto e = anna.expect<protocol::Error>();
        ASSERT_TRUE(e);
        if (e->code == static_cast<std::uint32_t>(ErrorCode::bad_message)) break;
        EXPECT_EQ(e->code, static_cast<std::uint32_t>(ErrorCode::rate_limited)) << e->reason;
        EXPECT_TRUE(refused.insert(e->cseq).second) << "refused twice: " << e->cseq;
    }
    // Every SAY not refused must be published: nothing silently dropped.
    const auto texts = lobby_texts(bobby, sent - refused.size());
    ASSERT_EQ(texts.size() + refused.size(), static_cast<std::size_t>(sent));
    for (const auto& t : texts) EXPECT_FALSE(refused.contains(std::stoull(t.text))) << t.text;

    // The burst left after HELLO passes, plus a token a second since HELLO.
    const auto earned = static_cast<std::size_t>(
        std::chrono::duration_cast<std::chrono::seconds>(Clock::now() - hello).count() + 1);
    EXPECT_GE(texts.size(), 20u);
    EXPECT_LE(texts.size(), 20u + earned);
    EXPECT_EQ(stopped_broker().stats().rate_limited, refused.size());
    EXPECT_EQ(broker_->stats().published, texts.size());
}

}  // namespace
}  // namespace zchat::broker
