// event_loop: one thread, one zmq::poll over ZeroMQ sockets and plain file
// descriptors, plus timers. Every zchat process is a single EventLoop: sockets
// are never shared between threads, so there are no locks.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <vector>
#include <zmq.hpp>

namespace zchat {

class EventLoop {
  public:
    using Handler = std::function<void()>;
    using TimerId = std::uint64_t;
    using Clock = std::chrono::steady_clock;

    // Calls on_readable whenever the socket (or fd) has input. The handler should
    // drain what it can; a throwing handler is logged and the loop goes on.
    void watch(zmq::socket_t& socket, Handler on_readable);
    void watch(int fd, Handler on_readable);
    void unwatch(zmq::socket_t& socket);
    void unwatch(int fd);

    TimerId every(std::chrono::milliseconds interval, Handler handler);
    TimerId after(std::chrono::milliseconds delay, Handler handler);
    void cancel(TimerId id);

    // Runs until stop(). run_once waits at most max_wait for one round of events.
    // stop() may be called from another thread (tests); it takes effect after
    // the current poll returns, so such a loop should have a short timer.
    void run();
    void run_once(std::chrono::milliseconds max_wait);
    void stop() { stopped_ = true; }
    bool stopped() const { return stopped_; }

  private:
    struct Watch {
        void* socket;  // zmq socket handle, or nullptr for a plain fd
        int fd;        // plain fd, or -1 for a socket
        std::shared_ptr<Handler> handler;
        bool removed = false;  // unwatched during dispatch, erased after it
    };
    struct Timer {
        Clock::time_point due;
        std::chrono::milliseconds interval;  // zero for a one-shot
        std::shared_ptr<Handler> handler;
    };

    void remove_where(void* socket, int fd);
    long poll_timeout(std::chrono::milliseconds max_wait) const;
    void dispatch_ready();
    void fire_due_timers();
    static void call(const Handler& handler);

    std::vector<Watch> watches_;
    std::vector<zmq_pollitem_t> items_;  // this round's poll set, index-aligned with watches_
    std::map<TimerId, Timer> timers_;
    TimerId next_timer_ = 1;
    std::atomic<bool> stopped_ = false;
};

}  // namespace zchat
