// flood_control: how much the broker lets anyone ask of it. Buckets follow
// what an attacker cannot shed by registering again: the connection (routing
// id) and the host it comes from, plus one bucket for registrations overall
// and one per fork asker and per invited user. A bucket that has refilled is
// forgotten, so strangers leave no lasting state.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <unordered_map>

#include "patterns/limits.hpp"
#include "patterns/token_bucket.hpp"

namespace zchat::broker {

struct FloodLimits {
    std::uint32_t rate = limits::default_rate_per_s;  // requests per second, per connection
    std::uint32_t burst = limits::default_burst;
    std::uint32_t host_factor = 10;  // one host may ask this many connections' worth
    std::uint32_t hello_rate = limits::default_hello_rate_per_s;  // registrations, overall
    std::uint32_t hello_burst = limits::default_hello_burst;
    std::uint32_t fork_rate = limits::default_fork_rate_per_s;  // per asker, per invited user
    std::uint32_t fork_burst = limits::default_fork_burst;
};

class FloodControl {
  public:
    using Clock = TokenBucket::Clock;
    enum class Verdict { ok, connection, host, overall };

    FloodControl(FloodLimits limits, Clock::time_point now);

    // A request of COST tokens from connection RID on HOST.
    Verdict take(const std::string& rid, const std::string& host, std::uint32_t cost,
                 Clock::time_point now);
    // A registration: its cost on the connection and host, and one from the overall bucket.
    Verdict take_hello(const std::string& rid, const std::string& host, Clock::time_point now);
    // FORK: one from the asker's and one from the invited user's fork bucket.
    bool take_fork(const std::string& asker, const std::string& invited, Clock::time_point now);
    // Drops buckets that are full again (a full bucket is the same as none).
    void forget_refilled(Clock::time_point now);

    const FloodLimits& limits() const { return limits_; }
    std::size_t tracked() const { return connections_.size() + hosts_.size() + forks_.size(); }

  private:
    TokenBucket& bucket(std::unordered_map<std::string, TokenBucket>& table, const std::string& key,
                        std::uint32_t rate, std::uint32_t burst, Clock::time_point now);

    FloodLimits limits_;
    TokenBucket hellos_;                                        // registrations, overall
    std::unordered_map<std::string, TokenBucket> connections_;  // by routing id
    std::unordered_map<std::string, TokenBucket> hosts_;        // by source address
    std::unordered_map<std::string, TokenBucket> forks_;        // "a:" asker, "i:" invited
};

}  // namespace zchat::broker
