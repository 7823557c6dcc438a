// peer_workload: the two sides of W4, each on its own thread like two real
// clients. Against the broker: two registered clients do the real fork flow
// (FORK, INVITE, PAIR connect, PEER_HELLO both ways) through chat-cli's own
// private-session class (client/peer_session), which never blocks on a send,
// and exchange PEER_NOTEs. Against the baseline: a bare PAIR-PAIR link moving
// raw frames of the same size, sent just as non-blockingly.
#include "bench/peer_workload.hpp"

#include <future>
#include <optional>
#include <stdexcept>
#include <thread>
#include <variant>

#include "bench/stamped_text.hpp"
#include "client/peer_session.hpp"
#include "patterns/curve_keys.hpp"
#include "patterns/event_loop.hpp"
#include "patterns/limits.hpp"
#include "patterns/network_socket.hpp"
#include "patterns/protocol.hpp"
#include "patterns/registration.hpp"
#include "patterns/wall_clock.hpp"
#include "patterns/zap_handler.hpp"

namespace zchat::bench {
namespace {

using std::chrono::duration;
using std::chrono::milliseconds;

// Registration and fork replies must come within this; the broker answers in microseconds.
constexpr auto reply_timeout = std::chrono::seconds{10};
// A peer silent this long is gone; generous so a sanitizer build still passes.
constexpr milliseconds link_timeout{10000};
// The sender keeps at most this many notes queued in the session before it waits.
constexpr std::size_t send_window = 1000;

struct InviterResult {
    double setup_s = 0;                     // start until the session is open
    std::vector<std::int64_t> round_trips;  // ns
    std::uint64_t sent = 0;                 // one-way notes handed to the session
    Clock::time_point first_oneway{};
    std::string error;
};

struct InvitedResult {
    std::uint64_t received = 0;  // one-way notes that read as notes
    std::uint64_t errors = 0;    // one-way frames that did not
    Clock::time_point last_oneway{};
    std::string error;
};

// What the invited side tells the inviter: its registered name (broker target)
// or the endpoint to dial (baseline target, where the inviter binds first).
struct Handover {
    std::promise<std::string> value;
    std::future<std::string> future = value.get_future();
};

std::string wait_handover(Handover& h) {
    if (h.future.wait_for(std::chrono::seconds{30}) != std::future_status::ready)
        throw std::runtime_error("the other peer never became ready");
    std::string v = h.future.get();
    if (v.empty()) throw std::runtime_error("the other peer failed to start");
    return v;
}

bool readable(zmq::socket_t& s, milliseconds wait) {
    zmq::pollitem_t item{s.handle(), 0, ZMQ_POLLIN, 0};
    return zmq::poll(&item, 1, wait) == 1;
}

// The next message the broker sends on DEALER; throws on timeout or garbage.
protocol::Message next_reply(zmq::socket_t& dealer) {
    if (!readable(dealer, std::chrono::duration_cast<milliseconds>(reply_timeout)))
        throw std::runtime_error("no reply from the broker");
    zmq::message_t frame;
    (void)dealer.recv(frame, zmq::recv_flags::none);
    auto decoded = protocol::decode(frame.to_string_view());
    if (auto* err = std::get_if<protocol::DecodeError>(&decoded))
        throw std::runtime_error(err->reason);
    return std::get<protocol::Message>(std::move(decoded));
}

// Waits for a reply of kind T, skipping the ones on the way (HISTORY); ERROR throws.
template <class T>
T await(zmq::socket_t& dealer) {
    for (int skipped = 0; skipped < 100000; ++skipped) {
        auto msg = next_reply(dealer);
        if (auto* v = std::get_if<T>(&msg)) return std::move(*v);
        if (auto* e = std::get_if<protocol::Error>(&msg))
            throw std::runtime_error("broker refused: " + e->reason);
    }
    throw std::runtime_error("broker never sent the expected reply");
}

// A registered client with a live lobby subscription, as the chat client would
// be, through the shared handshake.
struct Registered {
    zmq::socket_t dealer;
    zmq::socket_t sub;
    CurveKeys keys;  // with --curve
    protocol::Welcome welcome;

