// stamped_text: the benchmark's message text. It opens with its send time so
// any receiver on the same host computes end-to-end latency from the message
// alone, and is padded so every workload moves messages of one realistic size.
#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace zchat::bench {

using Clock = std::chrono::steady_clock;

// Text length of every benchmark message (BENCH.md: "padded to about 100 bytes").
inline constexpr std::size_t text_bytes = 100;

// "<steady_clock ns> xxxx..." of exactly text_bytes bytes.
std::string stamped_text(Clock::time_point sent);
// The send time written by stamped_text, or nullopt if TEXT does not open with one.
std::optional<Clock::time_point> stamp_of(std::string_view text);

}  // namespace zchat::bench
