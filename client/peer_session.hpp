// peer_session: one private session over its own PAIR socket. The initiator
// binds a fresh PAIR on an OS-chosen port; the invited side connects a fresh
// PAIR to it. PAIR never reconnects, so any failure or silence ends the session
// for good; a new \fork makes a new one (see PROTOCOL.md, "Why PAIR").
#pragma once

#include <chrono>
#include <deque>
#include <optional>
#include <string>
#include <zmq.hpp>

#include "patterns/event_loop.hpp"
#include "patterns/protocol.hpp"

namespace zchat::client {

class PeerSession {
  public:
    using Clock = EventLoop::Clock;

    // Initiator: binds on tcp://HOST:* and waits for the invited side's hello.
    static PeerSession listen(zmq::context_t& ctx, const std::string& host, std::string peer);
    // Invited side: connects to the initiator and says hello with its token.
    static PeerSession join(zmq::context_t& ctx, const std::string& endpoint, std::string peer,
                            const std::string& token, const std::string& own_name);

    // Invited side, refusing: tells the initiator REASON on its own endpoint,
    // without a hello, and lets the socket go.
    static void decline(zmq::context_t& ctx, const std::string& endpoint,
                        const std::string& reason);

    zmq::socket_t& socket() { return socket_; }
    const std::string& peer() const { return peer_; }
    const std::string& endpoint() const { return endpoint_; }
    const std::string& token() const { return token_; }
    bool initiated() const { return initiated_; }
    bool open() const { return open_; }

    // Reads one message; nullopt when none is waiting. Undecodable frames are
    // dropped (logged at debug) and reading goes on.
    std::optional<protocol::Message> receive();
    // True when HELLO carries this session's token; opens the session.
    bool accept_hello(const protocol::PeerHello& hello);
    // Says PEER_LEAVE; the socket lingers briefly at close so it goes out.
    void leave(const std::string& reason);
    // Queues M and sends what the peer will take, never blocking.
    void send(const protocol::Message& m);
    std::uint64_t next_note_seq() { return ++notes_sent_; }
    // Restarts the liveness clock (after this process itself was stopped).
    void heard_from(Clock::time_point now) {
        last_heard_ = now;
        started_ = now;
        if (blocked_since_) blocked_since_ = now;
    }
    // Heartbeat and liveness: the reason the session is dead, if it is.
    std::optional<std::string> check(Clock::time_point now, std::chrono::milliseconds timeout);

  private:
    PeerSession(zmq::socket_t socket, std::string peer, std::string endpoint, std::string token,
                bool initiated);
    void flush();

    zmq::socket_t socket_;
    std::string peer_;              // the other user's name
    std::string endpoint_;          // where the initiator listens
    std::string token_;             // secret from the invitation, checked in PEER_HELLO
    bool initiated_;                // true on the side that typed \fork (P->)
    bool open_ = false;             // hello exchanged
    Clock::time_point started_;     // for the hello deadline
    Clock::time_point last_heard_;  // any frame from the peer
    Clock::time_point last_ping_;
    std::optional<Clock::time_point> blocked_since_;  // oldest unsent frame
    std::deque<zmq::message_t> unsent_;               // encoded frames the peer has not taken yet
    std::uint64_t notes_sent_ = 0;
};

}  // namespace zchat::client
