// Attack: make a client remember every name it ever saw. chat-cli kept each
// user and room name it met, for Tab completion, for as long as it ran: so
// strangers registering under ever new names, a line each, grew every
// long-running client without end (200,000 names: a peak heap of 21.9 MB
// against 6.8 MB, by heaptrack of a release build). Now it keeps the
// max_known_names seen latest, and Tab offers no more. Here a broker of the
// test's own does what many strangers would, faster.
#include <regex>

#include "attacker.hpp"
#include "patterns/limits.hpp"

namespace zchat::regression {
namespace {

TEST(NameChurnMemory, AClientKeepsABoundedNumberOfTheNamesItSaw) {
    zmq::context_t ctx;
    FakeBroker broker(ctx);
    ChildProcess anna(cli_args(broker.rendezvous(), "anna", {"--insecure"}), ChildProcess::Io::pty);
    ASSERT_TRUE(broker.welcome(1234));
    ASSERT_TRUE(broker.await_subscriber());
    broker.joined(0);
    ASSERT_TRUE(anna.expect("anna@lobby> ", 10s)) << anna.out() << anna.err();
    constexpr std::uint64_t names = 20 * limits::max_known_names;
    for (std::uint64_t seq = 1; seq <= names; ++seq) {
        const std::string name = "stranger-" + std::to_string(seq);
        broker.publish(protocol::LobbyText{1234, seq, 1, seq, name, "hi"});
        // A batch shown before the next is sent: no queue fills, none dropped.
        if (seq % 500 == 0) {
            ASSERT_TRUE(anna.expect(name, 10s)) << name << " not shown";
        }
    }
    const std::size_t before = anna.out().size();
    anna.write("\\fork stranger-\t\t");
    ASSERT_TRUE(anna.expect("possibilities? (y or n)")) << anna.out().substr(before);
    const std::string asked = anna.out().substr(before);
    std::smatch offered;
    ASSERT_TRUE(std::regex_search(asked, offered, std::regex("Display all (\\d+) possibilities")))
        << asked;
    EXPECT_LE(std::stoul(offered[1]), limits::max_known_names) << names << " names seen";
    anna.write("n\x15\\quit\r");
    EXPECT_EQ(anna.wait_exit(), 0);
}

}  // namespace
}  // namespace zchat::regression
