// metrics_server: the optional HTTP endpoint that serves GET /metrics to
// Prometheus (chat-broker --metrics). Its own thread answers from the last
// snapshot the loop thread published, under a mutex; it never touches the
// broker or any socket of the loop. The HTTP itself is in a module loaded
// here (metrics_http.hpp says why).
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>

#include "broker/metrics_http.hpp"
#include "broker/metrics_snapshot.hpp"

namespace zchat::broker {

struct MetricsEndpoint {
    std::string host;  // as given to bind: "127.0.0.1", "::1", "0.0.0.0"
    int port = 0;      // 0: any free port
};

// "tcp://HOST:PORT" as the other endpoints are written: HOST an address, a
// name, [IPv6] or * (every interface); PORT a number or * (any free port, as 0).
std::optional<MetricsEndpoint> parse_metrics_endpoint(std::string_view endpoint);

// The module is missing or unusable.
struct MetricsModuleError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// Where chat-broker finds zchat-metrics-http.so: beside the program (a build
// tree), else where `cmake --install` puts it, relative to the program so an
// installed tree can move.
std::string metrics_module_path();

class MetricsServer {
  public:
    // Loads MODULE and binds at once, on the caller's thread, so a taken port
    // is a BindError before the broker runs; then serves on its own thread.
    explicit MetricsServer(const MetricsEndpoint& at,
                           const std::string& module = metrics_module_path());
    ~MetricsServer();  // stops serving and joins the thread
    MetricsServer(const MetricsServer&) = delete;
    MetricsServer& operator=(const MetricsServer&) = delete;

    // "http://127.0.0.1:9464/metrics", with the port actually bound.
    const std::string& url() const { return url_; }
    int port() const { return port_; }

    // Called by the loop thread; what the next GET /metrics shows.
    void publish(const MetricsSnapshot& snapshot);

  private:
    struct Unload {
        void operator()(void* module) const;
    };
    std::string render();

    std::mutex mutex_;
    MetricsSnapshot snapshot_;  // guarded by mutex_
    MetricsHttp::Render render_;
    std::unique_ptr<void, Unload> module_;  // before http_: its code must outlive it
    std::unique_ptr<MetricsHttp> http_;
    int port_ = 0;
    std::string url_;
    std::atomic<bool> finished_ = false;  // the serving thread has returned
    std::thread thread_;                  // last: it starts once the rest is built
};

}  // namespace zchat::broker
