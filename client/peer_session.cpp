// peer_session: a PAIR socket with a token handshake, heartbeats and a send queue.
#include "client/peer_session.hpp"

#include "patterns/frame.hpp"
#include "patterns/limits.hpp"
#include "patterns/log.hpp"
#include "patterns/network_socket.hpp"
#include "patterns/secure_random.hpp"
#include "patterns/zap_handler.hpp"

namespace zchat::client {
namespace {

constexpr int leave_linger_ms = 200;  // long enough for PEER_LEAVE to go out

}  // namespace

PeerSession::PeerSession(zmq::socket_t socket, std::string endpoint, std::string token,
                         Clock::time_point now, std::chrono::milliseconds timeout)
    : socket_(std::move(socket)),
      endpoint_(std::move(endpoint)),
      token_(std::move(token)),
      started_(now),
      timeout_(timeout),
      peer_(limits::peer_ping_interval * 2, timeout, now),
      heartbeat_(limits::peer_ping_interval, now),
      now_(now) {}

PeerSession PeerSession::listen(zmq::context_t& ctx, const std::string& host, Clock::time_point now,
                                std::chrono::milliseconds timeout, const PeerKeys* keys) {
    auto socket = make_network_socket(ctx, zmq::socket_type::pair);
    if (keys) make_curve_server(socket, keys->own.secret_z85, keys->zap_domain);
    socket.bind("tcp://" + host + ":*");
    std::string endpoint = bound_endpoint(socket);
    return PeerSession(std::move(socket), std::move(endpoint), random_hex(limits::secret_bits), now,
                       timeout);
}

PeerSession PeerSession::join(zmq::context_t& ctx, const std::string& endpoint,
                              const std::string& token, const std::string& own_name,
                              Clock::time_point now, std::chrono::milliseconds timeout,
                              const PeerKeys* keys) {
    auto socket = make_network_socket(ctx, zmq::socket_type::pair);
    if (keys) make_curve_client(socket, keys->own.public_z85, keys->own.secret_z85, keys->peer_key);
    socket.connect(endpoint);
    PeerSession s(std::move(socket), endpoint, token, now, timeout);
    s.send(protocol::PeerHello{token, own_name});
    return s;
}

void PeerSession::decline(zmq::context_t& ctx, const std::string& endpoint,
                          const std::string& token, const std::string& reason,
                          const PeerKeys* keys) {
    auto socket = make_network_socket(ctx, zmq::socket_type::pair);
    socket.set(zmq::sockopt::linger, leave_linger_ms);
    if (keys) make_curve_client(socket, keys->own.public_z85, keys->own.secret_z85, keys->peer_key);
    socket.connect(endpoint);
    (void)socket.send(to_frame(protocol::PeerLeave{token, reason}), zmq::send_flags::dontwait);
}

void PeerSession::accept(const std::string& own_name) {
    open_ = true;
    send(protocol::PeerHello{token_, own_name});
}

void PeerSession::leave(const std::string& reason) {
    socket_.set(zmq::sockopt::linger, leave_linger_ms);
    send(protocol::PeerLeave{token_, reason});
}

void PeerSession::note(std::string text, std::uint64_t ts_us) {
    send(protocol::PeerNote{++notes_sent_, ts_us, std::move(text)});
}

std::optional<protocol::Message> PeerSession::receive(Clock::time_point now) {
    now_ = now;
    zmq::message_t frame;
    while (socket_.recv(frame, zmq::recv_flags::dontwait)) {
        if (!expected_key_.empty()) {
            const char* user_id = zmq_msg_gets(frame.handle(), "User-Id");
            if (!user_id || expected_key_ != user_id) {
                log::debug("private session: dropped a frame from another key");
                continue;
            }
        }
        peer_.heard(now);
        if (frame.more()) {
            while (socket_.get(zmq::sockopt::rcvmore)) (void)socket_.recv(frame);
            log::debug("private session: dropped a multi-frame message");
            continue;
        }
        auto decoded = protocol::decode(frame.to_string_view());
        if (auto* err = std::get_if<protocol::DecodeError>(&decoded)) {
            log::debug("private session: dropped ", err->reason);
            continue;
        }
        auto& m = std::get<protocol::Message>(decoded);
        const auto* hello = std::get_if<protocol::PeerHello>(&m);
        const auto* leave = std::get_if<protocol::PeerLeave>(&m);
        if ((hello && hello->token != token_) || (leave && leave->token != token_)) {
            log::debug("private session: dropped a ", protocol::kind_name(m),
                       " without the session's token");
            continue;
        }
        if (!open_ && !hello && !leave) {
            log::debug("private session: dropped ", protocol::kind_name(m), " before the hello");
            continue;
        }
        return std::move(m);
    }
    return std::nullopt;
}

void PeerSession::send(const protocol::Message& m) {
    auto frame = to_frame(m);
    // Nothing queued ahead of it: straight out, unless the peer would block.
    if (unsent_.empty() && socket_.send(frame, zmq::send_flags::dontwait)) {
        heartbeat_.sent(now_);
        return;
    }
    unsent_.push_back(std::move(frame));
    flush();
}

void PeerSession::flush() {
    while (!unsent_.empty()) {
        // On EAGAIN the frame stays as it was, queued for the next try.
        if (!socket_.send(unsent_.front(), zmq::send_flags::dontwait)) {
            if (!blocked_since_) blocked_since_ = now_;
            return;
        }
        heartbeat_.sent(now_);
        unsent_.pop_front();
    }
    blocked_since_.reset();
}

void PeerSession::forgive(Clock::time_point now) {
    now_ = now;
    peer_.forgive(now);
    started_ = now;
    if (blocked_since_) blocked_since_ = now;
}

std::optional<std::string> PeerSession::check(Clock::time_point now) {
    now_ = now;
    if (!open_ && now - started_ > timeout_) return "did not answer the private session";
    if (peer_.expired(now)) return "is unreachable (no heartbeat)";
    flush();
    if ((blocked_since_ && now - *blocked_since_ > timeout_) ||
        unsent_.size() > limits::max_unsent_notes)
        return "is not taking messages";
    if (open_ && heartbeat_.due(now)) send(protocol::PeerPing{});
    return std::nullopt;
}

}  // namespace zchat::client
