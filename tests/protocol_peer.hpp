// protocol_peer: a test-side zchat client that speaks the wire protocol by hand
// over a real DEALER and SUB. Broker tests see exactly what a client would, and
// can also send what no well-behaved client ever would.
//
// Every wait is bounded (reply_limit by default): a broker that stays silent
// fails the test instead of hanging it. While a peer waits it PINGs at the
// broker's announced heartbeat, like a real client, so a slow machine does not
// get it dropped as silent; a peer nobody waits on stays silent on purpose.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>
#include <zmq.hpp>

#include "patterns/curve_keys.hpp"
#include "patterns/limits.hpp"
#include "patterns/network_socket.hpp"
#include "patterns/protocol.hpp"
#include "patterns/registration.hpp"
#include "patterns/zap_handler.hpp"

namespace zchat::test {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

// Longest one expected message may take: generous for a sanitizer build on a
// loaded machine, short enough that a broker that never answers fails fast.
inline constexpr std::chrono::milliseconds reply_limit = 2s;

template <class T>
std::string_view kind_of() {
    return protocol::kind_name(protocol::Message{T{}});
}

// NOTICE joined names everyone who joined in one window, separated by spaces.
inline bool names_include(const std::string& names, const std::string& name) {
    return (" " + names + " ").find(" " + name + " ") != std::string::npos;
}

// A peer's CURVE setup: its own keys and the key it expects the broker to hold.
struct PeerCurve {
    CurveKeys own;
    std::string server_key;
};

class ProtocolPeer {
  public:
    ProtocolPeer(zmq::context_t& ctx, std::string rendezvous,
                 std::optional<PeerCurve> curve = std::nullopt)
        : ctx_(&ctx),
          rendezvous_(std::move(rendezvous)),
          curve_(std::move(curve)),
          dealer_(socket(zmq::socket_type::dealer)) {
        // A send blocks while the queue is full, for a bounded time only.
        dealer_.set(zmq::sockopt::sndtimeo, static_cast<int>(reply_limit.count()));
        dealer_.connect(rendezvous_);
    }

    const std::optional<PeerCurve>& curve() const { return curve_; }

    // ---- rendezvous: DEALER ----

    void send(const protocol::Message& m) { send_frames({protocol::encode(m)}); }

    // Frames exactly as given, for bodies and shapes encode() would never make.
    void send_frames(const std::vector<std::string>& frames) {
        for (std::size_t i = 0; i < frames.size(); ++i) {
            const auto more =
                i + 1 < frames.size() ? zmq::send_flags::sndmore : zmq::send_flags::none;
            EXPECT_TRUE(dealer_.send(zmq::buffer(frames[i]), more)) << "send queue stuck full";
        }
        last_sent_ = Clock::now();
    }

    std::uint64_t say(std::string text) {
        const std::uint64_t cseq = ++cseq_;
        send(protocol::Say{cseq, std::move(text)});
        return cseq;
    }
    std::uint64_t users() {
        const std::uint64_t cseq = ++cseq_;
        send(protocol::Users{cseq});
        return cseq;
    }
    std::uint64_t fork(std::string peer, std::string endpoint, std::string token) {
        const std::uint64_t cseq = ++cseq_;
        send(protocol::Fork{cseq, std::move(peer), std::move(endpoint), std::move(token), ""});
        return cseq;
    }

    // The next reply on the rendezvous, or nullopt (with a test failure if it
    // does not decode) when none comes within LIMIT.
    std::optional<protocol::Message> receive(std::chrono::milliseconds limit = reply_limit) {
        if (!wait_readable(dealer_, limit)) return std::nullopt;
        zmq::message_t frame;
        if (!dealer_.recv(frame, zmq::recv_flags::dontwait)) return std::nullopt;
        EXPECT_FALSE(frame.more()) << "a reply is one frame";
        return decoded(frame.to_string_view());
    }

    // The next reply, which must be a T.
    template <class T>
    std::optional<T> expect(std::chrono::milliseconds limit = reply_limit) {
        auto m = receive(limit);
        if (!m) {
            ADD_FAILURE() << "no " << kind_of<T>() << " within " << limit.count() << " ms";
            return std::nullopt;
        }
        if (auto* t = std::get_if<T>(&*m)) return std::move(*t);
        ADD_FAILURE() << "expected " << kind_of<T>() << ", got " << protocol::kind_name(*m)
                      << describe(*m);
        return std::nullopt;
    }

