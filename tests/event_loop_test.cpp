// event_loop: timers in due order, sockets and fds dispatched, and handlers
// that throw, cancel or unwatch mid-round leave the loop running.
#include "patterns/event_loop.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <functional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "patterns/log.hpp"

namespace zchat {
namespace {

using namespace std::chrono_literals;

// Runs LOOP in short rounds until DONE, or gives up after LIMIT.
bool run_until(EventLoop& loop, const std::function<bool()>& done,
               std::chrono::milliseconds limit = 2s) {
    const auto deadline = EventLoop::Clock::now() + limit;
    while (!done()) {
        if (EventLoop::Clock::now() > deadline) return false;
        loop.run_once(10ms);
    }
    return true;
}

void run_for(EventLoop& loop, std::chrono::milliseconds span) {
    run_until(
        loop, [] { return false; }, span);
}

// A pipe whose read end the loop watches; poke() makes it readable.
class Pipe {
  public:
    Pipe() {
        int fds[2];
        if (::pipe(fds) != 0) throw std::runtime_error("pipe failed");
        read_fd_ = fds[0];
        write_fd_ = fds[1];
    }
    ~Pipe() {
        ::close(read_fd_);
        ::close(write_fd_);
    }
    Pipe(const Pipe&) = delete;
    Pipe& operator=(const Pipe&) = delete;

    int fd() const { return read_fd_; }
    void poke() { EXPECT_EQ(::write(write_fd_, "x", 1), 1); }
    void drain() {
        char c;
        EXPECT_EQ(::read(read_fd_, &c, 1), 1);
    }

  private:
    int read_fd_;
    int write_fd_;
};

TEST(EventLoop, TimersFireInDueOrder) {
    EventLoop loop;
    std::vector<int> fired;
    loop.after(30ms, [&] { fired.push_back(3); });
    loop.after(10ms, [&] { fired.push_back(1); });
    loop.after(20ms, [&] { fired.push_back(2); });
    ASSERT_TRUE(run_until(loop, [&] { return fired.size() == 3; }));
    EXPECT_EQ(fired, (std::vector<int>{1, 2, 3}));
}

// A busy loop finds several timers due at once: they still fire earliest first.
TEST(EventLoop, TimersDueInOneRoundFireInDueOrder) {
    EventLoop loop;
    std::vector<int> fired;
    loop.after(20ms, [&] { fired.push_back(2); });
    loop.after(10ms, [&] { fired.push_back(1); });
    std::this_thread::sleep_for(30ms);  // stands in for a slow handler
    loop.run_once(0ms);
    EXPECT_EQ(fired, (std::vector<int>{1, 2}));
}

TEST(EventLoop, OneShotFiresOnce) {
    EventLoop loop;
    int fired = 0;
    loop.after(1ms, [&] { ++fired; });
    run_for(loop, 50ms);
    EXPECT_EQ(fired, 1);
}

TEST(EventLoop, RepeatingTimerKeepsFiring) {
    EventLoop loop;
    int fired = 0;
    loop.every(2ms, [&] { ++fired; });
    EXPECT_TRUE(run_until(loop, [&] { return fired >= 5; }));
}

TEST(EventLoop, CancelledTimerNeverFires) {
    EventLoop loop;
    bool fired = false;
    const auto id = loop.after(5ms, [&] { fired = true; });
    loop.cancel(id);
    run_for(loop, 30ms);
    EXPECT_FALSE(fired);
}

TEST(EventLoop, RepeatingTimerCancelsItself) {
    EventLoop loop;
    int fired = 0;
    EventLoop::TimerId id = 0;
    id = loop.every(1ms, [&] {
        if (++fired == 2) loop.cancel(id);
    });
    run_for(loop, 40ms);
    EXPECT_EQ(fired, 2);
}

TEST(EventLoop, TimerCancelledByOneDueInTheSameRound) {
    EventLoop loop;
    bool second_fired = false;
    EventLoop::TimerId second = 0;
    loop.after(1ms, [&] { loop.cancel(second); });
    second = loop.after(2ms, [&] { second_fired = true; });
    std::this_thread::sleep_for(10ms);
    loop.run_once(0ms);
    run_for(loop, 20ms);
    EXPECT_FALSE(second_fired);
}

// Restores the log level a test changes.
class LogLevel {
  public:
    explicit LogLevel(log::Level l) : saved_(log::level()) { log::set_level(l); }
    ~LogLevel() { log::set_level(saved_); }