    Registered(zmq::context_t& ctx, const LoadConfig& config, const std::string& name)
        : dealer(make_network_socket(ctx, zmq::socket_type::dealer)),
          sub(make_network_socket(ctx, zmq::socket_type::sub)) {
        if (config.curve) {
            keys = generate_curve_keys();
            for (auto* s : {&dealer, &sub})
                make_curve_client(*s, keys.public_z85, keys.secret_z85, config.server_key);
        }
        Registration registration(name);
        dealer.connect(config.rendezvous);
        dealer.send(zmq::buffer(protocol::encode(registration.hello())), zmq::send_flags::none);
        sub.set(zmq::sockopt::rcvhwm, limits::lobby_hwm);
        const auto deadline = Clock::now() + reply_timeout;
        while (registration.stage() != Registration::Stage::joined) {
            if (Clock::now() > deadline) throw std::runtime_error("could not join the lobby");
            const bool reply = readable(dealer, milliseconds{20});
            registration.tick(sub, Clock::now());
            if (!reply) continue;
            const auto step = registration.on_reply(next_reply(dealer));
            if (step == Registration::Step::welcomed)
                registration.subscribe(sub, config.rendezvous, Clock::now());
            else if (step == Registration::Step::refused)
                throw std::runtime_error("broker refused: " + registration.refusal()->reason);
        }
        registration.release_ticket(sub);
        welcome = registration.welcome();
    }
};

// One end of the private link: chat-cli's PeerSession (broker target), or a
// bare PAIR moving raw frames of the same size (baseline).
class Link {
  public:
    explicit Link(client::PeerSession session) : session_(std::move(session)) {}
    explicit Link(zmq::socket_t pair) : pair_(std::move(pair)) {
        // Same length as what the broker target sends for a note.
        raw_size_ =
            protocol::encode(protocol::PeerNote{1, wall_clock_us(), stamped_text(Clock::now())})
                .size();
    }

    zmq::socket_t& socket() { return session_ ? session_->socket() : *pair_; }

    // Sends a note stamped SENT, never blocking: the session queues what the
    // peer will not take yet; the bare PAIR is retried until it takes it.
    void send(Clock::time_point sent) {
        if (session_) return session_->note(stamped_text(sent), wall_clock_us());
        std::string raw = stamped_text(sent);
        raw.resize(raw_size_, 'x');
        while (!pair_->send(zmq::buffer(raw), zmq::send_flags::dontwait)) wait_writable();
    }
    // Waits until the session's queue is below WINDOW (the bare PAIR never queues).
    void throttle(std::size_t window) {
        if (!session_) return;
        while (session_->backlog() > window) {
            wait_writable();
            if (auto why = session_->check(Clock::now()))
                throw std::runtime_error("the private session ended: peer " + *why);
        }
    }
    // The next note's stamp within TIMEOUT; nullopt on something else. The
    // clock is read once per message: at a million a second, reading it
    // more often is a measurable share of the work.
    std::optional<Clock::time_point> receive(milliseconds timeout) {
        std::optional<Clock::time_point> deadline;
        for (;;) {
            const auto now = Clock::now();
            if (session_) {
                if (auto m = session_->receive(now)) {
                    if (const auto* note = std::get_if<protocol::PeerNote>(&*m))
                        return stamp_of(note->text);
                    if (std::holds_alternative<protocol::PeerPing>(*m)) continue;
                    return std::nullopt;
                }
                if (auto why = session_->check(now))
                    throw std::runtime_error("the private session ended: peer " + *why);
            } else {
                zmq::message_t frame;
                if (pair_->recv(frame, zmq::recv_flags::dontwait)) {
                    if (frame.size() != raw_size_) return std::nullopt;
                    return stamp_of(frame.to_string_view());
                }
            }
            if (!deadline) deadline = now + timeout;
            const auto left = *deadline - now;
            if (left <= Clock::duration::zero()) throw std::runtime_error("peer silent too long");
            // A session with notes held back sends them as soon as the peer takes them.
            const bool held = session_ && session_->backlog() > 0;
            zmq::pollitem_t item{socket().handle(), 0,
                                 static_cast<short>(ZMQ_POLLIN | (held ? ZMQ_POLLOUT : 0)), 0};
            zmq::poll(&item, 1, std::min(milliseconds{100}, std::chrono::ceil<milliseconds>(left)));
            if (held && (item.revents & ZMQ_POLLOUT)) session_->flush(Clock::now());
        }
    }

