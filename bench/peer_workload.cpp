// peer_workload: the two sides of W4, each on its own thread like two real
// clients: the inviter (binds, asks the broker to fork, measures) and the
// invited (connects on INVITE, echoes pings, counts one-way notes).
#include "bench/peer_workload.hpp"

#include <future>
#include <optional>
#include <stdexcept>
#include <thread>
#include <variant>

#include "bench/peer_link.hpp"
#include "bench/stamped_text.hpp"
#include "patterns/limits.hpp"
#include "patterns/network_socket.hpp"
#include "patterns/protocol.hpp"
#include "patterns/registration.hpp"
#include "patterns/secure_random.hpp"

namespace zchat::bench {
namespace {

using std::chrono::duration;

// Registration and fork replies must come within this; the broker answers in microseconds.
constexpr auto reply_timeout = std::chrono::seconds{10};
constexpr auto lobby_rcvhwm = limits::lobby_hwm;

struct InviterResult {
    double setup_s = 0;                     // start until the session is open
    std::vector<std::int64_t> round_trips;  // ns
    Clock::time_point first_oneway{};
    std::string error;
};

struct InvitedResult {
    std::uint64_t echoed = 0;
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

// The next message the broker sends on DEALER; throws on timeout or garbage.
protocol::Message next_reply(zmq::socket_t& dealer) {
    zmq::pollitem_t item{dealer.handle(), 0, ZMQ_POLLIN, 0};
    if (zmq::poll(&item, 1, std::chrono::duration_cast<std::chrono::milliseconds>(reply_timeout)) ==
        0)
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
    protocol::Welcome welcome;

    Registered(zmq::context_t& ctx, const LoadConfig& config, const std::string& name)
        : dealer(make_network_socket(ctx, zmq::socket_type::dealer)),
          sub(make_network_socket(ctx, zmq::socket_type::sub)) {
        Registration registration(name);
        dealer.connect(config.rendezvous);
        dealer.send(zmq::buffer(protocol::encode(registration.hello())), zmq::send_flags::none);
        sub.set(zmq::sockopt::rcvhwm, lobby_rcvhwm);
        const auto deadline = Clock::now() + reply_timeout;
        while (registration.stage() != Registration::Stage::joined) {
            if (Clock::now() > deadline) throw std::runtime_error("could not join the lobby");
            zmq::pollitem_t item{dealer.handle(), 0, ZMQ_POLLIN, 0};
            zmq::poll(&item, 1, std::chrono::milliseconds{20});
            registration.tick(sub, Clock::now());
            if (!(item.revents & ZMQ_POLLIN)) continue;
            const auto reply = next_reply(dealer);
            const auto step = registration.on_reply(reply);
            if (step == Registration::Step::welcomed)
                registration.subscribe(sub, config.rendezvous, Clock::now());
            else if (step == Registration::Step::refused)
                throw std::runtime_error("broker refused: " + registration.refusal()->reason);
        }
        welcome = registration.welcome();
    }
};

void check_peer_hello(const zmq::message_t& frame, const std::string& token) {
    auto decoded = protocol::decode(frame.to_string_view());
    const auto* msg = std::get_if<protocol::Message>(&decoded);
    const auto* hello = msg ? std::get_if<protocol::PeerHello>(msg) : nullptr;
    if (!hello || hello->token != token)
        throw std::runtime_error("bad PEER_HELLO on the private link");
}

void ping_pong_then_stream(PeerLink& link, const LoadConfig& config, InviterResult& out) {
    out.round_trips.reserve(config.pingpongs);
    for (std::uint64_t i = 1; i <= config.pingpongs; ++i) {
        const auto sent = Clock::now();
        link.send(link.note(i));
        const auto answer = link.receive();
        if (!link.read_note(answer)) throw std::runtime_error("ping answered with something else");
        out.round_trips.push_back(
            std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - sent).count());
    }
    out.first_oneway = Clock::now();
    for (std::uint64_t i = 1; i <= config.oneway; ++i) link.send(link.note(config.pingpongs + i));
    // LINGER is 0: closing now would drop the notes still queued, so wait for
    // the other side to say it has them all.
    (void)link.receive();
}

void echo_then_count(PeerLink& link, const LoadConfig& config, InvitedResult& out) {
    for (std::uint64_t i = 0; i < config.pingpongs; ++i) {
        link.echo(link.receive(), ++out.echoed);
    }
    for (std::uint64_t i = 0; i < config.oneway; ++i) {
        const auto frame = link.receive();
        if (link.read_note(frame))
            ++out.received;
        else
            ++out.errors;
        out.last_oneway = Clock::now();
    }
    link.send(link.note(out.echoed + 1));  // all received: the sender may close
}

void inviter(zmq::context_t& ctx, const LoadConfig& config, Handover& handover,
             InviterResult& out) {
    const auto start = Clock::now();
    PeerLink link(ctx, config.target);
    std::optional<Registered> me;  // stays registered for the session, as a real client does
    if (config.target == Target::baseline) {
        handover.value.set_value(link.bind_loopback());
        (void)link.receive();
        link.send("hello");
    } else {
        me.emplace(ctx, config, "w4-inviter");
        const std::string endpoint = link.bind_loopback();
        const std::string peer = wait_handover(handover);
        const std::string token = random_hex(limits::secret_bits);
        me->dealer.send(zmq::buffer(protocol::encode(protocol::Fork{1, peer, endpoint, token, ""})),
                        zmq::send_flags::none);
        (void)await<protocol::ForkOk>(me->dealer);
        check_peer_hello(link.receive(), token);  // the invited side speaks first
        link.send(protocol::encode(protocol::PeerHello{token, me->welcome.name}));
    }
    out.setup_s = duration<double>(Clock::now() - start).count();
    ping_pong_then_stream(link, config, out);
}

void invited(zmq::context_t& ctx, const LoadConfig& config, Handover& handover,
             InvitedResult& out) {
    PeerLink link(ctx, config.target);
    std::optional<Registered> me;
    if (config.target == Target::baseline) {
        link.connect(wait_handover(handover));
        link.send("hello");
        (void)link.receive();
    } else {
        me.emplace(ctx, config, "w4-invited");
        handover.value.set_value(me->welcome.name);
        const auto invite = await<protocol::Invite>(me->dealer);
        link.connect(invite.endpoint);
        link.send(protocol::encode(protocol::PeerHello{invite.token, me->welcome.name}));
        check_peer_hello(link.receive(), invite.token);
    }
    echo_then_count(link, config, out);
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

}  // namespace

Report run_peer_workload(const LoadConfig& config) {
    Report r;
    r.workload = Workload::w4;
    r.target = config.target;
    r.clients = 2;
    r.threads = 2;
    const auto usage_before = read_process_usage(config.server_pid);
    InviterResult a;
    InvitedResult b;
    {
        zmq::context_t ctx(1);
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
    r.sent = config.pingpongs + config.oneway;
    r.expected = r.sent;
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
