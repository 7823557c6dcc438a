// registration: the handshake's steps, and asking again for the ticket at
// growing, jittered intervals until JOINED. The broker side is an XPUB in the
// test that records what the SUB sends upstream.
#include "patterns/registration.hpp"

#include <gtest/gtest.h>

#include "patterns/network_socket.hpp"

namespace zchat {
namespace {

using namespace std::chrono_literals;
using Step = Registration::Step;
using Clock = Registration::Clock;

protocol::Welcome welcome_to(const std::string& lobby) {
    return {5, "anna", false, lobby, "t/0123", 9, "b", 4096, 100, 100, 500, 1000, 5000};
}

// Subscription messages that reach XPUB within a short real wait.
std::vector<std::string> upstream(zmq::socket_t& xpub) {
    std::vector<std::string> out;
    zmq::pollitem_t item{xpub.handle(), 0, ZMQ_POLLIN, 0};
    while (zmq::poll(&item, 1, 200ms) == 1) {
        zmq::message_t m;
        (void)xpub.recv(m);
        out.push_back(m.to_string());
    }
    return out;
}

TEST(Registration, StepsFollowTheHandshake) {
    Registration r("anna", "t/old");
    EXPECT_EQ(r.hello().name, "anna");
    EXPECT_EQ(r.hello().resume, "t/old");
    EXPECT_EQ(r.on_reply(protocol::Joined{9, 0}), Step::other) << "JOINED before WELCOME";
    EXPECT_EQ(r.on_reply(welcome_to("tcp://127.0.0.1:1")), Step::welcomed);
    EXPECT_EQ(r.stage(), Registration::Stage::subscribing);
    EXPECT_EQ(r.on_reply(welcome_to("tcp://127.0.0.1:1")), Step::other) << "a second WELCOME";
    EXPECT_EQ(r.on_reply(protocol::History{1, 1, "bob", "hi"}), Step::history);
    EXPECT_EQ(r.on_reply(protocol::Joined{9, 7}), Step::joined);
    EXPECT_EQ(r.joined().last_seq, 7u);
    EXPECT_EQ(r.on_reply(protocol::History{1, 1, "bob", "hi"}), Step::other);
}

TEST(Registration, ARefusedHelloIsRefused) {
    Registration r("\\bad");
    EXPECT_EQ(r.on_reply(protocol::Error{3, 4, "a reply to something else"}), Step::other);
    EXPECT_EQ(r.on_reply(protocol::Error{0, 3, "bad name"}), Step::refused);
    EXPECT_EQ(r.stage(), Registration::Stage::refused);
    EXPECT_EQ(r.refusal()->reason, "bad name");
}

TEST(Registration, TheTicketIsAskedForAgainAtGrowingJitteredIntervals) {
    zmq::context_t ctx;
    auto xpub = make_network_socket(ctx, zmq::socket_type::xpub);
    xpub.set(zmq::sockopt::xpub_verbose, 1);
    xpub.bind("tcp://127.0.0.1:*");
    auto sub = make_network_socket(ctx, zmq::socket_type::sub);
    Registration r("anna");
    const auto t0 = Clock::now();
    r.on_reply(welcome_to(bound_endpoint(xpub)));
    r.subscribe(sub, "tcp://127.0.0.1:9", t0);
    EXPECT_EQ(upstream(xpub),
              (std::vector<std::string>{std::string("\x01", 1), std::string("\x01t/0123", 7)}));
    r.tick(sub, t0 + 11ms);  // jitter: never before half the first interval (25 ms)
    EXPECT_TRUE(upstream(xpub).empty());
    r.tick(sub, t0 + 38ms);  // and always by one and a half of it
    EXPECT_EQ(upstream(xpub), (std::vector<std::string>{std::string("\x00t/0123", 7),
                                                        std::string("\x01t/0123", 7)}));
    r.tick(sub, t0 + 38ms + 24ms);  // the interval doubled to 50 ms: not before 25 ms
    EXPECT_TRUE(upstream(xpub).empty());
    r.on_reply(protocol::Joined{9, 0});
    r.tick(sub, t0 + 10s);
    EXPECT_TRUE(upstream(xpub).empty()) << "joined: no more asking";
}

}  // namespace
}  // namespace zchat
