// pause_detector: tells a periodic tick that the process itself was not
// running (SIGSTOP, a suspended laptop, a debugger) for a while. Liveness
// checks must then restart their clocks: the silence was ours, not the peer's,
// and the peer's messages are still waiting in our queues.
#pragma once

#include <chrono>

namespace zchat {

class PauseDetector {
  public:
    using Clock = std::chrono::steady_clock;

    PauseDetector(Clock::duration longest_gap, Clock::time_point now)
        : longest_gap_(longest_gap), last_(now) {}

    // True if more than longest_gap passed since the previous call.
    bool paused(Clock::time_point now) {
        const bool was_paused = now - last_ > longest_gap_;
        last_ = now;
        return was_paused;
    }

  private:
    Clock::duration longest_gap_;  // a tick later than this means we were stopped
    Clock::time_point last_;       // the previous tick
};

}  // namespace zchat