  private:
    void wait_writable() {
        zmq::pollitem_t item{socket().handle(), 0, ZMQ_POLLOUT, 0};
        zmq::poll(&item, 1, milliseconds{100});
    }

    std::optional<client::PeerSession> session_;
    std::optional<zmq::socket_t> pair_;
    std::size_t raw_size_ = 0;
};

// The session handshake, as chat-cli does it: the invited side's hello first.
void open_session(client::PeerSession& s, bool inviter, const std::string& own_name) {
    const auto deadline = Clock::now() + reply_timeout;
    while (!s.open()) {
        if (Clock::now() > deadline) throw std::runtime_error("the private session never opened");
        const auto m = s.receive(Clock::now());
        if (!m) {
            readable(s.socket(), milliseconds{20});
            continue;
        }
        if (!std::holds_alternative<protocol::PeerHello>(*m)) continue;  // what comes after is kept
        if (inviter)
            s.accept(own_name);
        else
            s.opened();
    }
}

void inviter(zmq::context_t& ctx, const LoadConfig& config, Handover& handover,
             InviterResult& out) {
    const auto start = Clock::now();
    std::optional<Registered> me;  // stays registered for the session, as a real client does
    std::optional<Link> link;
    if (config.target == Target::baseline) {
        auto pair = make_network_socket(ctx, zmq::socket_type::pair);
        std::string handed = "";
        if (config.curve) {  // a bare CURVE server: no ZAP, any client key
            const auto keys = generate_curve_keys();
            pair.set(zmq::sockopt::curve_server, true);
            pair.set(zmq::sockopt::curve_secretkey, keys.secret_z85);
            handed = " " + keys.public_z85;
        }
        pair.bind("tcp://127.0.0.1:*");
        handover.value.set_value(bound_endpoint(pair) + handed);
        link.emplace(std::move(pair));
        (void)link->receive(link_timeout);  // the other side's hello
    } else {
        me.emplace(ctx, config, "w4-inviter");
        const client::PeerKeys keys{me->keys, "", "zchat-fork-bench"};
        auto session = client::PeerSession::listen(ctx, "127.0.0.1", Clock::now(), link_timeout,
                                                   config.curve ? &keys : nullptr);
        const std::string peer = wait_handover(handover);
        me->dealer.send(zmq::buffer(protocol::encode(
                            protocol::Fork{1, peer, session.endpoint(), session.token(), ""})),
                        zmq::send_flags::none);
        (void)await<protocol::ForkOk>(me->dealer);
        open_session(session, true, me->welcome.name);
        link.emplace(std::move(session));
    }
    out.setup_s = duration<double>(Clock::now() - start).count();
    out.round_trips.reserve(config.pingpongs);
    for (std::uint64_t i = 0; i < config.pingpongs; ++i) {
        const auto sent = Clock::now();
        link->send(sent);
        if (!link->receive(link_timeout)) throw std::runtime_error("ping answered with garbage");
        out.round_trips.push_back(
            std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - sent).count());
    }
    out.first_oneway = Clock::now();
    for (std::uint64_t i = 0; i < config.oneway; ++i) {
        link->throttle(send_window);
        link->send(Clock::now());
        ++out.sent;
    }
    // Sockets close without lingering: wait for the other side to say it is done.
    (void)link->receive(link_timeout);
}

void invited(zmq::context_t& ctx, const LoadConfig& config, Handover& handover,
             InvitedResult& out) {
    std::optional<Registered> me;
    std::optional<Link> link;
    if (config.target == Target::baseline) {
        auto pair = make_network_socket(ctx, zmq::socket_type::pair);
        const std::string handed = wait_handover(handover);
        const auto space = handed.find(' ');
        if (space != std::string::npos) {
            const auto keys = generate_curve_keys();
            make_curve_client(pair, keys.public_z85, keys.secret_z85, handed.substr(space + 1));
        }
        pair.connect(handed.substr(0, space));
        link.emplace(std::move(pair));
        link->send(Clock::now());  // hello
    } else {
        me.emplace(ctx, config, "w4-invited");
        handover.value.set_value(me->welcome.name);
        const auto invite = await<protocol::Invite>(me->dealer);
        const client::PeerKeys keys{me->keys, invite.curve_key, ""};
        auto session =
            client::PeerSession::join(ctx, invite.endpoint, invite.token, me->welcome.name,
                                      Clock::now(), link_timeout, config.curve ? &keys : nullptr);
        open_session(session, false, me->welcome.name);
        link.emplace(std::move(session));
    }
    for (std::uint64_t i = 0; i < config.pingpongs; ++i) {
        const auto stamp = link->receive(link_timeout);
        link->send(stamp.value_or(Clock::now()));
    }
    // One-way: count what arrives until all did, or the link goes quiet; a
    // note that never comes is lost, and says so.
    try {
        for (std::uint64_t i = 0; i < config.oneway; ++i) {
            if (link->receive(milliseconds{5000}))
                ++out.received;
            else
                ++out.errors;
        }
    } catch (const std::exception& e) {
        out.error = e.what();  // what arrived is counted; the rest is lost
    }
    out.last_oneway = Clock::now();
    link->send(Clock::now());  // done: the sender may close
}

// Runs one side; an exception becomes its error, and unblocks the other side.
template <class Side, class Result>
std::thread spawn(Side side, zmq::context_t& ctx, const LoadConfig& config, Handover& handover,
                  Result& out, bool hands_over) {
    return std::thread([=, &ctx, &config, &handover, &out] {
        try {
            side(ctx, config, handover, out);
        } catch (const std::exception& e) {
            out.error = e.what();
            if (hands_over) {
                try {
                    handover.value.set_value("");
                } catch (const std::future_error&) {  // already handed over
                }
            }
        }
    });
}

// The inviter's CURVE PAIR asks ZAP, as chat-cli's does; this handler, on a
// loop thread of its own in the sides' context, admits any well-formed key
// (the bench measures the cost, not the policy).
class ZapThread {
  public:
    explicit ZapThread(zmq::context_t& ctx) {
        std::promise<void> ready;
        auto bound = ready.get_future();
        thread_ = std::thread([&] {
            ZapHandler zap(ctx, loop_,
                           [](const ZapHandler::Request& r) { return ZapHandler::allow(r.key); });
            ready.set_value();
            loop_.run();
        });
        bound.wait();
    }
    ~ZapThread() {
        loop_.stop();  // seen within the handler's 200 ms timer
        thread_.join();
    }