    // The next reply, which must be ERROR with CODE for request CSEQ.
    std::optional<protocol::Error> expect_error(protocol::ErrorCode code, std::uint64_t cseq) {
        auto e = expect<protocol::Error>();
        if (!e) return e;
        EXPECT_EQ(e->code, static_cast<std::uint32_t>(code)) << "reason: " << e->reason;
        EXPECT_EQ(e->cseq, cseq) << "reason: " << e->reason;
        return e;
    }

    // ---- lobby: SUB ----

    // Connects the SUB and subscribes to the ticket, through the shared
    // handshake (patterns/registration), which asks again while it waits.
    void subscribe() {
        sub_ = socket(zmq::socket_type::sub);
        sub_->set(zmq::sockopt::rcvhwm, rcvhwm_);
        if (rcvhwm_ < limits::lobby_hwm) sub_->set(zmq::sockopt::rcvbuf, 4096);
        registration_->subscribe(*sub_, rendezvous_, Clock::now());
    }

    // A reader that means never to read sets a tiny queue before it joins, so
    // the lobby backs up into the broker instead of into this process.
    void queue_at_most(int messages) { rcvhwm_ = messages; }

    // A raw SUB on the lobby that subscribes as it likes: a stranger's.
    void lurk(const std::string& lobby_endpoint, const std::vector<std::string>& topics) {
        sub_ = socket(zmq::socket_type::sub);
        sub_->connect(lobby_endpoint);
        for (const auto& t : topics) sub_->set(zmq::sockopt::subscribe, t);
    }

    // The next message on the SUB, with its topic, or nullopt within LIMIT.
    std::optional<std::pair<std::string, protocol::Message>> next_published(
        std::chrono::milliseconds limit = reply_limit) {
        if (!sub_ || !wait_readable(*sub_, limit)) return std::nullopt;
        zmq::message_t topic, body;
        if (!sub_->recv(topic, zmq::recv_flags::dontwait)) return std::nullopt;
        EXPECT_TRUE(topic.more()) << "a lobby message is two frames";
        if (!sub_->recv(body, zmq::recv_flags::dontwait)) return std::nullopt;
        EXPECT_FALSE(body.more()) << "a lobby message is two frames";
        auto m = decoded(body.to_string_view());
        if (!m) return std::nullopt;
        return std::pair{topic.to_string(), std::move(*m)};
    }

    // The next lobby message of any kind (rooms' traffic skipped), or nullopt within LIMIT.
    std::optional<protocol::Message> next_lobby(std::chrono::milliseconds limit = reply_limit) {
        const auto deadline = Clock::now() + limit;
        for (auto left = limit;; left = until(deadline)) {  // LIMIT 0 still looks once
            auto p = next_published(left);
            if (!p) return std::nullopt;
            if (p->first.starts_with(protocol::room_topic_prefix)) continue;
            EXPECT_EQ(p->first, protocol::lobby_topic);
            return std::move(p->second);
        }
    }

    // The first T on ROOM's topic for which PRED holds, skipping everything
    // else; nullopt with a test failure after LIMIT.
    template <class T>
    std::optional<T> await_room(const std::string& room,
                                const std::function<bool(const T&)>& pred = {},
                                std::chrono::milliseconds limit = reply_limit) {
        const auto deadline = Clock::now() + limit;
        for (auto left = limit; left > 0ms; left = until(deadline)) {
            auto p = next_published(left);
            if (!p) break;
            if (p->first != protocol::room_topic(room)) continue;
            auto* t = std::get_if<T>(&p->second);
            if (t && (!pred || pred(*t))) return std::move(*t);
        }
        ADD_FAILURE() << "no matching " << kind_of<T>() << " in " << room << " within "
                      << limit.count() << " ms";
        return std::nullopt;
    }

    // Nothing of ROOM (or of any room, when ROOM is empty) reaches the SUB for LIMIT.
    ::testing::AssertionResult hears_nothing_of(const std::string& room,
                                                std::chrono::milliseconds limit) {
        const auto deadline = Clock::now() + limit;
        for (auto left = limit; left > 0ms; left = until(deadline)) {
            auto p = next_published(left);
            if (!p) break;
            const bool heard = room.empty() ? p->first != protocol::lobby_topic
                                            : p->first == protocol::room_topic(room);
            if (heard) return ::testing::AssertionFailure() << "heard topic " << p->first;
        }
        return ::testing::AssertionSuccess();
    }

