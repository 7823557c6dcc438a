// Attack: take every descriptor with idle TCP connections. 1,030 of them used
// up version 1's 1,024 descriptors: newcomers were refused (chat-cli exited 2)
// and the broker spun at 100% CPU. Now both processes raise RLIMIT_NOFILE,
// one host holds at most 256 connections (the rest are shut down at once),
// and an idle connection is closed after the 5 s handshake deadline.
#include "attacker.hpp"

namespace zchat::regression {
namespace {

TEST(IdleConnectionExhaustion, ANewcomerStillJoinsAndTheBrokerIdles) {
    BrokerProcess broker({"--insecure"});
    const std::size_t fds_before = open_fds(broker.process.pid());
    // The attacker comes from 127.0.0.2, the newcomer from 127.0.0.1.
    std::vector<int> idle;
    for (int i = 0; i < 1030; ++i) {
        const int fd = tcp_connect_from("127.0.0.2", i % 2 ? broker.lobby : broker.rendezvous);
        ASSERT_GE(fd, 0) << "connection " << i;
        idle.push_back(fd);
    }
    broker.process.settle(500ms);
    // The broker holds no more than its per-host cap of them.
    EXPECT_LE(open_fds(broker.process.pid()), fds_before + 256 + 16);

    const double cpu_before = cpu_s(broker.process.pid());
    const auto wall_before = Clock::now();
    ChildProcess newcomer(cli_args(broker.rendezvous, "newcomer", {"--insecure"}));
    EXPECT_TRUE(newcomer.expect(">>> newcomer joined the lobby", 10s))
        << newcomer.out() << newcomer.err();
    broker.process.settle(2s);
    const double cpu = cpu_s(broker.process.pid()) - cpu_before;
    const double wall = std::chrono::duration<double>(Clock::now() - wall_before).count();
    EXPECT_LT(cpu, wall / 4) << "the broker used " << cpu << " s of CPU in " << wall << " s";
    for (const int fd : idle) ::close(fd);
}

TEST(IdleConnectionExhaustion, IdleConnectionsAreClosedAfterTheHandshakeDeadline) {
    BrokerProcess broker({"--insecure"});
    const int fd = tcp_connect_from("127.0.0.2", broker.rendezvous);
    ASSERT_GE(fd, 0);
    // Say nothing; the broker must hang up within the 5 s deadline (and a bit).
    pollfd p{fd, POLLIN, 0};
    const auto start = Clock::now();
    char buf[256];
    bool closed = false;
    while (!closed && Clock::now() - start < 10s) {
        if (::poll(&p, 1, 100) > 0) closed = ::read(fd, buf, sizeof buf) <= 0;
    }
    EXPECT_TRUE(closed) << "an idle connection stayed open";
    ::close(fd);
}

}  // namespace
}  // namespace zchat::regression
