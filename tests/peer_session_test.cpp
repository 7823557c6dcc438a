// peer_session: the token handshake, what is dropped without the token,
// heartbeats when silent, and the liveness bound. Real PAIR sockets over
// loopback; time is passed in, so the bounds are tested without waiting.
#include "client/peer_session.hpp"

#include <gtest/gtest.h>

#include <thread>

#include "patterns/frame.hpp"
#include "patterns/network_socket.hpp"

namespace zchat::client {
namespace {

using namespace std::chrono_literals;
using Clock = PeerSession::Clock;

// The next message SESSION takes within a second of real time; NOW is what it is told.
std::optional<protocol::Message> next(PeerSession& session, Clock::time_point now) {
    for (int i = 0; i < 100; ++i) {
        if (auto m = session.receive(now)) return m;
        std::this_thread::sleep_for(10ms);
    }
    return std::nullopt;
}

class PeerSessionTest : public ::testing::Test {
  protected:
    zmq::context_t ctx_;
    const Clock::time_point t0 = Clock::now();
};

TEST_F(PeerSessionTest, HelloBothWaysOpensBothSides) {
    auto inviter = PeerSession::listen(ctx_, "127.0.0.1", t0, 5s);
    EXPECT_EQ(inviter.token().size(), 32u);
    auto invited = PeerSession::join(ctx_, inviter.endpoint(), inviter.token(), "bobby", t0, 5s);
    const auto hello = next(inviter, t0);
    ASSERT_TRUE(hello && std::holds_alternative<protocol::PeerHello>(*hello));
    EXPECT_EQ(std::get<protocol::PeerHello>(*hello).name, "bobby");
    EXPECT_FALSE(inviter.open());
    inviter.accept("anna");
    EXPECT_TRUE(inviter.open());
    const auto answer = next(invited, t0);
    ASSERT_TRUE(answer && std::holds_alternative<protocol::PeerHello>(*answer));
    invited.opened();
    invited.note("hi anna", 42);
    const auto note = next(inviter, t0);
    ASSERT_TRUE(note && std::holds_alternative<protocol::PeerNote>(*note));
    EXPECT_EQ(std::get<protocol::PeerNote>(*note).text, "hi anna");
    EXPECT_EQ(std::get<protocol::PeerNote>(*note).seq, 1u);
}

TEST_F(PeerSessionTest, WithoutTheTokenAHelloOrLeaveIsDroppedAndNothingElsePassesEarly) {
    auto inviter = PeerSession::listen(ctx_, "127.0.0.1", t0, 5s);
    auto stranger = make_network_socket(ctx_, zmq::socket_type::pair);
    stranger.connect(inviter.endpoint());
    for (const auto& m :
         {protocol::Message{protocol::PeerHello{"wrong", "eve"}},
          protocol::Message{protocol::PeerLeave{"wrong", "go away"}},
          protocol::Message{protocol::PeerNote{1, 1, "too early"}},
          protocol::Message{protocol::PeerLeave{inviter.token(), "now with the token"}}})
        stranger.send(to_frame(m), zmq::send_flags::none);
    const auto got = next(inviter, t0);
    ASSERT_TRUE(got);
    ASSERT_TRUE(std::holds_alternative<protocol::PeerLeave>(*got)) << protocol::kind_name(*got);
    EXPECT_EQ(std::get<protocol::PeerLeave>(*got).reason, "now with the token");
}

TEST_F(PeerSessionTest, APingGoesOutOnlyAfterASecondOfSilence) {
    auto inviter = PeerSession::listen(ctx_, "127.0.0.1", t0, 5s);
    auto invited = PeerSession::join(ctx_, inviter.endpoint(), inviter.token(), "bobby", t0, 5s);
    ASSERT_TRUE(next(inviter, t0));
    inviter.accept("anna");
    ASSERT_TRUE(next(invited, t0));
    invited.opened();
    EXPECT_EQ(inviter.check(t0 + 500ms), std::nullopt);
    EXPECT_EQ(invited.receive(t0 + 500ms), std::nullopt) << "no ping within the second";
    EXPECT_EQ(inviter.check(t0 + 1100ms), std::nullopt);
    const auto ping = next(invited, t0 + 1100ms);
    ASSERT_TRUE(ping);
    EXPECT_TRUE(std::holds_alternative<protocol::PeerPing>(*ping));
}

TEST_F(PeerSessionTest, SilenceBeyondTheTimeoutEndsTheSessionUnlessWeWerePaused) {
    auto inviter = PeerSession::listen(ctx_, "127.0.0.1", t0, 5s);
    EXPECT_EQ(inviter.check(t0 + 4s), std::nullopt);
    EXPECT_EQ(inviter.check(t0 + 6s), "did not answer the private session");
    inviter.forgive(t0 + 6s);
    EXPECT_EQ(inviter.check(t0 + 7s), std::nullopt) << "our own pause is not the peer's silence";
    auto invited = PeerSession::join(ctx_, inviter.endpoint(), inviter.token(), "bobby", t0, 5s);
    ASSERT_TRUE(next(inviter, t0 + 7s));
    inviter.accept("anna");
    EXPECT_EQ(inviter.liveness(t0 + 7s), Liveness::State::alive);
    EXPECT_EQ(inviter.liveness(t0 + 10s), Liveness::State::evasive);
    EXPECT_EQ(inviter.check(t0 + 13s), "is unreachable (no heartbeat)");
}

}  // namespace
}  // namespace zchat::client
