// Attack: smuggle a lobby message in extra frames. Version 1 decoded a lobby
// message of more than two frames from its last frame. A client now drops any
// lobby message that is not exactly [topic "lobby"][body].
#include "attacker.hpp"

namespace zchat::regression {
namespace {

TEST(LobbyFrameShape, OnlyTwoFrameLobbyMessagesAreShown) {
    zmq::context_t ctx;
    FakeBroker broker(ctx);
    ChildProcess anna(cli_args(broker.rendezvous(), "anna", {"--insecure"}));
    ASSERT_TRUE(broker.welcome(77));
    ASSERT_TRUE(broker.await_subscriber());
    broker.joined(0);
    std::this_thread::sleep_for(200ms);
    const auto text = [](std::uint64_t seq, const char* what) {
        return protocol::encode(protocol::LobbyText{77, seq, 1, 9, "eve", what});
    };
    broker.publish_frames({"lobby", text(1, "first of two"), text(1, "forged third frame")});
    broker.publish_frames({"lobby", "junk", text(1, "forged after junk")});
    broker.publish_frames({text(1, "forged single frame")});
    broker.publish_frames({"lobbyx", text(1, "forged other topic")});
    broker.publish_frames({"lobby", text(1, "the real one")});
    ASSERT_TRUE(anna.expect("[lobby] eve: the real one", 5s)) << anna.out() << anna.err();
    EXPECT_EQ(anna.out().find("forged"), std::string::npos) << anna.out();
    EXPECT_EQ(anna.out().find("first of two"), std::string::npos) << anna.out();
}

}  // namespace
}  // namespace zchat::regression
