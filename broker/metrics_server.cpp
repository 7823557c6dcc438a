// metrics_server: the metrics module, loaded with dlopen, on one thread of its own.
#include "broker/metrics_server.hpp"

#include <dlfcn.h>

#include <charconv>
#include <chrono>
#include <filesystem>

#include "patterns/log.hpp"

namespace zchat::broker {
namespace {

using namespace std::chrono_literals;

constexpr const char* metrics_module_name = "zchat-metrics-http.so";

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

std::string metrics_module_path() {
    std::error_code error;
    const auto program = std::filesystem::read_symlink("/proc/self/exe", error);
    if (error) return metrics_module_name;
    const auto dir = program.parent_path();
    if (std::filesystem::exists(dir / metrics_module_name, error)) return dir / metrics_module_name;
    return (dir / ZCHAT_MODULE_RELDIR / metrics_module_name).lexically_normal();
}

void MetricsServer::Unload::operator()(void* module) const { ::dlclose(module); }

MetricsServer::MetricsServer(const MetricsEndpoint& at, const std::string& module)
    : render_([this] { return render(); }),
      module_(::dlopen(module.c_str(), RTLD_NOW | RTLD_LOCAL)) {
    if (!module_) throw MetricsModuleError(std::string("cannot load ") + ::dlerror());
    auto* open =
        reinterpret_cast<OpenMetricsHttp*>(::dlsym(module_.get(), open_metrics_http_symbol));
    if (!open) throw MetricsModuleError(module + " has no " + open_metrics_http_symbol);
    http_.reset(open(at.host, at.port, render_));
    const bool v6 = at.host.find(':') != std::string::npos;
    const std::string host = v6 ? "[" + at.host + "]" : at.host;
    if (!http_)
        throw BindError("cannot bind metrics endpoint tcp://" + host + ":" +
                        std::to_string(at.port));
    port_ = http_->port();
    url_ = "http://" + host + ":" + std::to_string(port_) + "/metrics";
    thread_ = std::thread([this] {
        try {
            if (!http_->serve()) log::error("metrics: serving stopped on an error");
        } catch (const std::exception& e) {
            log::error("metrics: serving stopped: ", e.what());
        } catch (...) {
            log::error("metrics: serving stopped");
        }
        finished_ = true;
    });
    // httplib 0.11 ignores stop() until its thread has marked itself running,
    // so a stop right after start would be lost and the join would hang.
    while (!http_->running() && !finished_) std::this_thread::sleep_for(1ms);
}

MetricsServer::~MetricsServer() {
    http_->stop();
    thread_.join();
}

std::string MetricsServer::render() {
    MetricsSnapshot snapshot;
    {
        std::lock_guard lock(mutex_);
        snapshot = snapshot_;
    }
    return render_prometheus(snapshot);
}

void MetricsServer::publish(const MetricsSnapshot& snapshot) {
    std::lock_guard lock(mutex_);
    snapshot_ = snapshot;
}

}  // namespace zchat::broker
