// Attack: predict the next clients' welcome topics and subscribe to them
// first. Version 1 drew them from a 32-bit-seeded mt19937_64: a client that
// harvested about a thousand of them recovered the seed in 0.5 s, and the
// clients it subscribed ahead of never joined. Tickets now carry 128 bits from
// getrandom, and a subscription to anything is never applied as such.
#include "attacker.hpp"
#include "patterns/secure_random.hpp"

namespace zchat::regression {
namespace {

TEST(PredictableTicket, HarvestedTicketsAreUniqueRandomAndUseless) {
    BrokerProcess broker({"--insecure"});
    zmq::context_t ctx;
    // Harvest: register on fresh connections and leave at once, in silence.
    std::set<std::string> tickets;
    std::size_t ones = 0, bits = 0;
    for (int i = 0; i < 60; ++i) {
        ProtocolPeer harvester(ctx, broker.rendezvous);
        const auto w = harvester.hello("h" + std::to_string(i));
        ASSERT_TRUE(w);
        ASSERT_TRUE(w->ticket.starts_with("t/")) << w->ticket;
        const std::string secret = w->ticket.substr(2);
        ASSERT_EQ(secret.size(), 22u) << "128 bits in base64url";
        tickets.insert(secret);
        // 21 whole sextets; the last character carries 2 bits and 4 zeros.
        for (std::size_t k = 0; k + 1 < secret.size(); ++k) {
            const auto sextet = base64url_alphabet.find(secret[k]);
            ASSERT_NE(sextet, std::string::npos) << secret;
            ones += static_cast<std::size_t>(__builtin_popcount(static_cast<unsigned>(sextet)));
            bits += 6;
        }
        harvester.send(protocol::Bye{"harvested"});
    }
    EXPECT_EQ(tickets.size(), 60u) << "a ticket came twice";
    // Not a proof of randomness, but a seeded counter or a constant fails it.
    EXPECT_NEAR(static_cast<double>(ones) / static_cast<double>(bits), 0.5, 0.05);

    // Subscribe ahead to every harvested ticket, to everything, and to a
    // thousand ticket-shaped guesses: none of it is applied.
    auto lurker = make_network_socket(ctx, zmq::socket_type::sub);
    lurker.connect(broker.lobby);
    lurker.set(zmq::sockopt::subscribe, "");
    for (const auto& t : tickets) lurker.set(zmq::sockopt::subscribe, "t/" + t);
    for (int i = 0; i < 1000; ++i) {
        char guess[40];
        std::snprintf(guess, sizeof guess, "t/AAAAAAAAAAAAAAAA%06d", i);
        lurker.set(zmq::sockopt::subscribe, guess);
    }
    std::this_thread::sleep_for(200ms);  // let the subscriptions reach the broker first

    ChildProcess newcomer(cli_args(broker.rendezvous, "newcomer", {"--insecure"}));
    ASSERT_TRUE(newcomer.expect(">>> newcomer joined the lobby", 10s))
        << newcomer.out() << newcomer.err();
    newcomer.write_line("hello");
    // The lurker, subscribed to everything, received nothing at all.
    zmq::pollitem_t item{lurker.handle(), 0, ZMQ_POLLIN, 0};
    EXPECT_EQ(zmq::poll(&item, 1, 500ms), 0) << "a stranger's SUB received lobby traffic";
}

}  // namespace
}  // namespace zchat::regression
