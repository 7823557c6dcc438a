// stamped_text: send time in decimal nanoseconds, then padding.
#include "bench/stamped_text.hpp"

#include <charconv>
#include <cstdint>

namespace zchat::bench {

std::string stamped_text(Clock::time_point sent) {
    std::string text(text_bytes, 'x');
    const auto ns = static_cast<std::int64_t>(sent.time_since_epoch().count());
    const auto [end, ec] = std::to_chars(text.data(), text.data() + text.size(), ns);
    if (ec == std::errc{} && end < text.data() + text.size()) *end = ' ';
    return text;
}

std::optional<Clock::time_point> stamp_of(std::string_view text) {
    std::int64_t ns = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), ns);
    if (ec != std::errc{} || end == text.data()) return std::nullopt;
    return Clock::time_point(Clock::duration(ns));
}

}  // namespace zchat::bench
