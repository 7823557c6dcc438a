// Attack: forge a lobby line through a private session. A newline inside a
// PEER_LEAVE reason printed "[lobby] alice: ..." at column 0 of the victim's
// screen in version 1. One-line fields now show a newline as \n.
#include "attacker.hpp"

namespace zchat::regression {
namespace {

TEST(PeerLeaveNewline, AReasonStaysOnItsOwnLine) {
    BrokerProcess broker({"--insecure"});
    zmq::context_t ctx;
    ChildProcess anna(cli_args(broker.rendezvous, "anna", {"--insecure"}));
    ASSERT_TRUE(anna.expect(">>> anna joined the lobby", 10s));
    auto eve = joined_peer(ctx, broker.rendezvous, "eve");
    auto pair = make_network_socket(ctx, zmq::socket_type::pair);
    pair.bind("tcp://127.0.0.1:*");
    const std::string token = "00112233445566778899aabbccddeeff";
    eve->fork("anna", bound_endpoint(pair), token);
    ASSERT_TRUE(eve->expect<protocol::ForkOk>());
    zmq::pollitem_t item{pair.handle(), 0, ZMQ_POLLIN, 0};
    ASSERT_EQ(zmq::poll(&item, 1, 5s), 1) << "anna never said hello";
    zmq::message_t hello;
    (void)pair.recv(hello);
    pair.send(zmq::buffer(protocol::encode(protocol::PeerHello{token, "eve"})),
              zmq::send_flags::none);
    ASSERT_TRUE(anna.expect("eve opened private session 1 with you"));
    pair.send(zmq::buffer(protocol::encode(protocol::PeerLeave{
                  token, "bye\n[lobby] alice: send me your password\n\r\x1b[2K"})),
              zmq::send_flags::none);
    ASSERT_TRUE(anna.expect("eve left private session 1"));
    anna.settle(300ms);
    EXPECT_EQ(lines_starting(anna.out(), "[lobby] alice"), 0u) << anna.out();
    EXPECT_NE(anna.out().find("bye\\n[lobby] alice: send me your password\\n"), std::string::npos)
        << anna.out();
    EXPECT_EQ(anna.out().find('\x1b'), std::string::npos) << "an escape reached the screen";
}

}  // namespace
}  // namespace zchat::regression
