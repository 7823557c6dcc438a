// connection_guard: socket monitors, per-host counts, shutdown of the excess.
#include "broker/connection_guard.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <zmq.h>

#include <cstring>

#include "patterns/log.hpp"

namespace zchat::broker {
namespace {

// The address at the other end of FD, or "" if FD is no connected socket.
std::string peer_host(int fd) {
    sockaddr_storage addr{};
    socklen_t len = sizeof addr;
    if (::getpeername(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) return {};
    char text[INET6_ADDRSTRLEN] = {};
    if (addr.ss_family == AF_INET) {
        const auto* in = reinterpret_cast<const sockaddr_in*>(&addr);
        ::inet_ntop(AF_INET, &in->sin_addr, text, sizeof text);
    } else if (addr.ss_family == AF_INET6) {
        const auto* in6 = reinterpret_cast<const sockaddr_in6*>(&addr);
        ::inet_ntop(AF_INET6, &in6->sin6_addr, text, sizeof text);
    }
    return text;
}

int local_port(int fd) {
    sockaddr_storage addr{};
    socklen_t len = sizeof addr;
    if (::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) return 0;
    if (addr.ss_family == AF_INET) return ntohs(reinterpret_cast<sockaddr_in*>(&addr)->sin_port);
    if (addr.ss_family == AF_INET6) return ntohs(reinterpret_cast<sockaddr_in6*>(&addr)->sin6_port);
    return 0;
}

}  // namespace

int endpoint_port(const std::string& endpoint) {
    const auto colon = endpoint.rfind(':');
    if (colon == std::string::npos) return 0;
    try {
        return std::stoi(endpoint.substr(colon + 1));
    } catch (const std::exception&) {
        return 0;
    }
}

ConnectionGuard::ConnectionGuard(zmq::context_t& ctx, EventLoop& loop, std::size_t cap)
    : ctx_(ctx), loop_(loop), cap_(cap) {}

ConnectionGuard::~ConnectionGuard() {
    for (auto& m : monitors_) loop_.unwatch(*m);
}

void ConnectionGuard::guard(zmq::socket_t& socket, int port) {
    const std::string address = "inproc://zchat-guard-" + std::to_string(monitors_.size()) + "-" +
                                std::to_string(reinterpret_cast<std::uintptr_t>(this));
    if (zmq_socket_monitor(socket.handle(), address.c_str(),
                           ZMQ_EVENT_ACCEPTED | ZMQ_EVENT_DISCONNECTED) != 0)
        throw zmq::error_t();
    auto monitor = std::make_unique<zmq::socket_t>(ctx_, zmq::socket_type::pair);
    monitor->set(zmq::sockopt::linger, 0);
    monitor->connect(address);
    auto* raw = monitor.get();
    loop_.watch(*raw, [this, raw] { on_event(*raw); });
    monitors_.push_back(std::move(monitor));
    ports_.push_back(port);
}

void ConnectionGuard::on_event(zmq::socket_t& monitor) {
    for (int i = 0; i < 1024; ++i) {
        zmq::message_t head;
        if (!monitor.recv(head, zmq::recv_flags::dontwait)) return;
        zmq::message_t endpoint;
        if (head.more()) (void)monitor.recv(endpoint, zmq::recv_flags::dontwait);
        if (head.size() < 6) continue;
        std::uint16_t event = 0;
        std::uint32_t value = 0;
        std::memcpy(&event, head.data(), sizeof event);
        std::memcpy(&value, static_cast<const char*>(head.data()) + 2, sizeof value);
        const int fd = static_cast<int>(value);
        if (event == ZMQ_EVENT_ACCEPTED)
            on_accepted(fd);
        else if (event == ZMQ_EVENT_DISCONNECTED)
            on_closed(fd);
    }
}

void ConnectionGuard::on_accepted(int fd) {
    ++stats_.accepted;
    const std::string host = peer_host(fd);
    if (host.empty()) return;  // already gone: its DISCONNECTED follows
    on_closed(fd);             // an fd seen again was closed without our noticing
    hosts_[fd] = host;
    const std::size_t count = ++per_host_[host];
    if (cap_ == 0 || count <= cap_ || !ours(fd, host)) return;
    ++stats_.refused;
    log::debug("closing a connection from ", host, ": it holds ", count - 1,
               " connections already (cap ", cap_, ")");
    ::shutdown(fd, SHUT_RDWR);
}

void ConnectionGuard::on_closed(int fd) {
    const auto it = hosts_.find(fd);
    if (it == hosts_.end()) return;
    const auto count = per_host_.find(it->second);
    if (count != per_host_.end() && --count->second == 0) per_host_.erase(count);
    hosts_.erase(it);
}

// The descriptor may have been closed and reused since the event was queued:
// shut it down only if it is still a connection to one of our ports from HOST.
bool ConnectionGuard::ours(int fd, const std::string& host) const {
    const int port = local_port(fd);
    if (port == 0 || peer_host(fd) != host) return false;
    for (const int p : ports_)
        if (p == port) return true;
    return false;
}

std::size_t ConnectionGuard::connections_from(const std::string& host) const {
    const auto it = per_host_.find(host);
    return it == per_host_.end() ? 0 : it->second;
}

}  // namespace zchat::broker
