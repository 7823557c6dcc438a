// peer_session: a PAIR socket with a hello handshake, heartbeats and a send queue.
#include "client/peer_session.hpp"

#include <random>

#include "patterns/frame.hpp"
#include "patterns/log.hpp"
#include "patterns/network_socket.hpp"

namespace zchat::client {
namespace {

constexpr int leave_linger_ms = 200;       // long enough for PEER_LEAVE to go out
constexpr std::size_t max_unsent = 10000;  // frames queued for a slow peer before it counts as dead

std::string random_token() {
    std::random_device rd;
    std::string token;
    static constexpr char hex[] = "0123456789abcdef";
    for (int i = 0; i < 32; ++i) token += hex[rd() % 16];
    return token;
}

}  // namespace

PeerSession::PeerSession(zmq::socket_t socket, std::string peer, std::string endpoint,
                         std::string token, bool initiated)
    : socket_(std::move(socket)),
      peer_(std::move(peer)),
      endpoint_(std::move(endpoint)),
      token_(std::move(token)),
      initiated_(initiated),
      started_(Clock::now()),
      last_heard_(started_),
      last_ping_(started_) {}

PeerSession PeerSession::listen(zmq::context_t& ctx, const std::string& host, std::string peer) {
    auto socket = make_network_socket(ctx, zmq::socket_type::pair);
    socket.bind("tcp://" + host + ":*");
    std::string endpoint = bound_endpoint(socket);
    return PeerSession(std::move(socket), std::move(peer), std::move(endpoint), random_token(),
                       true);
}

PeerSession PeerSession::join(zmq::context_t& ctx, const std::string& endpoint, std::string peer,
                              const std::string& token, const std::string& own_name) {
    auto socket = make_network_socket(ctx, zmq::socket_type::pair);
    socket.connect(endpoint);
    PeerSession s(std::move(socket), std::move(peer), endpoint, token, false);
    s.send(protocol::PeerHello{token, own_name});
    return s;
}

void PeerSession::decline(zmq::context_t& ctx, const std::string& endpoint,
                          const std::string& reason) {
    auto socket = make_network_socket(ctx, zmq::socket_type::pair);
    socket.set(zmq::sockopt::linger, leave_linger_ms);
    socket.connect(endpoint);
    (void)socket.send(to_frame(protocol::PeerLeave{reason}), zmq::send_flags::dontwait);
}

void PeerSession::leave(const std::string& reason) {
    socket_.set(zmq::sockopt::linger, leave_linger_ms);
    send(protocol::PeerLeave{reason});
}

std::optional<protocol::Message> PeerSession::receive() {
    zmq::message_t frame;
    while (socket_.recv(frame, zmq::recv_flags::dontwait)) {
        last_heard_ = Clock::now();
        if (frame.more()) {
            while (socket_.get(zmq::sockopt::rcvmore)) (void)socket_.recv(frame);
            log::debug("private session with ", peer_, ": dropped a multi-frame message");
            continue;
        }
        auto decoded = protocol::decode(frame.to_string_view());
        if (auto* m = std::get_if<protocol::Message>(&decoded)) return std::move(*m);
        log::debug("private session with ", peer_, ": dropped ",
                   std::get<protocol::DecodeError>(decoded).reason);
    }
    return std::nullopt;
}

bool PeerSession::accept_hello(const protocol::PeerHello& hello) {
    if (hello.token != token_) return false;
    open_ = true;
    return true;
}

void PeerSession::send(const protocol::Message& m) {
    unsent_.push_back(to_frame(m));
    flush();
}

void PeerSession::flush() {
    while (!unsent_.empty()) {
        // On EAGAIN the frame stays as it was, queued for the next try.
        if (!socket_.send(unsent_.front(), zmq::send_flags::dontwait)) {
            if (!blocked_since_) blocked_since_ = Clock::now();
            return;
        }
        unsent_.pop_front();
    }
    blocked_since_.reset();
}

std::optional<std::string> PeerSession::check(Clock::time_point now,
                                              std::chrono::milliseconds timeout) {
    if (!open_ && now - started_ > timeout) return peer_ + " did not answer the private session";
    if (now - last_heard_ > timeout) return peer_ + " is unreachable (no heartbeat)";
    flush();
    if ((blocked_since_ && now - *blocked_since_ > timeout) || unsent_.size() > max_unsent)
        return peer_ + " is not taking messages";
    if (open_ && now - last_ping_ >= timeout / 5) {
        last_ping_ = now;
        send(protocol::PeerPing{});
    }
    return std::nullopt;
}

}  // namespace zchat::client
