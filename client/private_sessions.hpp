// private_sessions: the client's one model of its private sessions, pending
// and open: their numbers, peers, who opened them, and their PAIR links.
// \ss, \fork, invitations and \leave all ask it; nothing else stores any of it.
//
// Invitations are bounded: at most limits::max_pending_invitations are being
// answered at once and one per inviter; the rest are ignored, and the user is
// told once per inviter and interval how many, not once per invitation.
//
// With keys, every session is CURVE both ways, and the key the broker vouches
// for a peer is checked against known_peers (SSH style): a peer met before
// who comes back with another key is refused, loudly, until the user runs
// \trust NAME. The first session with a peer pins its key. \verify NAME
// gives the safety number to compare out of band (safety_number.hpp), from
// the key the session's handshake really authenticated.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>
#include <zmq.hpp>

#include "client/known_keys.hpp"
#include "client/peer_session.hpp"
#include "patterns/event_loop.hpp"
#include "patterns/zap_handler.hpp"

namespace zchat::client {

struct PrivateSession {
    std::uint64_t key = 0;                   // stable id, also while pending
    int number = 0;                          // what \sw takes; 0 while pending
    std::string peer;                        // the other user
    bool initiated = false;                  // opened by this user (P->) or by the peer (P~>)
    std::optional<std::uint64_t> fork_cseq;  // our FORK, until the session opens
    std::string peer_key;  // with CURVE: the peer's key, as the broker vouched for it
    std::unique_ptr<PeerSession> link;

    bool open() const { return link->open(); }
    const char* marker() const { return initiated ? "P->" : "P~>"; }
};

struct SessionEvents {
    std::function<void(const PrivateSession&)> opened;
    std::function<void(const PrivateSession&, const std::string& text, std::uint64_t ts_us)> note;
    // NUMBER is 0 for a session that never opened; WHY is shown when not empty.
    std::function<void(int number, const std::string& why)> closed;
    std::function<void(const std::string& text)> notice;
};

// What sessions need to speak CURVE; without it they are plaintext (--insecure).
struct PeerSecurity {
    CurveKeys own;
    std::string broker_key;   // known_peers entries are per broker: names are
    std::string known_peers;  // path of the known_peers file
};

class PrivateSessions {
  public:
    using Clock = PeerSession::Clock;
    using NextNumber = std::function<int()>;

    PrivateSessions(zmq::context_t& ctx, EventLoop& loop, std::chrono::milliseconds timeout,
                    NextNumber next_number, SessionEvents events,
                    std::optional<PeerSecurity> security);
    ~PrivateSessions();

    // Why \fork NAME cannot go ahead now (empty: it can).
    std::string fork_obstacle(const std::string& name) const;
    // Binds a PAIR for NAME; the caller asks the broker and reports its cseq.
    PrivateSession& start_fork(const std::string& name, const std::string& host,
                               Clock::time_point now);
    void forked(PrivateSession& s, std::uint64_t cseq) { s.fork_cseq = cseq; }
    void abandon(PrivateSession& s) { close(s.key, ""); }
    // The broker refused FORK CSEQ: true if it was one of ours.
    bool fork_refused(std::uint64_t cseq, const std::string& reason);
    // The broker relayed our FORK; true if the session still waits for the peer.
    bool fork_answered(const protocol::ForkOk& f);
    void invited(const protocol::Invite& inv, const std::string& own_name, Clock::time_point now);

    PrivateSession* by_number(int number);
    const PrivateSession* by_number(int number) const;
    void leave(int number);
    void leave_all(const std::string& reason);
    void tick(Clock::time_point now, bool we_were_paused);
    void set_own_name(std::string name) { own_name_ = std::move(name); }
    // Invitations from an ignored user are dropped unanswered.
    void ignore(const std::string& name, bool on) {
        if (on)
            ignored_users_.insert(name);
        else
            ignored_users_.erase(name);
    }

    bool secure() const { return security_.has_value(); }
    // \verify NAME: the safety number with NAME, or why there is none.
    std::string safety_number_with(const std::string& name) const;
    // \trust NAME: pins the key the broker last offered for NAME, which was
    // refused for differing from the pin. What happened, for the user.
    std::string trust(const std::string& name);

    // Open sessions in number order.
    std::vector<const PrivateSession*> open_sessions() const;

  private:
    ZapHandler::Decision admit(const ZapHandler::Request& r) const;
    std::string label(const std::string& name) const;
    // False (after warning) if the broker's KEY for NAME differs from the pin.
    bool matches_pin(const std::string& name, const std::string& key);
    void pin_on_first_session(const PrivateSession& s);
    std::optional<PeerKeys> keys_for(const std::string& peer_key, std::uint64_t session) const;
    void on_readable(std::uint64_t key);
    void on_message(PrivateSession& s, protocol::Message&& m);
    void close(std::uint64_t key, const std::string& why);
    PrivateSession* find_peer(const std::string& name);
    const PrivateSession* find_peer(const std::string& name) const;
    std::size_t pending_invitations() const;
    void ignore_invitation(const std::string& from, const std::string& why);

    zmq::context_t& ctx_;
    EventLoop& loop_;
    std::chrono::milliseconds timeout_;
    NextNumber next_number_;
    SessionEvents events_;
    std::optional<PeerSecurity> security_;
    std::optional<KnownKeys> known_;
    // Bound before the first CURVE PAIR and closed after the last (declared
    // before sessions_): a CURVE server with no handler admits every key.
    std::optional<ZapHandler> zap_;
    std::map<std::string, std::string> offered_;  // name -> a refused key, for \trust
    std::set<std::string> ignored_users_;         // \ignore: their invitations are dropped
    std::string own_name_;
    std::map<std::uint64_t, PrivateSession> sessions_;
    std::uint64_t next_key_ = 1;
    struct Ignored {
        std::size_t count = 0;
        std::string why;
    };
    std::map<std::string, Ignored> ignored_;  // invitations dropped since the last report
    Clock::time_point last_report_{};
};

}  // namespace zchat::client
