// flood_control: per-connection, per-host, overall and fork buckets.
#include "broker/flood_control.hpp"

#include <algorithm>
#include <iterator>

namespace zchat::broker {

FloodControl::FloodControl(FloodLimits limits, Clock::time_point now)
    : limits_(limits), hellos_(limits.hello_rate, limits.hello_burst, now) {}

TokenBucket& FloodControl::bucket(std::unordered_map<std::string, TokenBucket>& table,
                                  const std::string& key, std::uint32_t rate, std::uint32_t burst,
                                  Clock::time_point now) {
    auto it = table.find(key);
    if (it == table.end()) it = table.emplace(key, TokenBucket(rate, burst, now)).first;
    return it->second;
}

FloodControl::Verdict FloodControl::take(const std::string& rid, const std::string& host,
                                         std::uint32_t cost, Clock::time_point now) {
    if (cost == 0) return Verdict::ok;
    auto& conn = bucket(connections_, rid, limits_.rate, limits_.burst, now);
    auto& from = bucket(hosts_, host, limits_.rate * limits_.host_factor,
                        limits_.burst * limits_.host_factor, now);
    if (!conn.take(now, cost)) return Verdict::connection;
    if (!from.take(now, cost)) return Verdict::host;
    return Verdict::ok;
}

FloodControl::Verdict FloodControl::take_hello(const std::string& rid, const std::string& host,
                                               Clock::time_point now) {
    // Never more than a full bucket, or a small burst could never register.
    const Verdict v = take(rid, host, std::min(limits::hello_cost, limits_.burst), now);
    if (v != Verdict::ok) return v;
    return hellos_.take(now) ? Verdict::ok : Verdict::overall;
}

bool FloodControl::take_fork(const std::string& asker, const std::string& invited,
                             Clock::time_point now) {
    auto& a = bucket(forks_, "a:" + asker, limits_.fork_rate, limits_.fork_burst, now);
    auto& i = bucket(forks_, "i:" + invited, limits_.fork_rate, limits_.fork_burst, now);
    if (!a.take(now)) return false;
    if (i.take(now)) return true;
    return false;
}

void FloodControl::forget_refilled(Clock::time_point now) {
    for (auto* table : {&connections_, &hosts_, &forks_}) {
        for (auto it = table->begin(); it != table->end();)
            it = it->second.full(now) ? table->erase(it) : std::next(it);
    }
}

}  // namespace zchat::broker
