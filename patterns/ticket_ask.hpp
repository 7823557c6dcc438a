// ticket_ask: how a client asks the broker, through its SUB, to apply a
// ticket's grant (PROTOCOL.md, "Subscriptions"). The broker applies a ticket
// only when it can do so safely, so one may go unanswered: the client asks
// again at growing, jittered intervals (25 ms up to 250 ms) until the broker's
// answer comes on the rendezvous, then releases the subscription.
#pragma once

#include <algorithm>
#include <chrono>
#include <random>
#include <string>
#include <string_view>

namespace zchat {

// What asking needs of a lobby subscriber. A ZeroMQ SUB is one
// (ZmqSubscriber in registration.hpp); the load generator has one of its own.
class SubscriberPort {
  public:
    virtual ~SubscriberPort() = default;
    virtual void connect(const std::string& endpoint) = 0;
    virtual void subscribe(std::string_view topic) = 0;
    virtual void unsubscribe(std::string_view topic) = 0;
};

class TicketAsk {
  public:
    using Clock = std::chrono::steady_clock;

    // Starts asking for TICKET (a previous one is released). A caller that
    // drives many clients passes ASK_NOW false and spaces the first asks out
    // itself, through tick().
    void start(SubscriberPort& sub, std::string ticket, Clock::time_point now,
               bool ask_now = true) {
        release(sub);
        ticket_ = std::move(ticket);
        interval_ = first_interval;
        if (ask_now)
            ask(sub, now);
        else
            next_ask_ = now;
    }
    // Asks again when it is due; true if it did.
    bool tick(SubscriberPort& sub, Clock::time_point now) {
        if (ticket_.empty() || now < next_ask_) return false;
        if (subscribed_) interval_ = std::min(interval_ * 2, max_interval);
        ask(sub, now);
        return true;
    }
    // The answer came: the subscription has done its work. Cancelling it frees
    // what the broker's libzmq keeps for it and tells the broker nothing else.
    void release(SubscriberPort& sub) {
        if (subscribed_) sub.unsubscribe(ticket_);
        subscribed_ = false;
        ticket_.clear();
    }
    bool asking() const { return !ticket_.empty(); }

  private:
    static constexpr std::chrono::milliseconds first_interval{25};
    static constexpr std::chrono::milliseconds max_interval{250};

    // A SUB sends a subscription upstream only when it is new to it: cancel first.
    void ask(SubscriberPort& sub, Clock::time_point now) {
        if (subscribed_) sub.unsubscribe(ticket_);
        sub.subscribe(ticket_);
        subscribed_ = true;
        next_ask_ = now + jittered(interval_);
    }

    // Half to one and a half times INTERVAL: clients that subscribed together
    // must not ask again together, or their tickets keep arriving in a crowd.
    static std::chrono::milliseconds jittered(std::chrono::milliseconds interval) {
        thread_local std::minstd_rand rng{std::random_device{}()};
        std::uniform_int_distribution<long> spread(interval.count() / 2, interval.count() * 3 / 2);
        return std::chrono::milliseconds{spread(rng)};
    }

    std::string ticket_;  // empty when not asking
    bool subscribed_ = false;
    Clock::time_point next_ask_{};
    std::chrono::milliseconds interval_{first_interval};
};

}  // namespace zchat