  private:
    log::Level saved_;
};

TEST(EventLoop, ThrowingHandlerIsLoggedAndTheLoopGoesOn) {
    const LogLevel errors(log::Level::error);
    EventLoop loop;
    Pipe pipe;
    bool later_timer = false;
    int socket_calls = 0;
    loop.watch(pipe.fd(), [&] {
        pipe.drain();
        if (++socket_calls == 1) throw std::runtime_error("fd boom");
    });
    loop.after(1ms, [] { throw std::runtime_error("timer boom"); });
    loop.after(2ms, [] { throw 42; });
    loop.after(5ms, [&] { later_timer = true; });
    pipe.poke();

    ::testing::internal::CaptureStderr();
    const bool went_on = run_until(loop, [&] {
        if (socket_calls == 1) pipe.poke();
        return later_timer && socket_calls >= 2;
    });
    const std::string logged = ::testing::internal::GetCapturedStderr();
    EXPECT_TRUE(went_on);
    EXPECT_NE(logged.find("event handler failed: fd boom"), std::string::npos) << logged;
    EXPECT_NE(logged.find("event handler failed: timer boom"), std::string::npos) << logged;
    EXPECT_NE(logged.find("non-standard exception"), std::string::npos) << logged;
}

TEST(EventLoop, InprocPairSocketDispatches) {
    zmq::context_t ctx;
    zmq::socket_t receiver(ctx, zmq::socket_type::pair);
    zmq::socket_t sender(ctx, zmq::socket_type::pair);
    receiver.set(zmq::sockopt::linger, 0);
    sender.set(zmq::sockopt::linger, 0);
    receiver.bind("inproc://event_loop_test");
    sender.connect("inproc://event_loop_test");

    EventLoop loop;
    std::vector<std::string> got;
    loop.watch(receiver, [&] {
        zmq::message_t msg;
        while (receiver.recv(msg, zmq::recv_flags::dontwait)) got.push_back(msg.to_string());
    });
    sender.send(zmq::str_buffer("one"), zmq::send_flags::dontwait);
    sender.send(zmq::str_buffer("two"), zmq::send_flags::dontwait);
    ASSERT_TRUE(run_until(loop, [&] { return got.size() == 2; }));
    EXPECT_EQ(got, (std::vector<std::string>{"one", "two"}));
}

TEST(EventLoop, PipeFdDispatches) {
    EventLoop loop;
    Pipe pipe;
    int calls = 0;
    loop.watch(pipe.fd(), [&] {
        pipe.drain();
        ++calls;
    });
    run_for(loop, 20ms);
    EXPECT_EQ(calls, 0);
    pipe.poke();
    EXPECT_TRUE(run_until(loop, [&] { return calls == 1; }));
}

// Both pipes are readable in the same round; the first handler unwatches the
// second and itself, neither draining, so a stale watch would fire again.
TEST(EventLoop, UnwatchInsideAHandlerIsSafe) {
    EventLoop loop;
    Pipe first, second;
    int first_calls = 0, second_calls = 0;
    loop.watch(first.fd(), [&] {
        ++first_calls;
        loop.unwatch(second.fd());
        loop.unwatch(first.fd());
    });
    loop.watch(second.fd(), [&] { ++second_calls; });
    first.poke();
    second.poke();
    run_for(loop, 50ms);
    EXPECT_EQ(first_calls, 1);
    EXPECT_EQ(second_calls, 0);
}

// Many watches added from a handler grow the watch list mid-dispatch.
TEST(EventLoop, WatchInsideAHandlerIsSafe) {
    EventLoop loop;
    Pipe trigger, target;
    int target_calls = 0;
    loop.watch(trigger.fd(), [&] {
        trigger.drain();
        for (int i = 0; i < 100; ++i) loop.watch(target.fd(), [&] { ++target_calls; });
    });
    target.poke();
    trigger.poke();
    ASSERT_TRUE(run_until(loop, [&] { return target_calls > 0; }));
    EXPECT_EQ(target_calls, 100);
    loop.unwatch(target.fd());
    run_for(loop, 20ms);
    EXPECT_EQ(target_calls, 100);
}

TEST(EventLoop, StopFromAHandlerEndsRun) {
    EventLoop loop;
    loop.after(5ms, [&] { loop.stop(); });
    loop.run();
    EXPECT_TRUE(loop.stopped());
}

TEST(EventLoop, StopFromAnotherThreadEndsRun) {
    EventLoop loop;
    std::atomic<bool> running = false;
    loop.after(0ms, [&] { running = true; });
    loop.every(5ms, [] {});  // bounds each poll, so the stop flag is seen
    std::thread stopper([&] {
        while (!running) std::this_thread::yield();
        loop.stop();
    });
    loop.run();
    stopper.join();
    EXPECT_TRUE(loop.stopped());
}

}  // namespace
}  // namespace zchat
