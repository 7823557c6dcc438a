// broker forks: the rules an invitation passes before it is relayed.
#include "tests/broker_fixture.hpp"

namespace zchat::broker {
namespace {

using namespace test_support;

TEST_F(BrokerTest, ForkToAnUnknownNameIsRefused) {
    start();
    auto anna = peer();
    ASSERT_TRUE(anna.join("anna"));
    anna.expect_error(ErrorCode::unknown_peer, anna.fork("nobody", some_endpoint, some_token));
}

TEST_F(BrokerTest, ForkToOneselfIsRefused) {
    start();
    auto anna = peer();
    ASSERT_TRUE(anna.join("anna"));
    anna.expect_error(ErrorCode::self_fork, anna.fork("anna", some_endpoint, some_token));
}

TEST_F(BrokerTest, ForkRelaysTheInviteAndConfirms) {
    start();
    auto anna = peer(), bobby = peer();
    ASSERT_TRUE(anna.join("anna"));
    ASSERT_TRUE(bobby.join("bobby"));
    const auto cseq = anna.fork("bobby", some_endpoint, some_token);
    const auto invite = bobby.expect<protocol::Invite>();
    ASSERT_TRUE(invite);
    EXPECT_EQ(invite->from, "anna");
    EXPECT_EQ(invite->endpoint, some_endpoint);
    EXPECT_EQ(invite->token, some_token);
    EXPECT_EQ(invite->curve_key, "");
    const auto ok = anna.expect<protocol::ForkOk>();
    ASSERT_TRUE(ok);
    EXPECT_EQ(ok->cseq, cseq);
    EXPECT_EQ(ok->peer, "bobby");
    EXPECT_EQ(ok->curve_key, "");
}

TEST_F(BrokerTest, ForkWithABadEndpointOrTokenIsABadMessage) {
    start();
    auto anna = peer(), bobby = peer();
    ASSERT_TRUE(anna.join("anna"));
    ASSERT_TRUE(bobby.join("bobby"));
    const std::vector<std::pair<std::string, std::string>> bad = {
        {"", some_token},
        {"ipc:///tmp/zchat", some_token},
        {"udp://127.0.0.1:45678", some_token},
        {"tcp:/127.0.0.1:45678", some_token},
        {"tcp://" + std::string(limits::max_endpoint_bytes, 'h'), some_token},
        {some_endpoint, ""},
        {some_endpoint, std::string(limits::max_token_bytes + 1, 't')},
    };
    for (const auto& [endpoint, token] : bad) {
        SCOPED_TRACE(escaped(endpoint) + " " + escaped(token));
        anna.expect_error(ErrorCode::bad_message, anna.fork("bobby", endpoint, token));
    }
    anna.send(protocol::Fork{99, "bobby", some_endpoint, some_token,
                             std::string(limits::max_key_bytes + 1, 'k')});
    anna.expect_error(ErrorCode::bad_message, 99);

    // None of them was relayed: the first thing bobby hears is the valid one,
    // every field of it as long as the limits allow.
    const protocol::Fork longest{
        100, "bobby", "tcp://127.0.0.1:" + std::string(limits::max_endpoint_bytes - 16, '4'),
        std::string(limits::max_token_bytes, 't'), std::string(limits::max_key_bytes, 'k')};
    anna.send(longest);
    const auto invite = bobby.expect<protocol::Invite>();
    ASSERT_TRUE(invite);
    EXPECT_EQ(invite->endpoint, longest.endpoint);
    EXPECT_EQ(invite->token, longest.token);
    // Keys come from what CURVE authenticated, never from the FORK: on a
    // plaintext broker there are none.
    EXPECT_EQ(invite->curve_key, "");
    const auto ok = anna.expect<protocol::ForkOk>();
    ASSERT_TRUE(ok);
    EXPECT_EQ(ok->cseq, 100u);
}

}  // namespace
}  // namespace zchat::broker

namespace zchat::broker {
namespace {

using namespace test_support;

// An invitation makes the invited client dial the endpoint at once: the
// broker relays only endpoints on the asker's own address, so no one can turn
// other users' clients into a port scanner of a third party.
TEST_F(BrokerTest, ForkEndpointMustBeOnTheAskersOwnAddress) {
    start();
    auto anna = peer(), bobby = peer();
    ASSERT_TRUE(anna.join("anna"));
    ASSERT_TRUE(bobby.join("bobby"));
    for (const std::string endpoint :
         {"tcp://10.1.2.3:22", "tcp://localhost:45678", "tcp://127.0.0.2:45678",
          "tcp://[::1]:45678", "tcp://*:45678"}) {
        SCOPED_TRACE(endpoint);
        anna.expect_error(ErrorCode::bad_message, anna.fork("bobby", endpoint, some_token));
    }
    anna.fork("bobby", some_endpoint, some_token);
    const auto invite = bobby.expect<protocol::Invite>();
    ASSERT_TRUE(invite);
    EXPECT_EQ(invite->endpoint, some_endpoint) << "the first relayed is the valid one";
}

TEST_F(BrokerTest, ForkEndpointOnAnyHostOnlyWhenTheOperatorAllowsIt) {
    auto options = fast_options();
    options.any_fork_host = true;
    start(options);
    auto anna = peer(), bobby = peer();
    ASSERT_TRUE(anna.join("anna"));
    ASSERT_TRUE(bobby.join("bobby"));
    anna.fork("bobby", "tcp://10.1.2.3:4567", some_token);
    const auto invite = bobby.expect<protocol::Invite>();
    ASSERT_TRUE(invite);
    EXPECT_EQ(invite->endpoint, "tcp://10.1.2.3:4567");
}

// One asker cannot flood a user with invitations, nor can many askers.
TEST_F(BrokerTest, ForksAreLimitedPerAskerAndPerInvitedUser) {
    start();
    auto anna = peer(), bobby = peer(), carmen = peer(), eve = peer();
    for (auto [p, name] : {std::pair{&anna, "anna"}, std::pair{&bobby, "bobby"},
                           std::pair{&carmen, "carmen"}, std::pair{&eve, "eve"}})
        ASSERT_TRUE(p->join(name));
    std::size_t relayed = 0, limited = 0;
    for (std::size_t i = 0; i < limits::default_fork_burst + 5; ++i) {
        const auto cseq = eve.fork("bobby", some_endpoint, some_token);
        auto reply = eve.receive();
        ASSERT_TRUE(reply);
        if (std::holds_alternative<protocol::ForkOk>(*reply)) {
            ++relayed;
        } else {
            const auto* e = std::get_if<protocol::Error>(&*reply);
            ASSERT_TRUE(e);
            EXPECT_EQ(e->cseq, cseq);
            EXPECT_EQ(e->code, static_cast<std::uint32_t>(ErrorCode::rate_limited)) << e->reason;
            ++limited;
        }
    }
    EXPECT_EQ(relayed, limits::default_fork_burst);
    EXPECT_EQ(limited, 5u);
    // bobby has had his share of invitations: carmen waits too...
    carmen.expect_error(ErrorCode::rate_limited, carmen.fork("bobby", some_endpoint, some_token));
    // ...but may still ask anna, and anna may be asked.
    carmen.fork("anna", some_endpoint, some_token);
    EXPECT_TRUE(anna.expect<protocol::Invite>());
    EXPECT_TRUE(carmen.expect<protocol::ForkOk>());
}

}  // namespace
}  // namespace zchat::broker
