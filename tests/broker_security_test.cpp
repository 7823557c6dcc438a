// broker security: a CURVE broker in process, with real CURVE peers. Who may
// talk to it, who may hear the lobby, and names bound to keys.
#include <filesystem>

#include "tests/broker_fixture.hpp"

namespace zchat::broker {
namespace {

using namespace test_support;
using test::PeerCurve;

class CurveBrokerTest : public BrokerTest {
  protected:
    CurveBrokerTest() : broker_keys_(generate_curve_keys()) {}

    Options curve_options(const std::string& names_db = ":memory:") {
        Options o = fast_options();
        o.curve = Security{broker_keys_, names_db, std::chrono::hours{1}, ""};
        return o;
    }
    // A peer with KEYS (fresh ones by default) that trusts this broker's key.
    ProtocolPeer peer_with(CurveKeys keys = generate_curve_keys()) {
        return ProtocolPeer(clients_, rendezvous_, PeerCurve{keys, broker_keys_.public_z85});
    }

    CurveKeys broker_keys_;
};

// A broker of its own, for a test that restarts one: a context, a loop and a
// thread that all end with it.
struct RunningBroker {
    explicit RunningBroker(Options o) : broker(ctx, loop, std::move(o)) {
        thread = std::thread([this] { loop.run(); });
    }
    ~RunningBroker() {
        loop.stop();
        thread.join();
    }
    zmq::context_t ctx;
    EventLoop loop;
    Broker broker;
    std::thread thread;
};

TEST_F(CurveBrokerTest, PeersWithTheBrokersKeyRegisterAndChat) {
    start(curve_options());
    auto anna = peer_with();
    auto bob = peer_with();
    ASSERT_TRUE(anna.join("anna"));
    ASSERT_TRUE(bob.join("bob"));
    EXPECT_TRUE(chat_works(anna, bob));
}

TEST_F(CurveBrokerTest, APlaintextPeerOrAWrongBrokerKeyGetsNoAnswer) {
    start(curve_options());
    auto plain = peer();
    plain.send(protocol::Hello{"plain", ""});
    EXPECT_FALSE(plain.receive(500ms));
    ProtocolPeer wrong(clients_, rendezvous_,
                       PeerCurve{generate_curve_keys(), generate_curve_keys().public_z85});
    wrong.send(protocol::Hello{"wrong", ""});
    EXPECT_FALSE(wrong.receive(500ms));
    EXPECT_EQ(stopped_broker().registered(), 0u);
}

TEST_F(CurveBrokerTest, AKeyRegistersOnceAtATime) {
    start(curve_options());
    const auto keys = generate_curve_keys();
    auto first = peer_with(keys);
    ASSERT_TRUE(first.join("anna"));
    auto second = peer_with(keys);
    second.send(protocol::Hello{"other", ""});
    const auto e = second.expect_error(protocol::ErrorCode::key_in_use, 0);
    ASSERT_TRUE(e);
    EXPECT_NE(e->reason.find("anna"), std::string::npos) << e->reason;
    EXPECT_EQ(stopped_broker().registered(), 1u);
}

TEST_F(CurveBrokerTest, ANameHeldByAKeyGoesToNoOtherKeyWhileItIsAway) {
    start(curve_options());
    const auto anna_keys = generate_curve_keys();
    {
        auto anna = peer_with(anna_keys);
        ASSERT_TRUE(anna.join("anna"));
        anna.send(protocol::Bye{"quit"});
        anna.await_lobby<protocol::Notice>([](auto& n) { return n.event == "left"; });
    }
    auto stranger = peer_with();
    const auto w = stranger.hello("anna");
    ASSERT_TRUE(w);
    EXPECT_EQ(w->name, "anna_2");
    EXPECT_TRUE(w->renamed);
    auto anna = peer_with(anna_keys);
    const auto back = anna.hello("anna");
    ASSERT_TRUE(back);
    EXPECT_EQ(back->name, "anna");
}

TEST_F(CurveBrokerTest, NamesGoBackToTheirKeysAfterARestart) {
    std::string tmpl = "/tmp/zchat-broker-names-XXXXXX";
    const std::string dir = ::mkdtemp(tmpl.data());
    const auto options = curve_options(dir + "/names.sqlite");
    const auto anna_keys = generate_curve_keys();
    {
        RunningBroker first(options);
        rendezvous_ = first.broker.rendezvous_endpoint();
        auto anna = peer_with(anna_keys);
        ASSERT_TRUE(anna.hello("anna"));
    }
    RunningBroker second(options);
    rendezvous_ = second.broker.rendezvous_endpoint();
    auto stranger = peer_with();
    const auto taken = stranger.hello("anna");
    ASSERT_TRUE(taken);
    EXPECT_EQ(taken->name, "anna_2");
    auto anna = peer_with(anna_keys);
    const auto back = anna.hello("anna");
    ASSERT_TRUE(back);
    EXPECT_EQ(back->name, "anna");
    std::filesystem::remove_all(dir);
}

TEST_F(CurveBrokerTest, OnlyRegisteredKeysHearTheLobbyAndATicketOnlyWorksForItsKey) {
    start(curve_options());
    auto anna = peer_with();
    auto bob = peer_with();
    ASSERT_TRUE(anna.join("anna"));
    ASSERT_TRUE(bob.join("bob"));
    // A stranger's key is refused at the lobby's handshake, whatever it subscribes to.
    auto lurker = peer_with();
    lurker.lurk(lobby_, {"", "lobby", anna.welcome()->ticket});
    // A registered key holding another client's ticket gets nothing either.
    auto thief = peer_with();
    ASSERT_TRUE(thief.hello("thief"));
    thief.lurk(lobby_, {anna.welcome()->ticket});
    EXPECT_TRUE(chat_works(anna, bob));
    anna.say("for members only");
    EXPECT_TRUE(bob.await_lobby<protocol::LobbyText>(
        [](const auto& t) { return t.text == "for members only"; }));
    EXPECT_FALSE(lurker.next_lobby(300ms));
    EXPECT_FALSE(thief.next_lobby(300ms));
}

TEST_F(CurveBrokerTest, AForkCarriesTheKeysCurveAuthenticatedNotTheOnesClaimed) {
    start(curve_options());
    const auto anna_keys = generate_curve_keys(), bob_keys = generate_curve_keys();
    auto anna = peer_with(anna_keys);
    auto bob = peer_with(bob_keys);
    ASSERT_TRUE(anna.join("anna"));
    ASSERT_TRUE(bob.join("bob"));
    const std::string forged = generate_curve_keys().public_z85;
    anna.send(protocol::Fork{7, "bob", some_endpoint, some_token, forged});
    const auto ok = anna.expect<protocol::ForkOk>();
    ASSERT_TRUE(ok);
    EXPECT_EQ(ok->curve_key, bob_keys.public_z85);
    const auto invite = bob.expect<protocol::Invite>();
    ASSERT_TRUE(invite);
    EXPECT_EQ(invite->curve_key, anna_keys.public_z85);
}

}  // namespace
}  // namespace zchat::broker
