// Attack: make other users' clients dial a third party. An invitation makes
// the invited client connect to the endpoint in it at once; version 1
// relayed any tcp:// endpoint, so one user could aim everyone's clients at a
// host and port of its choosing. The broker now relays only endpoints on the
// address the asker itself connects from.
#include "attacker.hpp"

namespace zchat::regression {
namespace {

TEST(ForkThirdParty, AnEndpointOffTheAskersAddressIsNeverDialled) {
    BrokerProcess broker({"--insecure"});
    zmq::context_t ctx;
    // The third party: a listener on another address of this machine.
    const int victim = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    ::inet_pton(AF_INET, "127.0.0.3", &addr.sin_addr);
    ASSERT_EQ(::bind(victim, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    ASSERT_EQ(::listen(victim, 16), 0);
    socklen_t len = sizeof addr;
    ::getsockname(victim, reinterpret_cast<sockaddr*>(&addr), &len);
    const std::string target = "tcp://127.0.0.3:" + std::to_string(ntohs(addr.sin_port));

    ChildProcess anna(cli_args(broker.rendezvous, "anna", {"--insecure"}));
    ASSERT_TRUE(anna.expect(">>> anna joined the lobby", 10s));
    auto eve = joined_peer(ctx, broker.rendezvous, "eve");
    eve->expect_error(protocol::ErrorCode::bad_message,
                      eve->fork("anna", target, "00112233445566778899aabbccddeeff"));
    pollfd p{victim, POLLIN, 0};
    EXPECT_EQ(::poll(&p, 1, 1000), 0) << "someone dialled the third party";
    ::close(victim);
}

}  // namespace
}  // namespace zchat::regression
