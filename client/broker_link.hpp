// broker_link: the client's side of the rendezvous (DEALER) and the lobby
// (SUB), as an explicit state machine (Malamute style): the table in
// broker_link.cpp lists every transition, so a reader can see what happens
// after a broker restart. Never joined yet, the link is `connecting`; after
// its first join a loss makes it `lost`, and it comes back through
// `reconnecting` with its name and a fresh ticket.
//
//   connecting --WELCOME--> subscribing --JOINED--> joined
//       ^  |silence             |silence             |silence, SHUTDOWN,
//       |  v                    v                    |or the broker forgot us
//      retrying <---------------+                    v
//                      reconnecting <--due-- lost (told once)
//                           |WELCOME           ^
//                           v                  |silence
//                      resubscribing ---JOINED---> joined
//
// In every waiting state the link tries again with fresh sockets (Lazy
// Pirate), backing off from 250 ms to 5 s so a dead broker is not flooded.
// Rooms ride on the same two sockets: the link remembers the rooms the user
// is in, asks the broker to apply each change through a ticket (as the
// lobby's), keeps a sequence per room, and rejoins them all whenever it
// rejoins the lobby.
//
// No timers of its own: the client's one tick drives it, with an injected
// clock, so the machine can be tested without waiting.
//
// With keys, both sockets speak CURVE and the broker must prove it holds the
// key we pinned. A failed handshake is not a silent broker: a handshake watch
// tells a plaintext broker, a refused key and a wrong broker key apart (with a
// plaintext probe when libzmq's event is ambiguous) and ends the link with a
// sentence, instead of retrying for ever.
#pragma once

#include <chrono>
#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <zmq.hpp>

#include "client/handshake_watch.hpp"
#include "client/lobby_sequence.hpp"
#include "client/outbox.hpp"
#include "patterns/curve_keys.hpp"
#include "patterns/event_loop.hpp"
#include "patterns/liveness.hpp"
#include "patterns/protocol.hpp"
#include "patterns/registration.hpp"
#include "patterns/ticket_ask.hpp"

namespace zchat::client {

// The keys of a CURVE link; a link without them is plaintext (--insecure).
struct LinkKeys {
    CurveKeys own;
    std::string broker_key;  // Z85
    std::string origin;      // where the broker key came from, for messages
};

// What the link reports to the chat client.
struct LinkEvents {
    // REQUESTED: the name just asked for (the last one held, when rejoining).
    std::function<void(const protocol::Welcome&, bool first, const std::string& requested)>
        registered;
    std::function<void(const protocol::History&)> history;
    std::function<void(bool first)> joined;  // the lobby is live (again)
    std::function<void(const protocol::LobbyText&)> lobby_text;
    std::function<void(const protocol::Notice&)> notice;
    std::function<void(std::uint64_t missed)> gap;
    std::function<void(const std::string& why)> lost;  // once per outage
    std::function<void(const protocol::Error&)> hello_refused;
    std::function<void(const protocol::UserList&)> user_list;
    std::function<void(const protocol::ForkOk&)> fork_ok;
    std::function<void(const protocol::Invite&)> invite;
    std::function<void(const protocol::Error&, const std::string& refused_text)> error;
    // The link cannot work as configured (a key or a security mismatch): it is over.
    std::function<void(const std::string& why)> fatal;
    // A room is live (also again, after a rejoin).
    std::function<void(const protocol::RoomJoined&)> room_joined;
    // HISTORY marks replayed texts, sent before the room went live.
    std::function<void(const protocol::RoomText&, bool history)> room_text;
    std::function<void(const protocol::RoomNotice&)> room_notice;
    std::function<void(const std::string& room, std::uint64_t missed)> room_gap;
    std::function<void(const protocol::RoomList&)> room_list;
};

class BrokerLink {
  public:
    using Clock = std::chrono::steady_clock;
    using Now = std::function<Clock::time_point()>;
    enum class State {
        connecting,     // never joined: HELLO sent on fresh sockets
        subscribing,    // never joined: WELCOME came, the ticket is asked for
        retrying,       // never joined: sockets closed, waiting to try again
        joined,         // the lobby is live
        lost,           // was joined: sockets closed, the user told, waiting
        reconnecting,   // was joined: HELLO sent again
        resubscribing,  // was joined: WELCOME came again
        left,           // the user quit: never again
    };
    enum class Event { welcome, joined, silence, shutdown, forgotten, due, quit };

    BrokerLink(zmq::context_t& ctx, EventLoop& loop, std::string endpoint, std::string name,
               std::chrono::milliseconds broker_timeout, LinkEvents events,
               std::optional<LinkKeys> keys, Now now = &Clock::now);

    // The one clock tick: liveness, heartbeats, retries, pacing.
    void tick();
    // This process was stopped for a while: the broker's silence was ours.
    void forgive();

    State state() const { return state_; }
    bool up() const { return state_ == State::joined; }
    bool ever_joined() const;
    const std::string& name() const { return name_; }
    const std::optional<LinkKeys>& keys() const { return keys_; }
    // The limits the broker announced (the protocol's defaults until then).
    std::size_t max_text() const { return max_text_; }
    std::size_t max_lines() const { return max_lines_; }

