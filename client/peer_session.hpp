// peer_session: one private session over its own PAIR socket. The initiator
// binds a fresh PAIR on an OS-chosen port; the invited side connects a fresh
// PAIR to it. PAIR never reconnects, so any failure or silence ends the session
// for good; a new \fork makes a new one (see PROTOCOL.md, "Why PAIR").
//
// The token from the invitation is the session's secret: a PEER_HELLO or
// PEER_LEAVE without it is dropped, so a stranger who reaches the port can
// neither open nor end the session.
//
// With keys the PAIR speaks CURVE: the initiator's is a CURVE server holding
// its long-term key, whose ZAP domain admits only the invited user's key (the
// caller's ZAP handler decides); the invited side connects with the
// initiator's key as the server key, so each side proves its key to the other.
#pragma once

#include <chrono>
#include <deque>
#include <optional>
#include <string>
#include <zmq.hpp>

#include "patterns/curve_keys.hpp"
#include "patterns/liveness.hpp"
#include "patterns/protocol.hpp"

namespace zchat::client {

// A private session's CURVE setup.
struct PeerKeys {
    CurveKeys own;
    std::string peer_key;    // join, decline: the key the initiator must prove
    std::string zap_domain;  // listen: the domain whose ZAP answer admits the peer
};

class PeerSession {
  public:
    using Clock = Liveness::Clock;

    // Initiator: binds on tcp://HOST:* and waits for the invited side's hello.
    // KEYS: CURVE (nullptr: plaintext).
    static PeerSession listen(zmq::context_t& ctx, const std::string& host, Clock::time_point now,
                              std::chrono::milliseconds timeout, const PeerKeys* keys = nullptr);
    // Invited side: connects to the initiator and says hello with its token.
    static PeerSession join(zmq::context_t& ctx, const std::string& endpoint,
                            const std::string& token, const std::string& own_name,
                            Clock::time_point now, std::chrono::milliseconds timeout,
                            const PeerKeys* keys = nullptr);
    // Invited side, refusing: tells the initiator REASON on its own endpoint,
    // with the invitation's token, and lets the socket go.
    static void decline(zmq::context_t& ctx, const std::string& endpoint, const std::string& token,
                        const std::string& reason, const PeerKeys* keys = nullptr);

    zmq::socket_t& socket() { return socket_; }
    const std::string& endpoint() const { return endpoint_; }
    const std::string& token() const { return token_; }
    // Initiator: every frame must come from a connection ZAP admitted with
    // KEY (its User-Id); anything else is dropped.
    void expect_key(std::string key) { expected_key_ = std::move(key); }
    bool open() const { return open_; }
    // Frames queued because the peer would not take them yet, and sending
    // them now that it may (the liveness tick does it too).
    std::size_t backlog() const { return unsent_.size(); }
    void flush(Clock::time_point now) {
        now_ = now;
        flush();
    }

    // Reads one message; nullopt when none is waiting. Undecodable frames, and
    // a hello or leave without this session's token, are dropped.
    std::optional<protocol::Message> receive(Clock::time_point now);
    // The invited side's hello was right: the session is open (initiator answers it).
    void accept(const std::string& own_name);
    // The initiator's answer came: the session is open (invited side).
    void opened() { open_ = true; }
    // Says PEER_LEAVE; the socket lingers briefly at close so it goes out.
    void leave(const std::string& reason);
    void note(std::string text, std::uint64_t ts_us);
    // The process itself was stopped: the silence was ours.
    void forgive(Clock::time_point now);
    // Heartbeat and liveness: the reason the session is dead, if it is.
    std::optional<std::string> check(Clock::time_point now);
    Liveness::State liveness(Clock::time_point now) const { return peer_.state(now); }

  private:
    PeerSession(zmq::socket_t socket, std::string endpoint, std::string token,
                Clock::time_point now, std::chrono::milliseconds timeout);
    void send(const protocol::Message& m);
    void flush();

    zmq::socket_t socket_;
    std::string endpoint_;      // where the initiator listens
    std::string token_;         // secret from the invitation, checked in PEER_HELLO and PEER_LEAVE
    std::string expected_key_;  // initiator with CURVE: the invited user's key
    bool open_ = false;         // hello exchanged
    Clock::time_point started_;
    std::chrono::milliseconds timeout_;  // silence, or a hello this late, ends the session
    Liveness peer_;                      // any frame from the peer
    Heartbeat heartbeat_;                // PEER_PING when we have said nothing
    std::optional<Clock::time_point> blocked_since_;  // oldest unsent frame
    Clock::time_point now_;                           // of the latest call that had a clock
    std::deque<zmq::message_t> unsent_;               // encoded frames the peer has not taken yet
    std::uint64_t notes_sent_ = 0;
};

}  // namespace zchat::client