    // JOIN ROOM: the ticket it is answered with is asked for on the SUB (as
    // the client does) until ROOM_JOINED; the history on the way is kept.
    ::testing::AssertionResult join_room(const std::string& room) {
        room_history_.clear();
        const std::uint64_t cseq = ++cseq_;
        send(protocol::JoinRoom{cseq, room});
        TicketAsk ask;
        const auto deadline = Clock::now() + reply_limit;
        while (Clock::now() < deadline) {
            if (sub_ && ask.asking()) {
                ZmqSubscriber port(*sub_);
                ask.tick(port, Clock::now());
            }
            auto m = receive(20ms);
            if (!m) continue;
            if (auto* t = std::get_if<protocol::RoomTicket>(&*m)) {
                ZmqSubscriber port(*sub_);
                ask.start(port, t->ticket, Clock::now());
            } else if (auto* h = std::get_if<protocol::RoomText>(&*m)) {
                room_history_.push_back(std::move(*h));
            } else if (std::holds_alternative<protocol::RoomJoined>(*m)) {
                ZmqSubscriber port(*sub_);
                ask.release(port);
                return ::testing::AssertionSuccess();
            } else if (auto* e = std::get_if<protocol::Error>(&*m)) {
                return ::testing::AssertionFailure() << "JOIN refused: " << e->reason;
            }
        }
        return ::testing::AssertionFailure() << "no ROOM_JOINED for " << room;
    }
    const std::vector<protocol::RoomText>& room_history() const { return room_history_; }

    std::uint64_t say_room(const std::string& room, std::string text) {
        const std::uint64_t cseq = ++cseq_;
        send(protocol::SayRoom{cseq, room, std::move(text)});
        return cseq;
    }

    // The first lobby T for which PRED holds, skipping everything before it
    // (beats, other users' notices); nullopt with a test failure after LIMIT.
    template <class T>
    std::optional<T> await_lobby(const std::function<bool(const T&)>& pred = {},
                                 std::chrono::milliseconds limit = reply_limit) {
        const auto deadline = Clock::now() + limit;
        for (auto left = limit; left > 0ms; left = until(deadline)) {
            auto m = next_lobby(left);
            if (!m) break;
            auto* t = std::get_if<T>(&*m);
            if (t && (!pred || pred(*t))) return std::move(*t);
        }
        ADD_FAILURE() << "no matching " << kind_of<T>() << " on the lobby within " << limit.count()
                      << " ms";
        return std::nullopt;
    }

    // ---- whole flows ----

    // HELLO, then the WELCOME it must earn.
    std::optional<protocol::Welcome> hello(const std::string& name,
                                           const std::string& resume = {}) {
        registration_.emplace(name, resume);
        send(registration_->hello());
        welcome_ = expect<protocol::Welcome>();
        if (welcome_) registration_->on_reply(*welcome_);
        return welcome_;
    }

    // HELLO as an attacker sends it: replies to earlier requests are skipped;
    // the WELCOME, or nullopt if the HELLO was refused (an ERROR of cseq 0) or
    // nothing came within LIMIT.
    std::optional<protocol::Welcome> try_hello(const std::string& name,
                                               std::chrono::milliseconds limit = reply_limit) {
        registration_.emplace(name);
        send(registration_->hello());
        const auto deadline = Clock::now() + limit;
        while (auto m = receive(until(deadline))) {
            if (auto* w = std::get_if<protocol::Welcome>(&*m)) {
                welcome_ = *w;
                registration_->on_reply(*m);
                return welcome_;
            }
            const auto* e = std::get_if<protocol::Error>(&*m);
            if (e && e->cseq == 0) return std::nullopt;
        }
        return std::nullopt;
    }

    // After WELCOME and subscribe(): HISTORY... then JOINED.
    ::testing::AssertionResult await_joined() {
        history_.clear();
        for (;;) {
            auto m = receive();
            if (!m) return ::testing::AssertionFailure() << "no JOINED";
            if (auto* h = std::get_if<protocol::History>(&*m)) {
                history_.push_back(std::move(*h));
                continue;
            }
            if (auto* j = std::get_if<protocol::Joined>(&*m)) {
                registration_->on_reply(*m);
                registration_->release_ticket(*sub_);
                joined_ = *j;
                return ::testing::AssertionSuccess();
            }
            return ::testing::AssertionFailure() << "unexpected " << protocol::kind_name(*m);
        }
    }

    // Without waiting: reads what the rendezvous holds and says whether JOINED
    // has come (HISTORY is kept, anything else dropped). For tests holding
    // many peers that join at once, as real clients would.
    bool joined_yet() {
        zmq::message_t frame;
        while (!joined_ && dealer_.recv(frame, zmq::recv_flags::dontwait)) {
            auto m = decoded(frame.to_string_view());
            if (!m) continue;
            if (auto* h = std::get_if<protocol::History>(&*m)) history_.push_back(std::move(*h));
            if (auto* j = std::get_if<protocol::Joined>(&*m)) {
                registration_->on_reply(*m);
                registration_->release_ticket(*sub_);
                joined_ = *j;
            }
        }
        return joined_.has_value();
    }