  private:
    EventLoop loop_;
    std::thread thread_;
};

}  // namespace

Report run_peer_workload(const LoadConfig& config) {
    Report r;
    r.workload = Workload::w4;
    r.target = config.target;
    r.variant = config.variant;
    r.clients = 2;
    r.threads = 2;
    const auto usage_before = read_process_usage(config.server_pid);
    InviterResult a;
    InvitedResult b;
    {
        zmq::context_t ctx(1);
        std::optional<ZapThread> zap;
        if (config.curve && config.target == Target::broker) zap.emplace(ctx);
        Handover handover;
        // The baseline inviter binds and hands the endpoint over; with the broker,
        // the invited side hands over its registered name.
        const bool invited_hands_over = config.target == Target::broker;
        auto ta = spawn(inviter, ctx, config, handover, a, !invited_hands_over);
        auto tb = spawn(invited, ctx, config, handover, b, invited_hands_over);
        ta.join();
        tb.join();
    }
    r.server_at_end = read_process_usage(config.server_pid);
    if (usage_before && r.server_at_end)
        r.server_cpu_s = r.server_at_end->cpu_s - usage_before->cpu_s;

    r.error =
        !a.error.empty() ? "inviter: " + a.error : (!b.error.empty() ? "invited: " + b.error : "");
    r.join_s = a.setup_s;
    r.sent = config.pingpongs + a.sent;
    r.expected = config.pingpongs + config.oneway;
    r.received = a.round_trips.size() + b.received;
    r.errors = b.errors;
    if (b.received > 0) {
        r.wall_s = duration<double>(b.last_oneway - a.first_oneway).count();
        if (r.wall_s > 0) r.deliveries_per_s = static_cast<double>(b.received) / r.wall_s;
    }
    r.latency = summarize(a.round_trips);
    return r;
}

}  // namespace zchat::bench
