// broker: the chat-broker process logic. A ROUTER socket for the rendezvous
// (names, user list, fork lookup, lobby input) and an XPUB socket for the lobby
// fan-out, both on the caller's EventLoop thread.
//
// XPUB rather than plain PUB: it publishes exactly like PUB, and also lets the
// broker see a client's subscription arrive. A client counts as joined only
// once its per-client welcome topic shows up there, so the slow-joiner race of
// PUB/SUB cannot eat its first lobby messages.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <zmq.hpp>

#include "broker/lobby_history.hpp"
#include "broker/name_registry.hpp"
#include "patterns/event_loop.hpp"
#include "patterns/limits.hpp"
#include "patterns/protocol.hpp"
#include "patterns/token_bucket.hpp"

namespace zchat::broker {

struct Options {
    std::string rendezvous = "tcp://127.0.0.1:5555";
    std::string lobby = "tcp://127.0.0.1:5556";
    std::chrono::milliseconds client_timeout = limits::client_timeout;
    std::chrono::milliseconds heartbeat = limits::heartbeat_interval;
    std::uint32_t rate = limits::default_rate_per_s;
    std::uint32_t burst = limits::default_burst;
    std::size_t history = limits::default_history;
    // Per-subscriber queue on the lobby before PUB drops (gaps then show in seq).
    int lobby_hwm = 100000;
};

// Thrown by the constructor when an endpoint cannot be bound.
struct BindError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// Counters an operator (and the tests) can read.
struct Stats {
    std::uint64_t registered = 0;
    std::uint64_t published = 0;
    std::uint64_t refused = 0;       // every input answered with ERROR or dropped
    std::uint64_t rate_limited = 0;  // of which over the token bucket
    std::uint64_t unroutable = 0;    // replies to clients that had vanished
};

class Broker {
  public:
    Broker(zmq::context_t& ctx, EventLoop& loop, Options options);

    const std::string& rendezvous_endpoint() const { return rendezvous_endpoint_; }
    const std::string& lobby_endpoint() const { return lobby_endpoint_; }
    const Stats& stats() const { return stats_; }
    std::size_t online() const { return clients_.size(); }

    // Tells the lobby the broker is going down; the sockets linger briefly.
    void shutdown(const std::string& reason);

  private:
    struct Client {
        std::uint64_t id;                         // broker-assigned, in WELCOME
        std::string name;                         // registered, unique
        std::string welcome_topic;                // subscription that proves SUB is live
        TokenBucket bucket;                       // flood control
        EventLoop::Clock::time_point last_heard;  // liveness
        bool joined = false;                      // subscription seen, JOIN announced
    };
    using RoutingId = std::string;

    void on_rendezvous();
    void on_subscription();
    void on_frames(const RoutingId& from, std::string_view body, std::size_t extra_frames);
    void on_tick();

    void handle(const RoutingId& from, protocol::Hello&& m);
    void handle(Client& c, const RoutingId& from, protocol::Say&& m);
    void handle(Client& c, const RoutingId& from, protocol::Users&& m);
    void handle(Client& c, const RoutingId& from, protocol::Fork&& m);
    void handle(Client& c, const RoutingId& from, protocol::Bye&& m);

    void join(const RoutingId& rid, Client& c);
    void announce_joins();
    void drop(const RoutingId& rid, const std::string& reason);
    void refuse(const RoutingId& to, std::uint64_t cseq, protocol::ErrorCode code,
                const std::string& reason);
    bool reply(const RoutingId& to, const protocol::Message& m);
    void publish(const protocol::Message& m);

    Options options_;
    EventLoop& loop_;
    zmq::socket_t router_;
    zmq::socket_t xpub_;
    std::string rendezvous_endpoint_;
    std::string lobby_endpoint_;
    std::uint64_t epoch_;    // this broker run; a restart starts a new one
    std::string broker_id_;  // for federation: which broker stamped a message
    std::uint64_t seq_ = 0;  // last lobby sequence number published
    std::uint64_t next_id_ = 1;
    // Joins not yet announced: one NOTICE names all who joined within a short
    // window, so a storm of N joins costs a few notices, not N (each of which
    // goes to every subscriber: N^2 deliveries).
    std::string pending_joins_;
    std::optional<EventLoop::TimerId> join_timer_;
    std::unordered_map<RoutingId, Client> clients_;
    std::unordered_map<std::string, RoutingId> by_welcome_topic_;
    NameRegistry names_;
    LobbyHistory history_;
    Stats stats_;
};

}  // namespace zchat::broker
