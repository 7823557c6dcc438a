// private_sessions: forks, invitations, the PAIR handshake, leaving and liveness.
#include "client/private_sessions.hpp"

#include <algorithm>
#include <utility>

#include "patterns/limits.hpp"
#include "patterns/log.hpp"
#include "patterns/safety_number.hpp"

namespace zchat::client {
namespace {

// Ignored invitations are summed up at most this often, per inviter.
constexpr auto report_interval = std::chrono::seconds{10};
// Session N's PAIR asks the ZAP handler under this domain, N appended.
constexpr std::string_view fork_domain = "zchat-fork-";

}  // namespace

PrivateSessions::PrivateSessions(zmq::context_t& ctx, EventLoop& loop,
                                 std::chrono::milliseconds timeout, NextNumber next_number,
                                 SessionEvents events, std::optional<PeerSecurity> security)
    : ctx_(ctx),
      loop_(loop),
      timeout_(timeout),
      next_number_(std::move(next_number)),
      events_(std::move(events)),
      security_(std::move(security)) {
    if (!security_) return;
    known_.emplace(security_->known_peers);
    zap_.emplace(ctx_, loop_, [this](const ZapHandler::Request& r) { return admit(r); });
}

// The initiator's PAIR admits exactly the key the broker vouched for the
// invited user; until FORK_OK says which, the handshake waits.
ZapHandler::Decision PrivateSessions::admit(const ZapHandler::Request& r) const {
    if (!r.domain.starts_with(fork_domain)) return ZapHandler::deny();
    const auto it =
        sessions_.find(std::strtoull(r.domain.c_str() + fork_domain.size(), nullptr, 10));
    if (it == sessions_.end() || !it->second.initiated) return ZapHandler::deny();
    const auto& s = it->second;
    if (s.peer_key.empty()) return s.fork_cseq ? ZapHandler::wait() : ZapHandler::deny();
    return r.key == s.peer_key ? ZapHandler::allow(r.key) : ZapHandler::deny();
}

std::optional<PeerKeys> PrivateSessions::keys_for(const std::string& peer_key,
                                                  std::uint64_t session) const {
    if (!security_) return std::nullopt;
    return PeerKeys{security_->own, peer_key, std::string(fork_domain) + std::to_string(session)};
}

std::string PrivateSessions::label(const std::string& name) const {
    return security_->broker_key + " " + name;
}

bool PrivateSessions::matches_pin(const std::string& name, const std::string& key) {
    const auto pin = known_->find(label(name));
    if (!pin || pin->key == key) return true;
    offered_[name] = key;
    events_.notice("WARNING: the broker says " + name + "'s key is " + key_fingerprint(key) +
                   ", but you pinned " + key_fingerprint(pin->key) + " for " + name + " in " +
                   known_->where(*pin) + ". Someone may be posing as " + name + ", or " + name +
                   " has a new key. Private sessions with " + name +
                   " are refused until you check with them another way and run \\trust " + name);
    return false;
}

void PrivateSessions::pin_on_first_session(const PrivateSession& s) {
    if (!security_ || known_->find(label(s.peer))) return;
    try {
        known_->add(label(s.peer), s.peer_key);
        events_.notice("first private session with " + s.peer + ": their key " +
                       key_fingerprint(s.peer_key) + " is now pinned (\\verify " + s.peer +
                       " to check it with them)");
    } catch (const KnownKeysError& e) {
        events_.notice(e.what());
    }
}

std::string PrivateSessions::safety_number_with(const std::string& name) const {
    if (!security_) return "no keys, no safety number: this client runs --insecure";
    const PrivateSession* s = find_peer(name);
    std::string key = s && s->open() ? s->peer_key : "";
    std::string source = "the key your private session with " + name + " authenticated";
    if (key.empty()) {
        const auto pin = known_->find(label(name));
        if (!pin) return "no key known for " + name + ": \\fork " + name + " first";
        key = pin->key;
        source = "the key pinned for " + name + " in " + known_->where(*pin);
    }
    return "safety number with " + name + " (from " + source +
           "); it is the same on both screens when no one is in between:\n" +
           safety_number(raw_key(security_->own.public_z85), own_name_, raw_key(key), name);
}

std::string PrivateSessions::trust(const std::string& name) {
    if (!security_) return "no keys to trust: this client runs --insecure";
    const auto it = offered_.find(name);
    if (it == offered_.end())
        return "no refused key for " + name +
               ": \\trust takes the new key of a user whose "
               "key changed, after a warning";
    try {
        known_->replace(label(name), it->second);
    } catch (const KnownKeysError& e) {
        return e.what();
    }
    const std::string fp = key_fingerprint(it->second);
    offered_.erase(it);
    return name + "'s key " + fp + " is now pinned; \\fork " + name + " again";
}

PrivateSessions::~PrivateSessions() {
    for (auto& [key, s] : sessions_) loop_.unwatch(s.link->socket());
}

std::string PrivateSessions::fork_obstacle(const std::string& name) const {
    if (name == own_name_) return "you cannot fork yourself";
    if (const auto* s = find_peer(name)) {
        if (s->open())
            return "you already have private session " + std::to_string(s->number) + " with " +
                   name;
        return "already asking " + name + " for a private session";
    }
    return {};
}

PrivateSession& PrivateSessions::start_fork(const std::string& name, const std::string& host,
                                            Clock::time_point now) {
    const std::uint64_t key = next_key_++;
    auto& s = sessions_[key];
    s.key = key;
    s.peer = name;
    s.initiated = true;
    const auto keys = keys_for("", key);
    s.link = std::make_unique<PeerSession>(
        PeerSession::listen(ctx_, host, now, timeout_, keys ? &*keys : nullptr));
    loop_.watch(s.link->socket(), [this, key] { on_readable(key); });
    return s;
}

bool PrivateSessions::fork_refused(std::uint64_t cseq, const std::string& reason) {
    for (auto& [key, s] : sessions_) {
        if (s.fork_cseq != cseq) continue;
        close(key, "cannot fork: " + reason);
        return true;
    }
    return false;
}

bool PrivateSessions::fork_answered(const protocol::ForkOk& f) {
    for (auto& [key, s] : sessions_) {
        if (s.fork_cseq != f.cseq || s.open()) continue;
        if (!security_) return true;
        if (!valid_curve_key(f.curve_key)) {
            close(key, "cannot fork " + s.peer + ": the broker gave no key for them");
            return false;
        }
        if (!matches_pin(s.peer, f.curve_key)) {
            close(key, "private session with " + s.peer + " refused: their key changed");
            return false;
        }
        s.peer_key = f.curve_key;
        s.link->expect_key(f.curve_key);
        zap_->reconsider();
        return true;
    }
    return false;
}

void PrivateSessions::invited(const protocol::Invite& inv, const std::string& own_name,
                              Clock::time_point now) {
    if (!inv.endpoint.starts_with("tcp://"))
        return log::debug("dropped an invitation with endpoint ", inv.endpoint);
    if (ignored_users_.contains(inv.from))
        return log::debug("dropped an invitation from ", inv.from);
    if (security_ && !valid_curve_key(inv.curve_key))
        return log::debug("dropped an invitation from ", inv.from, " without a key");
    if (security_ && !matches_pin(inv.from, inv.curve_key)) return;
    try {
        const auto keys = keys_for(inv.curve_key, 0);
        if (find_peer(inv.from)) {
            PeerSession::decline(ctx_, inv.endpoint, inv.token,
                                 "already in a private session with you", keys ? &*keys : nullptr);
            return ignore_invitation(inv.from, "you already have a session with them");
        }
        if (pending_invitations() >= limits::max_pending_invitations)
            return ignore_invitation(inv.from, "too many invitations at once");
        const std::uint64_t key = next_key_++;
        auto& s = sessions_[key];
        s.key = key;
        s.peer = inv.from;
        s.peer_key = inv.curve_key;
        s.link = std::make_unique<PeerSession>(PeerSession::join(
            ctx_, inv.endpoint, inv.token, own_name, now, timeout_, keys ? &*keys : nullptr));
        loop_.watch(s.link->socket(), [this, key] { on_readable(key); });
    } catch (const zmq::error_t& e) {
        log::debug("cannot connect to ", inv.from, "'s private session at ", inv.endpoint, ": ",
                   e.what());
    }
}

void PrivateSessions::ignore_invitation(const std::string& from, const std::string& why) {
    auto& entry = ignored_[from];
    ++entry.count;
    entry.why = why;
}

std::size_t PrivateSessions::pending_invitations() const {
    return static_cast<std::size_t>(std::count_if(sessions_.begin(), sessions_.end(), [](auto& e) {
        return !e.second.initiated && !e.second.open();
    }));
}

void PrivateSessions::on_readable(std::uint64_t key) {
    // A message may close the session: look it up again before each read.
    for (int i = 0; i < 1024; ++i) {
        const auto it = sessions_.find(key);
        if (it == sessions_.end()) return;
        auto m = it->second.link->receive(Clock::now());
        if (!m) return;
        on_message(it->second, std::move(*m));
    }
}

void PrivateSessions::on_message(PrivateSession& s, protocol::Message&& m) {
    if (std::holds_alternative<protocol::PeerHello>(m)) {
        if (s.open()) return;  // a repeated hello changes nothing
        if (s.initiated)
            s.link->accept(own_name_);
        else
            s.link->opened();
        s.fork_cseq.reset();
        s.number = next_number_();
        events_.opened(s);
        return pin_on_first_session(s);
    }
    if (const auto* leave = std::get_if<protocol::PeerLeave>(&m)) {
        const std::string why = leave->reason == "quit" ? "" : " (" + leave->reason + ")";
        if (!s.open()) return close(s.key, s.peer + " declined the private session" + why);
        return close(s.key, s.peer + " left private session " + std::to_string(s.number) + why);
    }
    if (auto* note = std::get_if<protocol::PeerNote>(&m)) {
        if (note->text.size() > limits::max_text_bytes)
            return log::debug("dropped a private note of ", note->text.size(), " bytes");
        return events_.note(s, note->text, note->ts_us);
    }
    if (!std::holds_alternative<protocol::PeerPing>(m))
        log::debug("dropped ", protocol::kind_name(m), " on a private session");
}

void PrivateSessions::close(std::uint64_t key, const std::string& why) {
    const auto it = sessions_.find(key);
    if (it == sessions_.end()) return;
    loop_.unwatch(it->second.link->socket());
    const int number = it->second.number;
    sessions_.erase(it);
    events_.closed(number, why);
}

PrivateSession* PrivateSessions::by_number(int number) {
    if (number <= 0) return nullptr;
    for (auto& [key, s] : sessions_)
        if (s.number == number) return &s;
    return nullptr;
}

const PrivateSession* PrivateSessions::by_number(int number) const {
    return const_cast<PrivateSessions*>(this)->by_number(number);
}

PrivateSession* PrivateSessions::find_peer(const std::string& name) {
    for (auto& [key, s] : sessions_)
        if (s.peer == name) return &s;
    return nullptr;
}

const PrivateSession* PrivateSessions::find_peer(const std::string& name) const {
    return const_cast<PrivateSessions*>(this)->find_peer(name);
}

void PrivateSessions::leave(int number) {
    auto* s = by_number(number);
    if (!s) return;
    s->link->leave("left");
    close(s->key, "you left private session " + std::to_string(number) + " with " + s->peer);
}

void PrivateSessions::leave_all(const std::string& reason) {
    for (auto& [key, s] : sessions_) {
        if (s.open()) s.link->leave(reason);
        loop_.unwatch(s.link->socket());
    }
    sessions_.clear();
}

void PrivateSessions::tick(Clock::time_point now, bool we_were_paused) {
    std::vector<std::pair<std::uint64_t, std::string>> dead;
    for (auto& [key, s] : sessions_) {
        if (we_were_paused) {
            s.link->forgive(now);
            continue;
        }
        const auto why = s.link->check(now);
        if (!why) continue;
        // An invitation that came to nothing is not worth a line: the inviter
        // may be a stranger's bogus endpoint.
        if (!s.open() && !s.initiated) {
            log::debug("invitation from ", s.peer, " came to nothing: ", *why);
            dead.emplace_back(key, "");
            continue;
        }
        std::string line = s.peer + " " + *why;
        if (s.open()) line += ": private session " + std::to_string(s.number) + " closed";
        dead.emplace_back(key, line);
    }
    for (const auto& [key, why] : dead) close(key, why);
    if (ignored_.empty() || now - last_report_ < report_interval) return;
    last_report_ = now;
    for (const auto& [from, entry] : std::exchange(ignored_, {}))
        events_.notice(std::to_string(entry.count) + " invitation(s) from " + from +
                       " ignored: " + entry.why);
}

std::vector<const PrivateSession*> PrivateSessions::open_sessions() const {
    std::vector<const PrivateSession*> out;
    for (const auto& [key, s] : sessions_)
        if (s.open()) out.push_back(&s);
    std::sort(out.begin(), out.end(), [](auto* a, auto* b) { return a->number < b->number; });
    return out;
}

}  // namespace zchat::client