    // Registers and joins the lobby: WELCOME, subscription, HISTORY..., JOINED,
    // then its own NOTICE joined on the lobby, so the SUB is known to be live.
    ::testing::AssertionResult join(const std::string& name) {
        if (!hello(name)) return ::testing::AssertionFailure() << "no WELCOME for " << name;
        subscribe();
        if (auto joined = await_joined(); !joined) return joined << " for " << name;
        const std::string me = welcome_->name;
        auto notice = await_lobby<protocol::Notice>([&](const protocol::Notice& n) {
            return n.event == "joined" && names_include(n.name, me);
        });
        if (!notice) return ::testing::AssertionFailure() << "no NOTICE joined for " << me;
        return ::testing::AssertionSuccess();
    }

    void close_dealer() { dealer_.close(); }
    void close_sub() { sub_.reset(); }

    // Registered name and id, once hello() or join() succeeded.
    const std::string& name() const { return welcome_.value().name; }
    std::uint64_t id() const { return welcome_.value().id; }
    const std::optional<protocol::Welcome>& welcome() const { return welcome_; }
    const std::optional<protocol::Joined>& joined() const { return joined_; }
    const std::vector<protocol::History>& history() const { return history_; }
    zmq::socket_t& dealer() { return dealer_; }
    // When this peer last sent anything, PINGs included: the broker's liveness clock.
    Clock::time_point last_sent() const { return last_sent_; }

  private:
    zmq::socket_t socket(zmq::socket_type type) {
        auto s = make_network_socket(*ctx_, type);
        if (curve_)
            make_curve_client(s, curve_->own.public_z85, curve_->own.secret_z85,
                              curve_->server_key);
        return s;
    }

    static std::chrono::milliseconds until(Clock::time_point deadline) {
        return std::max(0ms, std::chrono::ceil<std::chrono::milliseconds>(deadline - Clock::now()));
    }

    static std::optional<protocol::Message> decoded(std::string_view body) {
        auto d = protocol::decode(body);
        if (auto* err = std::get_if<protocol::DecodeError>(&d)) {
            ADD_FAILURE() << "the broker sent an undecodable body: " << err->reason;
            return std::nullopt;
        }
        return std::get<protocol::Message>(std::move(d));
    }

    static std::string describe(const protocol::Message& m) {
        if (const auto* e = std::get_if<protocol::Error>(&m))
            return " (code " + std::to_string(e->code) + ", cseq " + std::to_string(e->cseq) +
                   ": " + e->reason + ")";
        return {};
    }

    // Waits until SOCKET has input, in slices short enough to PING on time.
    bool wait_readable(zmq::socket_t& socket, std::chrono::milliseconds limit) {
        const auto deadline = Clock::now() + limit;
        for (;;) {
            keep_alive();
            zmq::pollitem_t item{socket.handle(), 0, ZMQ_POLLIN, 0};
            zmq::poll(&item, 1, std::min(until(deadline), 20ms));
            if (item.revents & ZMQ_POLLIN) return true;
            if (Clock::now() >= deadline) return false;
        }
    }

  public:
    // A registered client PINGs when it has said nothing for a heartbeat, and
    // asks again for its ticket while it waits to join. Waits call it; a test
    // holding many peers calls it for those it is not waiting on.
    // True if it asked for the ticket again.
    bool keep_alive() {
        const bool asked = registration_ && sub_ && registration_->tick(*sub_, Clock::now());
        if (!welcome_ || !dealer_.handle()) return asked;
        const std::chrono::milliseconds heartbeat{welcome_->heartbeat_ms};
        if (Clock::now() - last_sent_ >= heartbeat) send(protocol::Ping{});
        return asked;
    }

  private:
    zmq::context_t* ctx_;
    std::string rendezvous_;
    std::optional<PeerCurve> curve_;
    zmq::socket_t dealer_;
    std::optional<zmq::socket_t> sub_;
    std::optional<Registration> registration_;
    int rcvhwm_ = limits::lobby_hwm;
    std::optional<protocol::Welcome> welcome_;
    std::optional<protocol::Joined> joined_;
    std::vector<protocol::History> history_;
    std::vector<protocol::RoomText> room_history_;
    std::uint64_t cseq_ = 0;
    Clock::time_point last_sent_ = Clock::now();
};

}  // namespace zchat::test
