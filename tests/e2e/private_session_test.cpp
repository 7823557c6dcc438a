// Private sessions, as users live them: fork, talk, refuse, outlive the broker.
#include <signal.h>

#include <cstdlib>
#include <filesystem>
#include <thread>

#include "bench/process_usage.hpp"
#include "chat_fixture.hpp"

namespace zchat::e2e {
namespace {

// Descriptors once the last closes have settled: libzmq closes a socket's
// connection on its I/O thread a moment after the socket itself, so a count
// taken right after a \leave can include one still going. The count is
// taken when it has not changed for 300 ms (at most 3 s).
std::size_t settled_fds(pid_t pid) {
    std::size_t last = open_fds(pid);
    auto stable_since = std::chrono::steady_clock::now();
    const auto deadline = stable_since + 3s;
    while (std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(20ms);
        const std::size_t now = open_fds(pid);
        if (now != last) {
            last = now;
            stable_since = std::chrono::steady_clock::now();
        } else if (std::chrono::steady_clock::now() - stable_since >= 300ms) {
            break;
        }
    }
    return last;
}

class PrivateSessionTest : public ChatTest {
  protected:
    // carmen forks anna; both see it open.
    void fork_carmen_to_anna() {
        auto& carmen = *users_.at("carmen");
        auto& anna = *users_.at("anna");
        carmen.write_line("\\fork anna");
        ASSERT_TRUE(carmen.expect("private session 1 with anna open")) << carmen.out();
        ASSERT_TRUE(anna.expect("carmen opened private session 1 with you (\\sw 1)")) << anna.out();
    }
};

TEST_F(PrivateSessionTest, OnlyTheTwoPeersSeeTheSession) {
    auto& anna = join("anna");
    auto& bobby = join("bobby");
    auto& carmen = join("carmen");
    fork_carmen_to_anna();
    carmen.write_line("psst anna");
    EXPECT_TRUE(anna.expect("[1 P~>] carmen: psst anna"));
    anna.write_line("\\sw 1");
    EXPECT_TRUE(anna.expect("switched to private session 1 P~> carmen"));
    anna.write_line("psst carmen");
    EXPECT_TRUE(carmen.expect("[1 P->] anna: psst carmen"));
    carmen.write_line("\\ss");
    EXPECT_TRUE(carmen.expect("*1  P-> anna"));
    anna.write_line("\\ss");
    EXPECT_TRUE(anna.expect("*1  P~> carmen"));
    anna.write_line("\\lob");
    anna.write_line("lobby again");
    EXPECT_TRUE(bobby.expect("[lobby] anna: lobby again"));
    EXPECT_EQ(bobby.out().find("psst"), std::string::npos) << bobby.out();
}

TEST_F(PrivateSessionTest, ForksThatMustBeRefused) {
    auto& anna = join("anna");
    join("carmen");
    anna.write_line("\\fork anna");
    EXPECT_TRUE(anna.expect("you cannot fork yourself"));
    anna.write_line("\\fork nobody");
    EXPECT_TRUE(anna.expect("cannot fork: nobody is not online"));
    fork_carmen_to_anna();
    anna.write_line("\\fork carmen");
    EXPECT_TRUE(anna.expect("you already have private session 1 with carmen"));
    users_.at("carmen")->write_line("\\fork anna");
    EXPECT_TRUE(users_.at("carmen")->expect("you already have private session 1 with anna"));
}

TEST_F(PrivateSessionTest, LeaveTellsThePeerAndReturnsItToTheLobby) {
    auto& anna = join("anna");
    auto& carmen = join("carmen");
    fork_carmen_to_anna();
    anna.write_line("\\sw 1");
    ASSERT_TRUE(anna.expect("switched to private session 1"));
    carmen.write_line("\\leave");
    EXPECT_TRUE(carmen.expect("you left private session 1 with anna"));
    EXPECT_TRUE(anna.expect("carmen left private session 1"));
    EXPECT_TRUE(anna.expect("back in the lobby"));
}

TEST_F(PrivateSessionTest, SessionOutlivesTheBroker) {
    auto& anna = join("anna");
    auto& carmen = join("carmen");
    fork_carmen_to_anna();
    anna.write_line("\\sw 1");
    broker_->process.signal(SIGKILL);
    ASSERT_TRUE(broker_->process.wait_exit().has_value());
    EXPECT_TRUE(carmen.expect("the lobby is unreachable", 6s)) << carmen.out();
    for (int i = 0; i < 10; ++i) {
        carmen.write_line("to anna " + std::to_string(i));
        anna.write_line("to carmen " + std::to_string(i));
    }
    EXPECT_TRUE(anna.expect("[1 P~>] carmen: to anna 9"));
    EXPECT_TRUE(carmen.expect("[1 P->] anna: to carmen 9"));
    carmen.write_line("\\ss");
    EXPECT_TRUE(carmen.expect("0  lobby (down"));
    carmen.write_line("\\fork anna2");
    EXPECT_TRUE(carmen.expect("the broker is needed for \\fork"));
    EXPECT_EQ(
        carmen.out().find("lobby is unreachable", carmen.out().find("lobby is unreachable") + 1),
        std::string::npos)
        << "told more than once";
}

TEST_F(PrivateSessionTest, KilledPeerIsDetectedWithinTheTimeout) {
    join("anna");
    auto& carmen = join("carmen");
    fork_carmen_to_anna();
    users_.at("anna")->signal(SIGKILL);
    // Within the 5 s peer timeout, and a margin for a loaded machine.
    EXPECT_TRUE(carmen.expect("anna is unreachable", 8s)) << carmen.out();
    EXPECT_TRUE(carmen.expect("back in the lobby"));
}

TEST_F(PrivateSessionTest, TwentyConcurrentSessionsFromOneUser) {
    auto& hub = join("hub");
    for (int i = 0; i < 20; ++i) join("p" + std::to_string(i));
    for (int i = 0; i < 20; ++i) hub.write_line("\\fork p" + std::to_string(i));
    ASSERT_TRUE(hub.expect_count("open (\\lob for the lobby)", 20, 20s)) << hub.out();
    // Numbers follow the order the peers answered in; every one reaches its peer.
    for (int i = 1; i <= 20; ++i) {
        hub.write_line("\\sw " + std::to_string(i));
        hub.write_line("hello from hub");
    }
    for (int i = 0; i < 20; ++i)
        EXPECT_TRUE(users_.at("p" + std::to_string(i))->expect("] hub: hello from hub"))
            << "p" << i;
}

// A thousand forks in seconds is far over the default fork rate: lift it.
class ForkCycleTest : public PrivateSessionTest {
  protected:
    std::vector<std::string> broker_flags() override {
        return {"--rate",      "1000000", "--burst",      "1000000",
                "--fork-rate", "1000000", "--fork-burst", "1000000"};
    }
};

TEST_F(ForkCycleTest, ThousandForkLeaveCyclesLeakNothing) {
    // In sanitizer builds ASan's quarantine keeps freed memory (up to 256 MB) on
    // purpose, which would read as growth: measure the client without it.
    ::setenv("ASAN_OPTIONS", "quarantine_size_mb=0", 1);
    auto& anna = join("anna");
    ::unsetenv("ASAN_OPTIONS");
    auto& bobby = join("bobby");
    const auto cycle = [&](int i) {
        anna.write_line("\\fork bobby");
        ASSERT_TRUE(anna.expect("private session " + std::to_string(i) + " with bobby open"))
            << "cycle " << i << "\n"
            << anna.out().substr(anna.out().size() - 300) << "\nBOBBY\n"
            << bobby.out().substr(bobby.out().size() - 300) << bobby.err() << anna.err();
        anna.write_line("\\leave");
        ASSERT_TRUE(bobby.expect("anna left private session " + std::to_string(i)));
    };
    for (int i = 1; i <= 50; ++i) {
        cycle(i);
        if (HasFatalFailure()) return;
    }
    const auto fds = settled_fds(anna.pid());
    const auto rss = bench::read_process_usage(anna.pid()).value().rss_kb;
    for (int i = 51; i <= 1000; ++i) {
        cycle(i);
        if (HasFatalFailure()) return;
    }
    EXPECT_LE(settled_fds(anna.pid()), fds + 2);
    EXPECT_LE(bench::read_process_usage(anna.pid()).value().rss_kb, rss + 8 * 1024)
        << "RSS grew from " << rss << " kB";
}

}  // namespace
}  // namespace zchat::e2e
