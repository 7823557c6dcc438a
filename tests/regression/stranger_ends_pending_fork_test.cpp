// Attack: end someone's fork before the invited user answers. A PEER_LEAVE
// sent to the initiator's fresh port before the real peer connected showed as
// "bob declined" in version 1. A PEER_LEAVE must now carry the invitation's
// token, so a stranger's is dropped and the real peer still gets in.
#include "attacker.hpp"

namespace zchat::regression {
namespace {

TEST(StrangerEndsPendingFork, AnUntokenedLeaveIsDropped) {
    BrokerProcess broker({"--insecure"});
    zmq::context_t ctx;
    ChildProcess anna(cli_args(broker.rendezvous, "anna", {"--insecure"}));
    ASSERT_TRUE(anna.expect(">>> anna joined the lobby", 10s));
    auto bobby = joined_peer(ctx, broker.rendezvous, "bobby");
    anna.write_line("\\fork bobby");
    const auto invite = bobby->expect<protocol::Invite>(5s);
    ASSERT_TRUE(invite);

    // The stranger found the port first (it need only scan for it).
    {
        auto stranger = make_network_socket(ctx, zmq::socket_type::pair);
        stranger.set(zmq::sockopt::linger, 500);
        stranger.connect(invite->endpoint);
        for (const std::string token : {"", "guess", "00112233445566778899aabbccddeeff"})
            stranger.send(zmq::buffer(protocol::encode(protocol::PeerLeave{token, "no thanks"})),
                          zmq::send_flags::none);
        std::this_thread::sleep_for(300ms);
    }
    anna.settle(300ms);
    EXPECT_EQ(anna.out().find("declined"), std::string::npos) << anna.out();

    // The real invited user, with the token, still gets its session.
    auto pair = make_network_socket(ctx, zmq::socket_type::pair);
    pair.connect(invite->endpoint);
    pair.send(zmq::buffer(protocol::encode(protocol::PeerHello{invite->token, "bobby"})),
              zmq::send_flags::none);
    EXPECT_TRUE(anna.expect("private session 1 with bobby open", 5s)) << anna.out();
}

}  // namespace
}  // namespace zchat::regression
