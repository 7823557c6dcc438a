// chat-broker as an operator runs it: flags, bind errors, signals.
#include <signal.h>

#include <cstdlib>
#include <thread>

#include "bench/process_usage.hpp"
#include "chat_fixture.hpp"
#include "patterns/curve_keys.hpp"
#include "patterns/network_socket.hpp"
#include "patterns/zap_handler.hpp"

namespace zchat::e2e {
namespace {

TEST(ChatBroker, HelpListsTheFlags) {
    ChildProcess broker({CHAT_BROKER, "--help"});
    EXPECT_EQ(broker.wait_exit(), 0);
    for (const char* flag :
         {"--rendezvous", "--lobby", "--log-level", "--timeout", "--rate", "--burst", "--history"})
        EXPECT_NE(broker.out().find(flag), std::string::npos) << flag;
}

TEST(ChatBroker, TakenEndpointIsAOneLineErrorAndExitOne) {
    BrokerProcess first;
    ChildProcess second(
        {CHAT_BROKER, "--rendezvous", first.rendezvous, "--lobby", "tcp://127.0.0.1:*"});
    EXPECT_EQ(second.wait_exit(), 1);
    EXPECT_NE(second.err().find("cannot bind rendezvous endpoint " + first.rendezvous),
              std::string::npos)
        << second.err();
}

TEST(ChatBroker, BadEndpointSyntaxIsAnError) {
    ChildProcess broker(
        {CHAT_BROKER, "--rendezvous", "tcp://127.0.0.1:*", "--lobby", "tcp://nowhere"});
    EXPECT_EQ(broker.wait_exit(), 1);
    EXPECT_NE(broker.err().find("tcp://nowhere"), std::string::npos) << broker.err();
}

TEST_F(ChatTest, SigtermTellsTheLobbyAndExitsZero) {
    auto& anna = join("anna");
    broker_->process.signal(SIGTERM);
    EXPECT_EQ(broker_->process.wait_exit(), 0);
    EXPECT_TRUE(anna.expect("the lobby is unreachable: broker stopped (SIGTERM)")) << anna.out();
}

TEST_F(ChatTest, LeavesAreLoggedWithTheReason) {
    auto& anna = join("anna");
    join("bobby");
    anna.write_line("\\quit");
    ASSERT_EQ(anna.wait_exit(), 0);
    users_["bobby"]->signal(SIGKILL);
    EXPECT_TRUE(users_["bobby"]->wait_exit().has_value());
    // A client leaves by its BYE or its silence: killed, bobby times out.
    const auto deadline = std::chrono::steady_clock::now() + 8s;
    while (broker_->process.err().find("leave bobby (timed out") == std::string::npos &&
           std::chrono::steady_clock::now() < deadline)
        broker_->process.settle(50ms);
    EXPECT_NE(broker_->process.err().find("leave anna (quit"), std::string::npos)
        << broker_->process.err();
    EXPECT_NE(broker_->process.err().find("leave bobby (timed out"), std::string::npos)
        << broker_->process.err();
}

}  // namespace
}  // namespace zchat::e2e

namespace zchat::e2e {
namespace {

// Waits until the broker has closed every stranger's connection. Its
// disconnects are asynchronous: without waiting, a batch would still count
// against the per-host cap when the next arrives, and RSS read meanwhile
// would depend on how the scheduler ran the broker.
void await_closed(pid_t pid, std::size_t idle_fds) {
    const auto deadline = std::chrono::steady_clock::now() + 20s;
    while (open_fds(pid) > idle_fds && std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(20ms);
    EXPECT_LE(open_fds(pid), idle_fds) << "the broker still holds strangers' connections";
}

// Connections that say one wrong thing and vanish, in batches: the broker
// keeps no state for them, so its memory returns to its level. With a broker
// key each is a CURVE stranger with a key of its own.
void garbage_storm(const BrokerProcess& broker, int connections, std::size_t idle_fds) {
    zmq::context_t ctx;
    for (int done = 0; done < connections; done += 200) {
        std::vector<zmq::socket_t> batch;
        for (int i = 0; i < 200; ++i) {
            batch.push_back(make_network_socket(ctx, zmq::socket_type::dealer));
            if (!broker.key.empty()) {
                const auto keys = generate_curve_keys();
                make_curve_client(batch.back(), keys.public_z85, keys.secret_z85, broker.key);
            }
            batch.back().connect(broker.rendezvous);
            batch.back().send(zmq::str_buffer("\xc1 not a message"), zmq::send_flags::dontwait);
        }
        zmq::message_t reply;
        for (auto& s : batch) {
            zmq::pollitem_t item{s.handle(), 0, ZMQ_POLLIN, 0};
            zmq::poll(&item, 1, std::chrono::milliseconds{2000});
            EXPECT_TRUE(s.recv(reply, zmq::recv_flags::dontwait)) << "no ERROR for garbage";
        }
        batch.clear();
        await_closed(broker.process.pid(), idle_fds);
    }
}

// Peak RSS over five storms, twice: the second five must stay near the first.
void expect_memory_returns(const std::vector<std::string>& flags, int per_storm) {
    // Sanitizer builds: ASan's quarantine holds freed memory on purpose.
    ::setenv("ASAN_OPTIONS", "quarantine_size_mb=0", 1);
    BrokerProcess broker(flags);
    ::unsetenv("ASAN_OPTIONS");
    const pid_t pid = broker.process.pid();
    const std::size_t idle_fds = open_fds(pid);
    const auto peak_over = [&](int storms) {
        long peak = 0;
        for (int i = 0; i < storms; ++i) {
            garbage_storm(broker, per_storm, idle_fds);
            peak = std::max(peak, bench::read_process_usage(pid).value().rss_kb);
        }
        return peak;
    };
    const long level = peak_over(5);  // warms the allocator and libzmq's caches
    const long after = peak_over(5);
    EXPECT_LE(after, level + 4 * 1024) << "peak RSS " << level << " kB, then " << after << " kB";
}

TEST(ChatBroker, MemoryReturnsToItsLevelAfterGarbageStorms) {
    expect_memory_returns({"--insecure"}, 2000);
}

// A CURVE handshake costs the broker about half a millisecond of CPU, so the
// storms are smaller; each stranger still costs a key check, a session and a reply.
TEST(ChatBroker, MemoryReturnsToItsLevelAfterStormsOfCurveStrangers) {
    expect_memory_returns({}, 400);
}

}  // namespace
}  // namespace zchat::e2e
