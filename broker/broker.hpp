// broker: the chat-broker process logic. A ROUTER socket for the rendezvous
// (names, user list, fork lookup, lobby input) and an XPUB socket for the lobby
// fan-out, both on the caller's EventLoop thread.
//
// The XPUB runs in manual mode behind a SubscriptionGate: nothing a peer
// subscribes to is applied as it stands. A client's SUB subscribes to its
// secret ticket and the broker applies "lobby" to that connection; only then
// is the client joined, and only joined clients are announced or may speak.
// Applying the subscription is synchronous, so nothing published after it can
// be lost to the PUB/SUB slow-joiner race.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <zmq.hpp>

#include "broker/client_table.hpp"
#include "broker/connection_guard.hpp"
#include "broker/flood_control.hpp"
#include "broker/key_service.hpp"
#include "broker/lobby_history.hpp"
#include "broker/name_store.hpp"
#include "broker/request_table.hpp"
#include "broker/room_table.hpp"
#include "broker/subscription_gate.hpp"
#include "patterns/curve_keys.hpp"
#include "patterns/event_loop.hpp"
#include "patterns/limits.hpp"
#include "patterns/pause_detector.hpp"
#include "patterns/protocol.hpp"
#include "patterns/zap_handler.hpp"

namespace zchat::broker {

// ZAP domains of the broker's two CURVE sockets.
inline constexpr std::string_view rendezvous_domain = "zchat-rendezvous";
inline constexpr std::string_view lobby_domain = "zchat-lobby";

// What a broker that speaks CURVE needs; without it, every socket is plaintext.
struct Security {
    CurveKeys keys;                     // the broker's long-term identity
    std::string names_db = ":memory:";  // the name store (name_store.hpp)
    std::chrono::seconds name_ttl = limits::default_name_ttl;
    std::string key_service;  // plaintext endpoint answering KEY_QUERY; empty: none
};

struct Options {
    std::string rendezvous = "tcp://127.0.0.1:5555";
    std::string lobby = "tcp://127.0.0.1:5556";
    std::chrono::milliseconds client_timeout = limits::client_timeout;
    std::chrono::milliseconds heartbeat = limits::heartbeat_interval;
    std::chrono::milliseconds join_timeout = limits::join_timeout;
    FloodLimits flood;
    std::size_t history = limits::default_history;
    // Per-subscriber queue on the lobby before it drops (gaps then show in seq).
    int lobby_hwm = limits::lobby_hwm;
    // Connections one source address may hold; 0: no cap.
    std::size_t connections_per_host = limits::default_connections_per_host;
    // A fork endpoint must name the host the asker connects from, so no one
    // can make other clients dial a third party. Off only on request.
    bool any_fork_host = false;
    // CURVE on both sockets, keys bound to names; nullopt: plaintext (--insecure).
    std::optional<Security> curve;
};

// Thrown by the constructor when an endpoint cannot be bound.
struct BindError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// A bound endpoint as another machine would dial it: a wildcard host
// (0.0.0.0, [::], *) replaced by this machine's host name.
std::string public_endpoint(const std::string& bound);

// Refusals are counted in an array indexed by ErrorCode, which holds only if
// the codes run from 1 without a gap.
constexpr bool error_codes_dense() {
    for (std::size_t i = 0; i < std::size(protocol::error_code_names); ++i)
        if (static_cast<std::size_t>(protocol::error_code_names[i].first) != i + 1) return false;
    return true;
}
static_assert(error_codes_dense(), "Stats::refused_by_code needs ErrorCode values 1..N");

// Counters an operator (and the tests) can read.
struct Stats {
    std::uint64_t registered = 0;
    std::uint64_t published = 0;       // lobby texts
    std::uint64_t room_published = 0;  // room texts
    std::uint64_t refused = 0;         // every input answered with ERROR
    std::uint64_t rate_limited = 0;    // of which over a bucket
    std::uint64_t unroutable = 0;      // replies to clients that had vanished
    // Lobby texts times the clients online as each was published: what the
    // fan-out was asked to deliver (a subscriber over --lobby-hwm misses some).
    std::uint64_t deliveries = 0;
    std::uint64_t room_deliveries = 0;  // room texts times the room's members
    // `refused` by ErrorCode value; [0] is no code and stays 0.
    std::array<std::uint64_t, std::size(protocol::error_code_names) + 1> refused_by_code{};
};

// One request being handled: who sent it, from where, and what.
struct Request {
    const RoutingId& rid;
    std::string host;  // the connection's source address
    std::string key;   // the connection's CURVE key (Z85) as ZAP admitted it; empty: plaintext
    protocol::Message& message;
    Client* client;  // nullptr until registered
    EventLoop::Clock::time_point now;
};

class Broker {
  public:
    Broker(zmq::context_t& ctx, EventLoop& loop, Options options);

