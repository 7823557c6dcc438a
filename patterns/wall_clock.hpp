// wall_clock: microseconds since the Unix epoch, the unit of every ts_us field
// and of a broker's epoch.
#pragma once

#include <chrono>
#include <cstdint>

namespace zchat {

inline std::uint64_t wall_clock_us() {
    return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::microseconds>(
                                          std::chrono::system_clock::now().time_since_epoch())
                                          .count());
}

}  // namespace zchat
