// event_loop: zmq::poll over sockets and fds, with timers and contained handlers.
#include "event_loop.hpp"

#include <algorithm>
#include <cerrno>
#include <exception>

#include "log.hpp"

namespace zchat {

void EventLoop::watch(zmq::socket_t& socket, Handler on_readable) {
    watches_.push_back({socket.handle(), -1, std::make_shared<Handler>(std::move(on_readable))});
}

void EventLoop::watch(int fd, Handler on_readable) {
    watches_.push_back({nullptr, fd, std::make_shared<Handler>(std::move(on_readable))});
}

void EventLoop::unwatch(zmq::socket_t& socket) { remove_where(socket.handle(), -1); }
void EventLoop::unwatch(int fd) { remove_where(nullptr, fd); }

void EventLoop::remove_where(void* socket, int fd) {
    for (auto& w : watches_)
        if (w.socket == socket && w.fd == fd) w.removed = true;
}

EventLoop::TimerId EventLoop::every(std::chrono::milliseconds interval, Handler handler) {
    const TimerId id = next_timer_++;
    timers_[id] = {Clock::now() + interval, interval,
                   std::make_shared<Handler>(std::move(handler))};
    return id;
}

EventLoop::TimerId EventLoop::after(std::chrono::milliseconds delay, Handler handler) {
    const TimerId id = next_timer_++;
    timers_[id] = {Clock::now() + delay, std::chrono::milliseconds{0},
                   std::make_shared<Handler>(std::move(handler))};
    return id;
}

void EventLoop::cancel(TimerId id) { timers_.erase(id); }

void EventLoop::run() {
    while (!stopped_) run_once(std::chrono::milliseconds{-1});
}

long EventLoop::poll_timeout(std::chrono::milliseconds max_wait) const {
    long timeout = max_wait.count();  // -1: no limit
    const auto now = Clock::now();
    for (const auto& [id, t] : timers_) {
        const auto left = std::chrono::ceil<std::chrono::milliseconds>(t.due - now).count();
        const long clamped = std::max<long>(0, static_cast<long>(left));
        if (timeout < 0 || clamped < timeout) timeout = clamped;
    }
    return timeout;
}

void EventLoop::run_once(std::chrono::milliseconds max_wait) {
    std::erase_if(watches_, [](const Watch& w) { return w.removed; });
    items_.clear();  // keeps its capacity: no allocation per round on a busy loop
    for (const auto& w : watches_) items_.push_back({w.socket, w.fd, ZMQ_POLLIN | ZMQ_POLLERR, 0});
    try {
        zmq::poll(items_.data(), items_.size(), std::chrono::milliseconds{poll_timeout(max_wait)});
    } catch (const zmq::error_t& e) {
        if (e.num() != EINTR) throw;
        return;  // a signal: its handler has written to a watched fd, seen next round
    }
    dispatch_ready();
    fire_due_timers();
}

void EventLoop::dispatch_ready() {
    // Handlers may watch or unwatch: indexes stay valid because new watches are
    // appended and removed ones are only marked until the next round.
    for (std::size_t i = 0; i < items_.size() && !stopped_; ++i) {
        // POLLERR covers a hung-up fd (end of a pipe): its handler's read sees EOF.
        if (!(items_[i].revents & (ZMQ_POLLIN | ZMQ_POLLERR)) || watches_[i].removed) continue;
        const auto handler = watches_[i].handler;
        call(*handler);
    }
}

void EventLoop::fire_due_timers() {
    const auto now = Clock::now();
    std::vector<TimerId> due;
    for (const auto& [id, t] : timers_)
        if (t.due <= now) due.push_back(id);
    // A slow round finds several due at once: earliest first, not creation order.
    std::ranges::stable_sort(due, {}, [this](TimerId id) { return timers_.at(id).due; });
    for (const TimerId id : due) {
        if (stopped_) return;  // stop() means no more handlers, timers included
        auto it = timers_.find(id);
        if (it == timers_.end()) continue;  // cancelled by an earlier timer
        const auto handler = it->second.handler;
        if (it->second.interval.count() > 0)
            it->second.due = now + it->second.interval;
        else
            timers_.erase(it);
        call(*handler);
    }
}

void EventLoop::call(const Handler& handler) {
    try {
        handler();
    } catch (const std::exception& e) {
        log::error("event handler failed: ", e.what());
    } catch (...) {
        log::error("event handler failed with a non-standard exception");
    }
}

}  // namespace zchat