    const std::string& rendezvous_endpoint() const { return rendezvous_endpoint_; }
    const std::string& lobby_endpoint() const { return lobby_endpoint_; }
    // Empty when the broker runs no key service.
    std::string key_service_endpoint() const {
        return key_service_ ? key_service_->endpoint() : std::string();
    }
    const Stats& stats() const { return stats_; }
    const GateStats& gate_stats() const { return gate_.stats(); }
    const GuardStats& guard_stats() const { return guard_.stats(); }
    std::size_t online() const { return clients_.online_names().size(); }
    std::size_t registered() const { return clients_.registered(); }
    std::size_t flood_state() const { return flood_.tracked(); }
    std::size_t history_size() const { return history_.entries().size(); }

    // Tells the lobby the broker is going down; the sockets linger briefly.
    void shutdown(const std::string& reason);

  private:
    friend struct RequestTable;

    void on_rendezvous();
    void on_frames(const RoutingId& from, zmq::message_t& body, std::size_t extra_frames);
    void on_tick();
    bool admit(Request& r, const RequestRule& rule);

    void on_hello(Request& r);
    void on_ping(Request& r);
    void on_say(Request& r);
    void on_users(Request& r);
    void on_fork(Request& r);
    void on_bye(Request& r);
    void on_join_room(Request& r);
    void on_part_room(Request& r);
    void on_say_room(Request& r);
    void on_rooms(Request& r);
    void on_who(Request& r);
    void on_ignore(Request& r);

    ZapHandler::Decision admit_key(const ZapHandler::Request& r);
    Client* register_client(Request& r, const std::string& resume, const std::string& requested);
    void forget_expired_names();

    const TicketGrant* grant_for(std::string_view ticket, std::string_view user_id);
    void on_ticket_applied(std::string_view ticket);
    void join(const RoutingId& rid, Client& c);
    void join_rooms(const RoutingId& rid, Client& c);
    static bool announced_in(const Client& c, const std::string& room);
    void forget_unapplied_joins(Client& c);
    void leave_room(Room& room, const std::string& name, const std::string& reason, bool announce);
    // A new ticket for C, whose subscription applies what C's grant holds now.
    Room* member_room(Request& r, std::uint64_t cseq, const std::string& name,
                      const std::string& hint);
    void regrant(const RoutingId& rid, Client& c, std::uint64_t cseq, const std::string& room);
    // Why TEXT may not be published (nullopt if it may), for SAY and SAY_ROOM.
    std::optional<std::pair<protocol::ErrorCode, std::string>> text_refusal(
        const std::string& text) const;
    void announce_joins();
    void drop(const RoutingId& rid, const std::string& reason);
    void refuse(const RoutingId& to, std::uint64_t cseq, protocol::ErrorCode code,
                const std::string& reason);
    bool reply(const RoutingId& to, const protocol::Message& m);
    void publish(const protocol::Message& m) { publish_on(protocol::lobby_topic, m); }
    void publish_on(std::string_view topic, const protocol::Message& m);

    Options options_;
    EventLoop& loop_;
    // Bound before, and closed after, the CURVE sockets: a CURVE server with
    // no handler in its context would admit every key.
    std::optional<ZapHandler> zap_;
    std::unique_ptr<NameStore> names_;
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
    ClientTable clients_;
    FloodControl flood_;
    SubscriptionGate gate_;
    ConnectionGuard guard_;
    std::optional<KeyService> key_service_;
    LobbyHistory history_;
    RoomTable rooms_;
    PauseDetector pause_;
    Stats stats_;
};

}  // namespace zchat::broker
