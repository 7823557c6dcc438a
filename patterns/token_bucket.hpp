// token_bucket: flood control. The broker refuses what is over the bucket; the
// client runs the same bucket on its side to pace a pasted file instead of
// having lines refused. Time is always passed in.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdint>

namespace zchat {

class TokenBucket {
  public:
    using Clock = std::chrono::steady_clock;

    // A bucket starts full, less SPENT tokens.
    TokenBucket(std::uint32_t rate_per_s, std::uint32_t burst, Clock::time_point now,
                std::uint32_t spent = 0)
        : rate_(std::max<std::uint32_t>(rate_per_s, 1)),
          burst_(std::max<std::uint32_t>(burst, 1)),
          tokens_(burst_ > spent ? burst_ - spent : 0),
          last_(now) {}

    // Takes COST tokens if there are that many; otherwise takes none.
    bool take(Clock::time_point now, std::uint32_t cost = 1) {
        refill(now);
        if (tokens_ < cost) return false;
        tokens_ -= cost;
        return true;
    }

    // How long until a token is there (zero if one is there now).
    std::chrono::milliseconds wait(Clock::time_point now) {
        refill(now);
        if (tokens_ >= 1.0) return std::chrono::milliseconds{0};
        return std::chrono::milliseconds{static_cast<long>((1.0 - tokens_) * 1000.0 / rate_) + 1};
    }

    // True when the bucket is back to its burst: it is then the same as a new one.
    bool full(Clock::time_point now) {
        refill(now);
        return tokens_ >= burst_;
    }

  private:
    void refill(Clock::time_point now) {
        if (now <= last_) return;
        const double elapsed = std::chrono::duration<double>(now - last_).count();
        tokens_ = std::min<double>(burst_, tokens_ + elapsed * rate_);
        last_ = now;
    }

    std::uint32_t rate_;      // tokens added per second, at least 1 so wait() is finite
    std::uint32_t burst_;     // most tokens held, at least 1
    double tokens_;           // tokens now
    Clock::time_point last_;  // when tokens_ was last brought up to date
};

}  // namespace zchat
