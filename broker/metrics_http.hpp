// metrics_http: the HTTP half of --metrics, built as a module of its own
// (zchat-metrics-http.so) that the broker loads only when --metrics is given.
// Debian builds cpp-httplib with OpenSSL, zlib and brotli, and loading it maps
// and relocates all of them and runs OpenSSL's initialisation: 3.7 MB
// resident in every broker, metrics or not, and TLS code in a process that
// speaks no TLS. Only this interface crosses the module's edge.
#pragma once

#include <functional>
#include <string>
#include <string_view>

namespace zchat::broker {

inline constexpr std::string_view prometheus_content_type =
    "text/plain; version=0.0.4; charset=utf-8";

class MetricsHttp {
  public:
    using Render = std::function<std::string()>;  // the body of one GET /metrics

    virtual ~MetricsHttp() = default;
    virtual int port() const = 0;      // the port bound
    virtual bool serve() = 0;          // blocks until stop(); false on an error
    virtual bool running() const = 0;  // serve() has started listening
    virtual void stop() = 0;           // from any thread
};

// The module's one entry point, found by this name: binds HOST:PORT (PORT 0:
// any free port) on the caller's thread and returns the endpoint, not yet
// serving; null if it cannot bind. RENDER must outlive it.
using OpenMetricsHttp = MetricsHttp*(const std::string& host, int port,
                                     const MetricsHttp::Render& render);
inline constexpr const char* open_metrics_http_symbol = "zchat_open_metrics_http";

}  // namespace zchat::broker