    // Lobby (or ROOM's) text goes through a paced queue; false if the lobby is down.
    bool say(std::string text, std::string room = {});
    std::size_t pending() const { return outbox_.pending(); }
    std::size_t queued() const { return outbox_.queued(); }
    // Requests; each returns its cseq, or nullopt when the lobby is down.
    std::optional<std::uint64_t> users();
    std::optional<std::uint64_t> fork(const std::string& peer, const std::string& endpoint,
                                      const std::string& token);
    // Rooms. The link keeps the rooms asked for, and asks again after a rejoin.
    std::optional<std::uint64_t> join_room(const std::string& room);
    std::optional<std::uint64_t> part_room(const std::string& room);
    std::optional<std::uint64_t> list_rooms();
    std::optional<std::uint64_t> who(const std::string& room);
    // Asks the broker to relay no invitations from NAME (ON), or to relay them
    // again. The link keeps the names, and tells every broker it joins.
    void ignore(const std::string& name, bool on);
    const std::set<std::string>& ignored() const { return ignored_; }
    const std::set<std::string>& rooms() const { return rooms_; }

    // Says BYE and lets queued lobby text drain for up to `linger`.
    void leave(std::chrono::milliseconds linger);

  private:
    struct Transition {
        State from;
        Event on;
        State to;
        void (BrokerLink::*act)();
    };
    static const Transition table_[];

    void fire(Event event);
    // Actions, one per arrow in the table.
    void start_registration();
    void subscribe();
    void go_live();
    void give_up();
    void lose();
    void quit();

    void open_sockets();
    void close_sockets();
    void secure(zmq::socket_t& socket);
    void on_handshake(const HandshakeWatch::Report& r);
    void probe();
    void fail(const std::string& why);
    void on_rendezvous();
    void on_lobby();
    void on_reply(protocol::Message&& m);
    void on_history(const protocol::History& h);
    bool same_run() const;
    bool seen_before(const protocol::RoomText& t);
    void on_hello_refused(const protocol::Error& e);
    bool on_room_reply(protocol::Message& m);
    void on_room_live(protocol::RoomJoined& j);
    void room_change_done(std::uint64_t cseq);
    void rejoin_rooms();
    void on_room_published(protocol::Message&& m);
    void deliver_room(protocol::Message&& m);
    void flush_outbox();
    void flush_ignores();
    void on_published(protocol::Message&& m);
    void deliver(protocol::Message&& m);
    bool send(const protocol::Message& m);
    bool registering() const;
    bool subscribing() const;

    zmq::context_t& ctx_;
    EventLoop& loop_;
    std::string endpoint_;  // rendezvous, as given on the command line
    std::string name_;      // requested, then as registered
    std::chrono::milliseconds broker_timeout_;
    LinkEvents events_;
    std::optional<LinkKeys> keys_;
    Now now_;

    State state_ = State::connecting;
    State from_ = State::connecting;       // the state the current transition left
    std::string why_;                      // the reason of the loss being handled
    std::chrono::milliseconds linger_{0};  // for the BYE of quit()
    std::optional<zmq::socket_t> dealer_;
    std::optional<zmq::socket_t> sub_;
    std::optional<zmq::socket_t> probe_;  // plaintext, to tell a plaintext broker from a wrong key
    // Declared after their sockets: a watch must go before its socket does.
    std::optional<HandshakeWatch> dealer_watch_;
    std::optional<HandshakeWatch> probe_watch_;
    int unclear_failures_ = 0;  // ambiguous handshake failures since the last success
    std::optional<Registration> registration_;
    std::string ticket_;  // of the last registration: proves it is us coming back
    std::uint64_t id_ = 0;
    std::size_t max_text_;
    std::size_t max_lines_;
    Liveness broker_;  // lobby traffic and replies from the broker
    Heartbeat heartbeat_;
    Clock::time_point attempt_started_;
    Clock::time_point retry_at_;
    std::chrono::milliseconds backoff_{250};  // next wait before a retry
    LobbySequence sequence_;
    std::deque<protocol::Message> early_;  // live lobby traffic that beat JOINED
    Outbox outbox_;
    std::uint64_t next_cseq_ = 1;

    std::set<std::string> rooms_;                          // joined, or being joined
    std::map<std::uint64_t, std::string> room_asks_;       // JOIN/PART cseq -> room, until answered
    std::map<std::string, LobbySequence> room_sequences_;  // per live room
    // Where each room was when the sockets closed: a rejoin of the same
    // broker run shows only what is new, and reports what is lost.
    std::map<std::string, LobbySequence> rooms_before_;
    std::map<std::string, std::deque<protocol::Message>> room_early_;  // before ROOM_JOINED
    TicketAsk room_ticket_;  // the latest room ticket, until every change is answered

    std::set<std::string> ignored_;            // told to every broker we join
    std::map<std::string, bool> ignores_due_;  // IGNOREs not sent yet, paced with the outbox
};

}  // namespace zchat::client
