// broker_monitor: what an operator sees of a running broker: a snapshot for
// /metrics at every heartbeat (when --metrics is on) and a status line in the
// log every minute. It runs on the broker's loop thread, so it reads the
// broker without locks and hands the metrics thread only copies.
#pragma once

#include <chrono>
#include <string>

#include "broker/broker.hpp"
#include "broker/metrics_server.hpp"
#include "patterns/event_loop.hpp"

namespace zchat::broker {

class BrokerMonitor {
  public:
    // METRICS may be null (no --metrics): then only the status line runs.
    BrokerMonitor(const Broker& broker, EventLoop& loop, MetricsServer* metrics,
                  std::chrono::milliseconds snapshot_every,
                  std::chrono::milliseconds status_every = std::chrono::minutes{1});

    // Hands the metrics server a snapshot now (the timer does it each period;
    // shutdown does it once more so the last scrape sees the final counts).
    void publish();

  private:
    void log_status();

    const Broker& broker_;
    MetricsServer* metrics_;
    EventLoop::Clock::time_point started_ = EventLoop::Clock::now();
    Stats last_status_;  // the counters as the previous status line saw them
    EventLoop::Clock::time_point last_status_at_ = started_;
};

// "status: 3 online, 12.50 messages/s, 0.02 refusals/s (last 60 s)": lobby
// texts published and requests refused per second between two readings.
std::string status_line(std::size_t online, const Stats& before, const Stats& now,
                        std::chrono::duration<double> elapsed);

}  // namespace zchat::broker
