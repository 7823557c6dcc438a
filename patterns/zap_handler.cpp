// zap_handler: the ZAP request and reply frames, waiting requests, and the
// socket options of CURVE servers and clients.
#include "patterns/zap_handler.hpp"

#include <zmq.h>

#include "patterns/limits.hpp"
#include "patterns/log.hpp"

// A draft option in Debian's libzmq 4.3.4 headers, exported by its library:
// with it, a CURVE server whose ZAP handler is missing refuses every peer
// instead of admitting any key.
#ifndef ZMQ_ZAP_ENFORCE_DOMAIN
#define ZMQ_ZAP_ENFORCE_DOMAIN 93
#endif

namespace zchat {
namespace {

constexpr const char* zap_endpoint = "inproc://zeromq.zap.01";

std::string z85_of(const zmq::message_t& raw) {
    if (raw.size() != 32) return {};
    char text[41] = {};
    zmq_z85_encode(text, static_cast<const std::uint8_t*>(raw.data()), 32);
    return text;
}

}  // namespace

ZapHandler::ZapHandler(zmq::context_t& ctx, EventLoop& loop, Policy policy)
    : loop_(loop), policy_(std::move(policy)), socket_(ctx, zmq::socket_type::router) {
    socket_.set(zmq::sockopt::linger, 0);
    socket_.bind(zap_endpoint);
    loop_.watch(socket_, [this] { on_readable(); });
    expiry_timer_ = loop_.every(std::chrono::milliseconds{200}, [this] { expire(); });
}

ZapHandler::~ZapHandler() {
    loop_.cancel(expiry_timer_);
    loop_.unwatch(socket_);
}

void ZapHandler::on_readable() {
    for (int i = 0; i < 256; ++i) {
        // [routing id][empty] then version, id, domain, address, identity, mechanism,
        // credentials...
        std::vector<zmq::message_t> frames;
        zmq::message_t frame;
        if (!socket_.recv(frame, zmq::recv_flags::dontwait)) return;
        frames.push_back(std::move(frame));
        while (frames.back().more()) {
            zmq::message_t next;
            (void)socket_.recv(next);
            frames.push_back(std::move(next));
        }
        std::size_t body = 0;
        while (body < frames.size() && frames[body].size() != 0) ++body;
        Waiting w;
        for (std::size_t k = 0; k <= body && k < frames.size(); ++k)
            w.envelope.push_back(frames[k].to_string());
        const std::size_t first = body + 1;
        if (frames.size() < first + 6) {
            log::debug("dropped a malformed ZAP request");
            continue;
        }
        w.request_id = frames[first + 1].to_string();
        w.request.domain = frames[first + 2].to_string();
        w.request.address = frames[first + 3].to_string();
        w.request.mechanism = frames[first + 5].to_string();
        if (w.request.mechanism == "CURVE" && frames.size() > first + 6)
            w.request.key = z85_of(frames[first + 6]);
        w.since = EventLoop::Clock::now();
        decide(std::move(w));
    }
}

void ZapHandler::decide(Waiting&& w) {
    Decision d = deny();
    try {
        // A CURVE request without a well-formed key is refused before any policy.
        if (w.request.mechanism != "CURVE" || !w.request.key.empty()) d = policy_(w.request);
    } catch (const std::exception& e) {
        log::error("ZAP policy failed: ", e.what());
    }
    if (d.kind == Decision::Kind::wait)
        waiting_.push_back(std::move(w));
    else
        answer(w, d);
}

void ZapHandler::answer(const Waiting& w, const Decision& d) {
    const bool ok = d.kind == Decision::Kind::allow;
    for (const auto& part : w.envelope) socket_.send(zmq::buffer(part), zmq::send_flags::sndmore);
    const std::string parts[] = {
        "1.0", w.request_id, ok ? "200" : "400", ok ? "OK" : "not allowed", ok ? d.user_id : "",
        ""};
    for (std::size_t k = 0; k < std::size(parts); ++k)
        socket_.send(zmq::buffer(parts[k]),
                     k + 1 < std::size(parts) ? zmq::send_flags::sndmore : zmq::send_flags::none);
    if (!ok)
        log::debug("refused a ", w.request.mechanism, " connection from ", w.request.address,
                   " to ", w.request.domain);
}

void ZapHandler::reconsider() {
    auto waiting = std::exchange(waiting_, {});
    for (auto& w : waiting) decide(std::move(w));
}

void ZapHandler::expire() {
    const auto now = EventLoop::Clock::now();
    std::vector<Waiting> still;
    for (auto& w : waiting_) {
        if (now - w.since > limits::zap_wait)
            answer(w, deny());
        else
            still.push_back(std::move(w));
    }
    waiting_ = std::move(still);
}

void make_curve_server(zmq::socket_t& socket, const std::string& own_secret_z85,
                       const std::string& domain) {
    socket.set(zmq::sockopt::curve_server, true);
    socket.set(zmq::sockopt::curve_secretkey, own_secret_z85);
    socket.set(zmq::sockopt::zap_domain, domain);
    const int one = 1;
    if (zmq_setsockopt(socket.handle(), ZMQ_ZAP_ENFORCE_DOMAIN, &one, sizeof one) != 0)
        throw zmq::error_t();
}

void make_curve_client(zmq::socket_t& socket, const std::string& own_public_z85,
                       const std::string& own_secret_z85, const std::string& server_key_z85) {
    socket.set(zmq::sockopt::curve_serverkey, server_key_z85);
    socket.set(zmq::sockopt::curve_publickey, own_public_z85);
    socket.set(zmq::sockopt::curve_secretkey, own_secret_z85);
}

}  // namespace zchat
