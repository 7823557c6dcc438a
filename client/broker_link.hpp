// broker_link: the client's side of the rendezvous (DEALER) and the lobby (SUB),
// written as explicit states so a reader can see what happens after a broker
// restart:
//
//   registering --WELCOME--> subscribing --JOINED--> joined
//        ^                                             |
//        |            no lobby traffic for 3 s,        |
//        +---- backoff <-- down <-- SHUTDOWN, or ------+
//
// In every state but joined the link keeps trying with fresh sockets (Lazy
// Pirate), backing off up to a cap so a dead broker is not flooded.
#pragma once

#include <chrono>
#include <deque>
#include <functional>
#include <optional>
#include <string>
#include <zmq.hpp>

#include "patterns/event_loop.hpp"
#include "patterns/pause_detector.hpp"
#include "patterns/protocol.hpp"
#include "patterns/token_bucket.hpp"

namespace zchat::client {

// What the link reports to the chat client.
struct LinkEvents {
    std::function<void(const protocol::Welcome&, bool first)> registered;
    std::function<void(const protocol::History&)> history;
    std::function<void()> joined;  // the lobby is live (again)
    std::function<void(const protocol::LobbyText&)> lobby_text;
    std::function<void(const protocol::Notice&)> notice;
    std::function<void(std::uint64_t missed)> gap;
    std::function<void(const std::string& why)> lost;  // once per outage
    std::function<void(const protocol::UserList&)> user_list;
    std::function<void(const protocol::ForkOk&)> fork_ok;
    std::function<void(const protocol::Invite&)> invite;
    std::function<void(const protocol::Error&, const std::string& refused_text)> error;
};

class BrokerLink {
  public:
    enum class State { registering, subscribing, joined, down };

    BrokerLink(zmq::context_t& ctx, EventLoop& loop, std::string endpoint, std::string name,
               std::chrono::milliseconds broker_timeout, LinkEvents events);

    State state() const { return state_; }
    bool up() const { return state_ == State::joined; }
    bool ever_joined() const { return ever_joined_; }
    const std::string& name() const { return name_; }
    std::uint64_t id() const { return id_; }

    // Lobby text goes through a paced queue; false if the lobby is down.
    bool say(std::string text);
    // Lobby text not yet seen back on the lobby (queued, or sent and unconfirmed).
    std::size_t pending() const { return outbox_.size() + unconfirmed_; }
    // Requests; each returns its cseq, or nullopt when the lobby is down.
    std::optional<std::uint64_t> users();
    std::optional<std::uint64_t> fork(const std::string& peer, const std::string& endpoint,
                                      const std::string& token);
    // Says BYE and lets queued lobby text drain for up to `linger`.
    void leave(std::chrono::milliseconds linger);

  private:
    void open_sockets();
    void close_sockets();
    void on_rendezvous();
    void on_lobby();
    void on_reply(protocol::Message&& m);
    void on_published(protocol::Message&& m);
    void on_welcome(protocol::Welcome&& w);
    void on_joined(const protocol::Joined& j);
    bool track(std::uint64_t epoch, std::uint64_t seq);
    void deliver(protocol::Message&& m);
    void on_tick();
    void go_down(const std::string& why);
    void retry();
    void flush_outbox();
    bool send(const protocol::Message& m);

    zmq::context_t& ctx_;
    EventLoop& loop_;
    std::string endpoint_;  // rendezvous, as given on the command line
    std::string name_;      // requested, then as registered
    std::chrono::milliseconds broker_timeout_;
    LinkEvents events_;

    std::optional<zmq::socket_t> dealer_;
    std::optional<zmq::socket_t> sub_;
    State state_ = State::registering;
    bool ever_joined_ = false;
    bool outage_reported_ = false;  // the user was told of this outage
    bool left_ = false;             // the user left: never reconnect
    std::uint64_t id_ = 0;
    std::string welcome_topic_;
    std::chrono::milliseconds heartbeat_{1000};  // PING period, from WELCOME
    EventLoop::Clock::time_point last_ping_;
    std::chrono::milliseconds backoff_{250};   // next wait before a retry
    EventLoop::Clock::time_point last_heard_;  // lobby or reply traffic
    EventLoop::Clock::time_point attempt_started_;
    std::uint64_t epoch_ = 0;              // broker epoch being tracked
    std::uint64_t last_seq_ = 0;           // last lobby seq seen in that epoch
    std::deque<protocol::Message> early_;  // live lobby traffic that beat JOINED
    std::uint64_t next_cseq_ = 1;
    struct Pending {
        std::uint64_t cseq;
        std::string text;
    };
    std::deque<Pending> outbox_;   // lobby text not yet sent
    std::deque<Pending> sent_;     // sent, kept briefly to name a refusal
    std::size_t unconfirmed_ = 0;  // sent, not yet published back to us
    TokenBucket bucket_{100, 500};
    std::optional<EventLoop::TimerId> flush_timer_;
    PauseDetector pause_{std::chrono::seconds{1}};  // a tick 4x late: we were stopped
};

}  // namespace zchat::client
