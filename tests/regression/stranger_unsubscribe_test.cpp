// Attack: drop other users with subscription messages. Version 1 treated any
// subscription message that was not a subscribe as "this client left" and
// dropped whoever's topic it named; libzmq 4.3.4's XPUB passes up cancels of
// topics the sender never subscribed and messages that are no subscription at
// all. One message per victim emptied the lobby. Now a subscription message
// drops no one: a user leaves by BYE or by its silence.
#include "attacker.hpp"

namespace zchat::regression {
namespace {

TEST(StrangerUnsubscribe, CancelsAndJunkOnTheLobbyDropNoOne) {
    BrokerProcess broker({"--insecure", "--history", "0"});
    zmq::context_t ctx;
    auto victim = joined_peer(ctx, broker.rendezvous, "victim");  // its ticket is known here
    ChildProcess anna(cli_args(broker.rendezvous, "anna", {"--insecure"}));
    ASSERT_TRUE(anna.expect(">>> anna joined the lobby", 10s));
    ChildProcess bobby(cli_args(broker.rendezvous, "bobby", {"--insecure"}));
    ASSERT_TRUE(bobby.expect(">>> bobby joined the lobby", 10s));

    // An XSUB sends upstream whatever it is given, exactly as a hostile peer would.
    auto attacker = make_network_socket(ctx, zmq::socket_type::xsub);
    attacker.connect(broker.lobby);
    const std::string ticket = victim->welcome()->ticket;
    const std::vector<std::string> junk = {
        std::string("\x00", 1) + ticket,  // cancel of the victim's ticket, never subscribed here
        std::string("\x00", 1) + "lobby", std::string("\x00", 1),
        std::string("\x01", 1) + ticket,  // and subscribe to it: a stolen ticket
        std::string("\x00", 1) + ticket,  // then cancel it again
        "\x02 not a subscription",        "",
    };
    for (int round = 0; round < 200; ++round)
        for (const auto& m : junk) attacker.send(zmq::buffer(m), zmq::send_flags::dontwait);
    attacker.close();  // and vanish: the cancels libzmq makes for it must drop no one either

    const auto until = Clock::now() + 1500ms;
    while (Clock::now() < until) {
        victim->keep_alive();
        anna.settle(50ms);
    }
    EXPECT_EQ(anna.out().find("left the lobby"), std::string::npos) << anna.out();
    anna.write_line("\\users");
    EXPECT_TRUE(anna.expect("Users online (3): anna bobby victim")) << anna.out();
    bobby.write_line("still here");
    EXPECT_TRUE(anna.expect("[lobby] bobby: still here"));
}

}  // namespace
}  // namespace zchat::regression
