// liveness: is the other side still there, and is it our turn to say
// something? One part for every link: the broker's view of each client, a
// client's view of its broker, and both ends of a private session.
//
// Two stages, as in Zyre: silent for `evasive`, the other side is late (shown,
// logged); silent for `expired`, it is gone. The clock is always passed in, so
// the rules can be tested without waiting, and a process that was itself
// stopped (SIGSTOP, a suspended laptop) forgives the silence it caused: what
// the other side sent meanwhile is waiting in its queues.
#pragma once

#include <chrono>

namespace zchat {

class Liveness {
  public:
    using Clock = std::chrono::steady_clock;
    enum class State { alive, evasive, expired };

    Liveness(Clock::duration evasive, Clock::duration expired, Clock::time_point now)
        : evasive_(evasive), expired_(expired), last_heard_(now) {}

    void heard(Clock::time_point now) { last_heard_ = now; }
    void forgive(Clock::time_point now) { last_heard_ = now; }

    State state(Clock::time_point now) const {
        const auto silent = now - last_heard_;
        if (silent > expired_) return State::expired;
        return silent > evasive_ ? State::evasive : State::alive;
    }
    bool expired(Clock::time_point now) const { return state(now) == State::expired; }
    Clock::duration silent_for(Clock::time_point now) const { return now - last_heard_; }

  private:
    Clock::duration evasive_;       // silence after which the other side is late
    Clock::duration expired_;       // silence after which it is gone
    Clock::time_point last_heard_;  // anything at all from the other side
};

// Our half: a heartbeat is due only when we have said nothing for a period.
class Heartbeat {
  public:
    using Clock = std::chrono::steady_clock;

    Heartbeat(Clock::duration period, Clock::time_point now) : period_(period), last_sent_(now) {}

    void sent(Clock::time_point now) { last_sent_ = now; }
    bool due(Clock::time_point now) const { return now - last_sent_ >= period_; }
    void set_period(Clock::duration period) { period_ = period; }

  private:
    Clock::duration period_;       // longest we stay silent
    Clock::time_point last_sent_;  // anything at all we sent
};

}  // namespace zchat
