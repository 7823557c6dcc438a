// subscription_gate: only a ticket applies anything, and only to the
// connection that sent it, and only when nothing is pending behind it;
// everything else a SUB sends changes nothing. Real XPUB and SUB sockets.
#include "broker/subscription_gate.hpp"

#include <gtest/gtest.h>

#include <map>
#include <thread>

#include "patterns/network_socket.hpp"

namespace zchat::broker {
namespace {

using namespace std::chrono_literals;

class SubscriptionGateTest : public ::testing::Test {
  protected:
    SubscriptionGateTest()
        : xpub_(make_network_socket(ctx_, zmq::socket_type::xpub)),
          gate_(
              xpub_,
              [this](std::string_view t, std::string_view) -> const TicketGrant* {
                  const auto it = grants_.find(std::string(t));
                  return it == grants_.end() ? nullptr : &it->second;
              },
              [this](std::string_view t) { applied_.emplace_back(t); }) {
        xpub_.set(zmq::sockopt::xpub_manual, 1);
        xpub_.bind("tcp://127.0.0.1:*");
        grants_["t/alice"] = {{"lobby"}, {}};
    }

    zmq::socket_t sub(const std::vector<std::string>& topics) {
        auto s = make_network_socket(ctx_, zmq::socket_type::sub);
        s.connect(bound_endpoint(xpub_));
        for (const auto& t : topics) s.set(zmq::sockopt::subscribe, t);
        return s;
    }

    // Drains the gate until CONDITION holds or a second passes.
    template <class F>
    bool drain_until(F condition) {
        const auto deadline = std::chrono::steady_clock::now() + 1s;
        while (!condition() && std::chrono::steady_clock::now() < deadline) {
            zmq::pollitem_t item{xpub_.handle(), 0, ZMQ_POLLIN, 0};
            zmq::poll(&item, 1, 10ms);
            gate_.drain();
        }
        return condition();
    }

    static bool receives(zmq::socket_t& s) {
        zmq::pollitem_t item{s.handle(), 0, ZMQ_POLLIN, 0};
        return zmq::poll(&item, 1, 300ms) == 1;
    }

    void publish() {
        xpub_.send(zmq::str_buffer("lobby"), zmq::send_flags::sndmore);
        xpub_.send(zmq::str_buffer("body"), zmq::send_flags::none);
    }

    zmq::context_t ctx_;
    zmq::socket_t xpub_;
    std::map<std::string, TicketGrant> grants_;
    std::vector<std::string> applied_;
    SubscriptionGate gate_;
};

TEST_F(SubscriptionGateTest, ATicketAppliesItsGrantToItsConnection) {
    auto alice = sub({"", "t/alice"});
    ASSERT_TRUE(drain_until([&] { return !applied_.empty(); }));
    EXPECT_EQ(applied_, std::vector<std::string>{"t/alice"});
    publish();
    EXPECT_TRUE(receives(alice));
}

TEST_F(SubscriptionGateTest, NothingElseASubscriberSendsIsApplied) {
    auto stranger = sub({"", "lobby", "t/", "t/bob", "t/alicex"});
    drain_until([] { return false; });
    EXPECT_TRUE(applied_.empty());
    EXPECT_EQ(gate_.stats().applied, 0u);
    EXPECT_GE(gate_.stats().ignored, 5u);
    publish();
    EXPECT_FALSE(receives(stranger));
}

TEST_F(SubscriptionGateTest, AStolenTicketServesTheThiefOnlyWhatTheTicketGrants) {
    auto alice = sub({"", "t/alice"});
    ASSERT_TRUE(drain_until([&] { return applied_.size() == 1; }));
    grants_["t/alice"] = {{}, {"lobby"}};  // the grant withdrawn: applying it unsubscribes
    auto again = sub({"", "t/alice"});
    ASSERT_TRUE(drain_until([&] { return applied_.size() == 2; }));
    publish();
    EXPECT_TRUE(receives(alice)) << "only the connection that sent the ticket changed";
    EXPECT_FALSE(receives(again));
}

// A ticket read while others are pending is skipped: its connection may have
// been torn down already. Asked for again, it is applied.
TEST_F(SubscriptionGateTest, ATicketWithOthersPendingBehindItIsSkippedUntilAskedAgain) {
    auto alice = sub({"", "t/alice"});
    auto crowd = sub({"c1", "c2", "c3"});
    std::this_thread::sleep_for(300ms);  // all of it queued before the first read
    gate_.drain();
    EXPECT_GE(gate_.stats().deferred, 1u);
    EXPECT_TRUE(applied_.empty());
    alice.set(zmq::sockopt::unsubscribe, "t/alice");
    alice.set(zmq::sockopt::subscribe, "t/alice");
    ASSERT_TRUE(drain_until([&] { return !applied_.empty(); }));
    publish();
    EXPECT_TRUE(receives(alice));
}

}  // namespace
}  // namespace zchat::broker
