// Attack: make the broker beat a room as often as it publishes in it. A room
// beats at the heartbeat after news, so a member that floods it, or churns
// it, costs the other members at most one ROOM_BEAT a heartbeat, whatever
// it sends; and a ROOM_BEAT sent to the broker is refused, never relayed.
#include "attacker.hpp"

namespace zchat::regression {
namespace {

using Clock = std::chrono::steady_clock;

TEST(RoomBeatFlood, AFloodedRoomBeatsOnceAHeartbeat) {
    BrokerProcess broker({"--insecure", "--rate", "100000", "--burst", "100000"});
    zmq::context_t ctx;
    auto eve = joined_peer(ctx, broker.rendezvous, "eve");
    auto anna = joined_peer(ctx, broker.rendezvous, "anna");
    ASSERT_TRUE(eve->join_room("#r"));
    ASSERT_TRUE(anna->join_room("#r"));
    eve->send(protocol::RoomBeat{"#r", 1, 1u << 30});
    eve->expect_error(protocol::ErrorCode::bad_message, 0);
    const auto window = 3 * limits::heartbeat_interval;
    const auto end = Clock::now() + window;
    std::uint64_t cseq = 0;
    std::size_t beats = 0, texts = 0;
    while (Clock::now() < end) {
        for (int i = 0; i < 20; ++i) eve->say_room("#r", "flood " + std::to_string(++cseq));
        while (auto p = anna->next_published(0ms)) {
            if (const auto* b = std::get_if<protocol::RoomBeat>(&p->second)) {
                ++beats;
                EXPECT_LT(b->last_seq, 1u << 30) << "a beat came from eve";
            }
            if (std::holds_alternative<protocol::RoomText>(p->second)) ++texts;
        }
        (void)eve->keep_alive();
    }
    EXPECT_GT(texts, 100u) << "the flood reached the room";
    // One per heartbeat in the window, one more for a tick at either edge,
    // and one sent before the window but read in it; a beat per text would
    // be thousands.
    EXPECT_LE(beats, 3u + 2u) << "beats in " << window.count() << " ms of " << cseq << " texts";
}

}  // namespace
}  // namespace zchat::regression
