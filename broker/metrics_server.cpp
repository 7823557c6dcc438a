// metrics_server: cpp-httplib (Debian's libcpp-httplib) on one thread of its own.
#include "broker/metrics_server.hpp"

#include <httplib.h>
#include <sys/socket.h>

#include <charconv>
#include <chrono>

#include "patterns/log.hpp"

namespace zchat::broker {
namespace {

using namespace std::chrono_literals;

std::optional<int> parse_port(std::string_view text) {
    if (text == "*") return 0;
    int port = -1;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), port);
    if (error != std::errc{} || end != text.data() + text.size() || port < 0 || port > 65535)
        return std::nullopt;
    return port;
}

}  // namespace

std::optional<MetricsEndpoint> parse_metrics_endpoint(std::string_view endpoint) {
    constexpr std::string_view scheme = "tcp://";
    if (!endpoint.starts_with(scheme)) return std::nullopt;
    endpoint.remove_prefix(scheme.size());
    const auto colon = endpoint.rfind(':');
    if (colon == std::string_view::npos) return std::nullopt;
    std::string_view host = endpoint.substr(0, colon);
    const auto port = parse_port(endpoint.substr(colon + 1));
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']')
        host = host.substr(1, host.size() - 2);
    if (!port || host.empty() || host.find_first_of("[]/ ") != std::string_view::npos)
        return std::nullopt;
    return MetricsEndpoint{host == "*" ? "0.0.0.0" : std::string(host), *port};
}

MetricsServer::MetricsServer(const MetricsEndpoint& at)
    : server_(std::make_unique<httplib::Server>()) {
    // Debian's httplib is a compiled library whose default pool is 8 threads,
    // whatever CPPHTTPLIB_THREAD_POOL_COUNT says here. One is enough for a
    // scraper; httplib takes ownership of the raw pointer.
    server_->new_task_queue = [] { return std::make_unique<httplib::ThreadPool>(1).release(); };
    // An idle connection holds that one worker, and shutdown waits for it:
    // one request per connection and short timeouts bound both.
    server_->set_keep_alive_max_count(1);
    server_->set_keep_alive_timeout(1);
    server_->set_read_timeout(2s);
    server_->set_write_timeout(2s);
    // httplib's default is SO_REUSEPORT, with which a second broker on the
    // same port binds without error and takes half the scrapes.
    server_->set_socket_options([](int fd) {
        const int one = 1;
        ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    });
    server_->Get("/metrics", [this](const httplib::Request&, httplib::Response& response) {
        MetricsSnapshot snapshot;
        {
            std::lock_guard lock(mutex_);
            snapshot = snapshot_;
        }
        response.set_content(render_prometheus(snapshot), std::string(prometheus_content_type));
    });
    port_ = at.port == 0 ? server_->bind_to_any_port(at.host)
                         : (server_->bind_to_port(at.host, at.port) ? at.port : -1);
    const bool v6 = at.host.find(':') != std::string::npos;
    const std::string host = v6 ? "[" + at.host + "]" : at.host;
    if (port_ <= 0)
        throw BindError("cannot bind metrics endpoint tcp://" + host + ":" +
                        std::to_string(at.port));
    url_ = "http://" + host + ":" + std::to_string(port_) + "/metrics";
    thread_ = std::thread([this] {
        try {
            if (!server_->listen_after_bind()) log::error("metrics: serving stopped on an error");
        } catch (const std::exception& e) {
            log::error("metrics: serving stopped: ", e.what());
        } catch (...) {
            log::error("metrics: serving stopped");
        }
        finished_ = true;
    });
    // httplib 0.11 ignores stop() until its thread has marked itself running,
    // so a stop right after start would be lost and the join would hang.
    while (!server_->is_running() && !finished_) std::this_thread::sleep_for(1ms);
}

MetricsServer::~MetricsServer() {
    server_->stop();
    thread_.join();
}

void MetricsServer::publish(const MetricsSnapshot& snapshot) {
    std::lock_guard lock(mutex_);
    snapshot_ = snapshot;
}

}  // namespace zchat::broker
