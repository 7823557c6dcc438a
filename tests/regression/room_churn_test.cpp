// Attack: make the broker hold state for rooms without ever taking them up.
// A client that JOINs and PARTs again and again and never applies a ticket
// grew its grant and its list of pending changes by one entry per request;
// and a refusal echoed a 60 KiB room name back three times over. Now a grant
// holds each topic once, at most max_room_changes wait for a ticket, and a
// refusal names a room only if it is a room's name.
#include "attacker.hpp"

namespace zchat::regression {
namespace {

const std::vector<std::string> lifted{"--insecure", "--rate", "100000", "--burst", "100000"};

TEST(RoomChurn, ChangesThatNeverApplyAreBounded) {
    BrokerProcess broker(lifted);
    zmq::context_t ctx;
    auto eve = joined_peer(ctx, broker.rendezvous, "eve");
    std::uint64_t cseq = 0;
    for (std::size_t i = 0; i < limits::max_room_changes; ++i) {
        eve->send(protocol::JoinRoom{++cseq, "#churn"});
        eve->send(protocol::PartRoom{++cseq, "#churn"});
    }
    bool capped = false;
    while (auto m = eve->receive(2s)) {
        const auto* e = std::get_if<protocol::Error>(&*m);
        if (e && e->code == static_cast<std::uint32_t>(protocol::ErrorCode::too_many_rooms))
            capped = true;
    }
    EXPECT_TRUE(capped) << "joins beyond max_room_changes were taken";
    auto anna = joined_peer(ctx, broker.rendezvous, "anna");
    EXPECT_TRUE(anna->join_room("#other")) << "the broker serves others as before";
}

TEST(RoomChurn, RefusalsAreNoLargerThanTheirRequestsReason) {
    BrokerProcess broker(lifted);
    zmq::context_t ctx;
    auto eve = joined_peer(ctx, broker.rendezvous, "eve");
    const std::string junk(60000, '\x01');
    eve->send(protocol::Who{1, junk});
    eve->send(protocol::PartRoom{2, junk});
    eve->send(protocol::SayRoom{3, junk, "hi"});
    eve->send(protocol::JoinRoom{4, junk});
    for (int i = 0; i < 4; ++i) {
        const auto e = eve->expect<protocol::Error>();
        ASSERT_TRUE(e);
        EXPECT_LT(e->reason.size(), 200u) << e->reason.substr(0, 80);
    }
}

}  // namespace
}  // namespace zchat::regression
