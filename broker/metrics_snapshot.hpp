// metrics_snapshot: what /metrics shows, copied from the broker on its loop
// thread, and its rendering as Prometheus text (exposition format 0.0.4).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "broker/broker.hpp"

namespace zchat::broker {

// A plain copy: the HTTP thread reads one of these, never the broker itself.
struct MetricsSnapshot {
    Stats stats;
    GateStats tickets;
    std::uint64_t online = 0;
    std::uint64_t history = 0;  // lobby messages held for newcomers
    std::uint64_t resident_bytes = 0;
    std::uint64_t open_fds = 0;
    double uptime_seconds = 0;
};

// Every family with HELP and TYPE, every error code with its own sample (0
// until it happens), so a dashboard never sees a series appear from nowhere.
std::string render_prometheus(const MetricsSnapshot& snapshot);

}  // namespace zchat::broker
