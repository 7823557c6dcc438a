// connection_guard: keeps one host from taking every descriptor. It watches
// the broker's bound sockets through libzmq's socket monitor, counts live
// connections per source address, and closes a connection that takes its
// host over the cap, at once, before it has said anything: an idle TCP
// connection never reaches ZAP or the application, so the cap has to act on
// the accepted descriptor itself. The descriptor stays libzmq's: the guard
// only shuts the connection down (shutdown(2)), and libzmq then closes it as
// it closes any connection whose peer went away.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <unordered_map>
#include <vector>
#include <zmq.hpp>

#include "patterns/event_loop.hpp"

namespace zchat::broker {

struct GuardStats {
    std::uint64_t accepted = 0;  // connections seen
    std::uint64_t refused = 0;   // of which closed for taking their host over the cap
};

class ConnectionGuard {
  public:
    // CAP connections per source address over all guarded sockets; 0: no cap.
    ConnectionGuard(zmq::context_t& ctx, EventLoop& loop, std::size_t cap);
    ~ConnectionGuard();
    ConnectionGuard(const ConnectionGuard&) = delete;
    ConnectionGuard& operator=(const ConnectionGuard&) = delete;

    // Watches SOCKET, bound on PORT; call once per bound socket.
    void guard(zmq::socket_t& socket, int port);

    std::size_t connections_from(const std::string& host) const;
    const GuardStats& stats() const { return stats_; }

  private:
    void on_event(zmq::socket_t& monitor);
    void on_accepted(int fd);
    void on_closed(int fd);
    bool ours(int fd, const std::string& host) const;

    zmq::context_t& ctx_;
    EventLoop& loop_;
    std::size_t cap_;
    std::vector<std::unique_ptr<zmq::socket_t>> monitors_;
    std::vector<int> ports_;                      // local ports of the guarded sockets
    std::unordered_map<int, std::string> hosts_;  // live connection fd -> its source address
    std::map<std::string, std::size_t> per_host_;
    GuardStats stats_;
};

// "tcp://127.0.0.1:5555" -> 5555; 0 if there is no port.
int endpoint_port(const std::string& endpoint);

}  // namespace zchat::broker
