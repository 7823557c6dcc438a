// metrics_http: cpp-httplib (Debian's libcpp-httplib) behind MetricsHttp, in
// the module zchat-metrics-http.so.
#include "broker/metrics_http.hpp"

#include <httplib.h>
#include <sys/socket.h>

#include <chrono>
#include <memory>
#include <type_traits>

namespace zchat::broker {
namespace {

using namespace std::chrono_literals;

class HttplibMetrics final : public MetricsHttp {
  public:
    explicit HttplibMetrics(const MetricsHttp::Render& render) {
        // Debian's httplib is a compiled library whose default pool is 8
        // threads, whatever CPPHTTPLIB_THREAD_POOL_COUNT says here. One is
        // enough for a scraper; httplib takes ownership of the raw pointer.
        server_.new_task_queue = [] { return std::make_unique<httplib::ThreadPool>(1).release(); };
        // An idle connection holds that one worker, and shutdown waits for it:
        // one request per connection and short timeouts bound both.
        server_.set_keep_alive_max_count(1);
        server_.set_keep_alive_timeout(1);
        server_.set_read_timeout(2s);
        server_.set_write_timeout(2s);
        // httplib's default is SO_REUSEPORT, with which a second broker on the
        // same port binds without error and takes half the scrapes.
        server_.set_socket_options([](int fd) {
            const int one = 1;
            ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        });
        server_.Get("/metrics", [&render](const httplib::Request&, httplib::Response& response) {
            response.set_content(render(), std::string(prometheus_content_type));
        });
    }

    bool bind(const std::string& host, int port) {
        port_ = port == 0 ? server_.bind_to_any_port(host)
                          : (server_.bind_to_port(host, port) ? port : -1);
        return port_ > 0;
    }

    int port() const override { return port_; }
    bool serve() override { return server_.listen_after_bind(); }
    bool running() const override { return server_.is_running(); }
    void stop() override { server_.stop(); }

  private:
    httplib::Server server_;
    int port_ = -1;
};

}  // namespace
}  // namespace zchat::broker

extern "C" zchat::broker::MetricsHttp* zchat_open_metrics_http(
    const std::string& host, int port, const zchat::broker::MetricsHttp::Render& render) {
    auto http = std::make_unique<zchat::broker::HttplibMetrics>(render);
    return http->bind(host, port) ? http.release() : nullptr;
}

// dlsym cannot check a signature: the compiler checks it here instead.
static_assert(std::is_same_v<decltype(zchat_open_metrics_http), zchat::broker::OpenMetricsHttp>);
