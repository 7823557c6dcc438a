// broker_monitor: the heartbeat snapshot and the minute's status line.
#include "broker/broker_monitor.hpp"

#include <cstdio>

#include "broker/self_usage.hpp"
#include "patterns/log.hpp"

namespace zchat::broker {

BrokerMonitor::BrokerMonitor(const Broker& broker, EventLoop& loop, MetricsServer* metrics,
                             std::chrono::milliseconds snapshot_every,
                             std::chrono::milliseconds status_every)
    : broker_(broker), metrics_(metrics) {
    if (metrics_) {
        publish();
        loop.every(snapshot_every, [this] { publish(); });
    }
    loop.every(status_every, [this] { log_status(); });
}

void BrokerMonitor::publish() {
    if (!metrics_) return;
    const auto usage = read_self_usage();
    const std::chrono::duration<double> uptime = EventLoop::Clock::now() - started_;
    metrics_->publish({broker_.stats(), broker_.gate_stats(), broker_.online(),
                       broker_.history_size(), usage.resident_bytes, usage.open_fds,
                       uptime.count()});
}

void BrokerMonitor::log_status() {
    const auto now = EventLoop::Clock::now();
    log::info(status_line(broker_.online(), last_status_, broker_.stats(), now - last_status_at_));
    last_status_ = broker_.stats();
    last_status_at_ = now;
}

std::string status_line(std::size_t online, const Stats& before, const Stats& now,
                        std::chrono::duration<double> elapsed) {
    const double seconds = elapsed.count() > 0 ? elapsed.count() : 1;
    char line[160];
    std::snprintf(line, sizeof line,
                  "status: %zu online, %.2f messages/s, %.2f refusals/s (last %.0f s)", online,
                  static_cast<double>(now.published + now.room_published - before.published -
                                      before.room_published) /
                      seconds,
                  static_cast<double>(now.refused - before.refused) / seconds, seconds);
    return line;
}

}  // namespace zchat::broker
