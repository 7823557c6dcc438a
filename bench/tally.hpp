// tally: what one load thread's clients have counted during a run, merged
// once the threads end. A thread's clients add to its own tally only.
#pragma once

#include <chrono>
#include <cstdint>
#include <vector>

namespace zchat::bench {

using Clock = std::chrono::steady_clock;

struct Tally {
    std::uint64_t sent = 0;                  // lobby messages accepted by a socket
    std::uint64_t refused = 0;               // refused by the server (ERROR rate_limited)
    std::uint64_t unsent = 0;                // paced messages never sent before the run ended
    std::uint64_t errors = 0;                // any other error, or a frame that does not decode
    std::uint64_t received = 0;              // lobby texts from another client
    std::uint64_t gaps = 0;                  // sequence jumps
    std::uint64_t missing = 0;               // sequence numbers those jumps skipped
    std::vector<std::int64_t> latencies_ns;  // per delivery, from the scheduled send time
    std::vector<std::int64_t> send_lag_ns;   // per paced message: sent this late
    Clock::time_point last_delivery{};       // when the latest delivery arrived
};

}  // namespace zchat::bench
