// broker liveness: who is dropped, when, and with what notice.
#include "tests/broker_fixture.hpp"

namespace zchat::broker {
namespace {

using namespace test_support;

TEST_F(BrokerTest, SilentClientIsDroppedAfterTheTimeout) {
    auto options = fast_options();
    options.client_timeout = 600ms;
    start(options);
    auto anna = peer(), bobby = peer();
    ASSERT_TRUE(anna.join("anna"));
    ASSERT_TRUE(bobby.join("bobby"));
    // From here bobby says nothing; anna PINGs while she waits.
    const auto left = anna.await_lobby<protocol::Notice>(
        [](const protocol::Notice& n) { return n.event == "left" && n.name == "bobby"; },
        options.client_timeout + test::reply_limit);
    ASSERT_TRUE(left);
    EXPECT_GE(Clock::now() - bobby.last_sent(), options.client_timeout);
    EXPECT_TRUE(left->reason.starts_with("timed out")) << left->reason;
    EXPECT_EQ(names_of(anna), std::vector<std::string>{"anna"});
    bobby.expect_error(ErrorCode::not_registered, bobby.users());
}

TEST_F(BrokerTest, ByeLeavesWithReasonQuit) {
    start();
    auto anna = peer(), bobby = peer();
    ASSERT_TRUE(anna.join("anna"));
    ASSERT_TRUE(bobby.join("bobby"));
    bobby.send(protocol::Bye{"done for today"});
    const auto left = anna.await_lobby<protocol::Notice>(
        [](const protocol::Notice& n) { return n.event == "left"; });
    ASSERT_TRUE(left);
    EXPECT_EQ(left->name, "bobby");
    EXPECT_EQ(left->reason, "quit");
    EXPECT_EQ(names_of(anna), std::vector<std::string>{"anna"});
    bobby.expect_error(ErrorCode::not_registered, bobby.users());
}

// A client leaves by its own BYE or its silence, never because a connection
// or a subscription came and went: its SUB closing drops no one.
TEST_F(BrokerTest, ClosedSubDropsNoOne) {
    start();
    auto anna = peer(), bobby = peer();
    ASSERT_TRUE(anna.join("anna"));
    ASSERT_TRUE(bobby.join("bobby"));
    bobby.close_sub();
    const auto until = Clock::now() + 500ms;
    while (Clock::now() < until) {
        bobby.keep_alive();
        auto m = anna.next_lobby(20ms);
        const auto* n = m ? std::get_if<protocol::Notice>(&*m) : nullptr;
        EXPECT_FALSE(n && n->event == "left") << n->name << " left: " << n->reason;
    }
    EXPECT_EQ(names_of(bobby), (std::vector<std::string>{"anna", "bobby"}));
}

// A registration whose ticket never arrives is dropped after the join timeout,
// and the lobby, which never heard of it, hears nothing.
TEST_F(BrokerTest, RegistrationThatNeverJoinsIsDroppedQuietly) {
    auto options = fast_options();
    options.join_timeout = 300ms;
    options.client_timeout = 10s;
    start(options);
    auto anna = peer(), idle = peer();
    ASSERT_TRUE(anna.join("anna"));
    ASSERT_TRUE(idle.hello("idle"));
    const auto until = Clock::now() + options.join_timeout + 500ms;
    while (Clock::now() < until) {
        idle.keep_alive();  // it pings: only the join deadline can drop it
        auto m = anna.next_lobby(20ms);
        const auto* n = m ? std::get_if<protocol::Notice>(&*m) : nullptr;
        EXPECT_FALSE(n && n->name == "idle") << n->event;
    }
    // The PINGs it sent after the drop are refused too: find the USERS refusal.
    const auto cseq = idle.users();
    std::optional<protocol::Error> refusal;
    while (auto e = idle.expect<protocol::Error>())
        if (e->cseq == cseq) {
            refusal = e;
            break;
        }
    ASSERT_TRUE(refusal);
    EXPECT_EQ(refusal->code, static_cast<std::uint32_t>(ErrorCode::not_registered));
    auto again = peer();
    const auto w = again.hello("idle");
    ASSERT_TRUE(w);
    EXPECT_EQ(w->name, "idle") << "the name is free again";
}

TEST_F(BrokerTest, BeatsArriveOnTheLobby) {
    start();
    auto anna = peer();
    ASSERT_TRUE(anna.join("anna"));
    for (int i = 0; i < 2; ++i) {
        const auto beat = anna.await_lobby<protocol::Beat>();
        ASSERT_TRUE(beat);
        EXPECT_EQ(beat->epoch, anna.welcome()->epoch);
        EXPECT_EQ(beat->last_seq, anna.joined()->last_seq + 1) << "anna's own NOTICE joined";
        EXPECT_EQ(beat->broker_id, anna.welcome()->broker_id);
    }
}

TEST_F(BrokerTest, ReplyToAVanishedClientIsNotFatal) {
    start();
    auto anna = peer(), bobby = peer(), carmen = peer();
    ASSERT_TRUE(anna.join("anna"));
    ASSERT_TRUE(bobby.join("bobby"));

    // Racy by nature: the reply to USERS finds the DEALER gone, or just leaving.
    for (int i = 0; i < 20; ++i) {
        auto ghost = peer();
        ASSERT_TRUE(ghost.hello("ghost"));
        ghost.users();
        ghost.dealer().set(zmq::sockopt::linger, 200);  // let USERS out first
        ghost.close_dealer();
    }

    // Deterministic: carmen's SUB keeps her registered while her DEALER is gone,
    // so the INVITE to her is unroutable and the fork is refused as unknown_peer.
    ASSERT_TRUE(carmen.join("carmen"));
    carmen.close_dealer();
    std::optional<protocol::Error> refused;
    const auto deadline = Clock::now() + 1s;  // well inside carmen's timeout
    while (!refused && Clock::now() < deadline) {
        const auto cseq = bobby.fork("carmen", some_endpoint, some_token);
        auto reply = bobby.receive();
        ASSERT_TRUE(reply);
        // FORK_OK comes before the INVITE is relayed; an unroutable INVITE
        // follows it as ERROR for the same request.
        if (std::holds_alternative<protocol::ForkOk>(*reply)) reply = bobby.receive(200ms);
        if (!reply) continue;
        if (auto* e = std::get_if<protocol::Error>(&*reply)) {
            EXPECT_EQ(e->cseq, cseq);
            refused = *e;
        }
    }
    ASSERT_TRUE(refused) << "the broker never noticed carmen's DEALER was gone";
    EXPECT_EQ(refused->code, static_cast<std::uint32_t>(ErrorCode::unknown_peer))
        << refused->reason;

    EXPECT_TRUE(chat_works(anna, bobby));
    EXPECT_GE(stopped_broker().stats().unroutable, 1u);
}

}  // namespace
}  // namespace zchat::broker
