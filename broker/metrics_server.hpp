// metrics_server: the optional HTTP endpoint that serves GET /metrics to
// Prometheus (chat-broker --metrics). Its own thread answers from the last
// snapshot the loop thread published, under a mutex; it never touches the
// broker or any socket of the loop.
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>

#include "broker/metrics_snapshot.hpp"

namespace httplib {
class Server;
}

namespace zchat::broker {

struct MetricsEndpoint {
    std::string host;  // as given to bind: "127.0.0.1", "::1", "0.0.0.0"
    int port = 0;      // 0: any free port
};

// "tcp://HOST:PORT" as the other endpoints are written: HOST an address, a
// name, [IPv6] or * (every interface); PORT a number or * (any free port, as 0).
std::optional<MetricsEndpoint> parse_metrics_endpoint(std::string_view endpoint);

class MetricsServer {
  public:
    // Binds at once, on the caller's thread, so a taken port is a BindError
    // before the broker runs; then serves on its own thread.
    explicit MetricsServer(const MetricsEndpoint& at);
    ~MetricsServer();  // stops serving and joins the thread
    MetricsServer(const MetricsServer&) = delete;
    MetricsServer& operator=(const MetricsServer&) = delete;

    // "http://127.0.0.1:9464/metrics", with the port actually bound.
    const std::string& url() const { return url_; }
    int port() const { return port_; }

    // Called by the loop thread; what the next GET /metrics shows.
    void publish(const MetricsSnapshot& snapshot);

  private:
    std::unique_ptr<httplib::Server> server_;
    std::mutex mutex_;
    MetricsSnapshot snapshot_;  // guarded by mutex_
    int port_ = 0;
    std::string url_;
    std::atomic<bool> finished_ = false;  // the serving thread has returned
    std::thread thread_;                  // last: it starts once the rest is built
};

}  // namespace zchat::broker
