// broker stats: the counters an operator reads (Broker::stats()), each
// refusal under its own error code.
#include "tests/broker_fixture.hpp"

namespace zchat::broker {
namespace {

using namespace test_support;

std::uint64_t refused(const Stats& s, ErrorCode code) {
    return s.refused_by_code[static_cast<std::size_t>(code)];
}

TEST_F(BrokerTest, EveryRefusalIsCountedUnderItsCode) {
    start();
    auto anna = peer(), bobby = peer(), stranger = peer();
    ASSERT_TRUE(anna.join("anna"));
    ASSERT_TRUE(bobby.join("bobby"));
    anna.expect_error(ErrorCode::bad_message, anna.say("   "));
    anna.expect_error(ErrorCode::too_large, anna.say(std::string(limits::max_text_bytes + 1, 'x')));
    anna.expect_error(ErrorCode::self_fork, anna.fork("anna", some_endpoint, some_token));
    anna.expect_error(ErrorCode::unknown_peer, anna.fork("nobody", some_endpoint, some_token));
    anna.expect_error(ErrorCode::unknown_peer, anna.fork("nobody", some_endpoint, some_token));
    stranger.expect_error(ErrorCode::not_registered, stranger.say("hi"));

    const auto& s = stopped_broker().stats();
    EXPECT_EQ(refused(s, ErrorCode::bad_message), 1u);
    EXPECT_EQ(refused(s, ErrorCode::too_large), 1u);
    EXPECT_EQ(refused(s, ErrorCode::self_fork), 1u);
    EXPECT_EQ(refused(s, ErrorCode::unknown_peer), 2u);
    EXPECT_EQ(refused(s, ErrorCode::not_registered), 1u);
    EXPECT_EQ(refused(s, ErrorCode::busy), 0u);
    EXPECT_EQ(s.refused_by_code[0], 0u);
    std::uint64_t sum = 0;
    for (const auto n : s.refused_by_code) sum += n;
    EXPECT_EQ(sum, s.refused);
    EXPECT_EQ(s.refused, 6u);
}

TEST_F(BrokerTest, DeliveriesAreTextsTimesTheClientsOnline) {
    start();
    auto anna = peer(), bobby = peer();
    ASSERT_TRUE(anna.join("anna"));
    anna.say("alone");
    ASSERT_EQ(lobby_texts(anna, 1).size(), 1u);
    ASSERT_TRUE(bobby.join("bobby"));
    anna.say("together");
    anna.say("still together");
    ASSERT_EQ(lobby_texts(bobby, 2).size(), 2u);

    const auto& s = stopped_broker().stats();
    EXPECT_EQ(s.published, 3u);
    EXPECT_EQ(s.deliveries, 1u + 2u + 2u);
}

}  // namespace
}  // namespace zchat::broker
