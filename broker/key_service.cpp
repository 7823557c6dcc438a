// key_service: KEY_QUERY in, BROKER_KEY out, within a global rate.
#include "broker/key_service.hpp"

#include "broker/broker.hpp"
#include "patterns/frame.hpp"
#include "patterns/limits.hpp"
#include "patterns/log.hpp"
#include "patterns/network_socket.hpp"

namespace zchat::broker {
namespace {

// An encoded KEY_QUERY is 5 bytes, but libzmq applies the limit to the
// handshake too, and a ZMTP READY with its metadata is about 40.
constexpr std::int64_t max_query_bytes = 256;
constexpr int drain_batch = 256;

}  // namespace

KeyService::KeyService(zmq::context_t& ctx, EventLoop& loop, const std::string& endpoint,
                       std::string public_key)
    : loop_(loop),
      socket_(make_network_socket(ctx, zmq::socket_type::router)),
      answer_(protocol::encode(protocol::BrokerKey{std::move(public_key)})),
      bucket_(limits::key_answers_per_s, limits::key_answers_per_s, EventLoop::Clock::now()) {
    socket_.set(zmq::sockopt::maxmsgsize, max_query_bytes);
    socket_.set(zmq::sockopt::sndhwm, 16);
    try {
        socket_.bind(endpoint);
    } catch (const zmq::error_t& e) {
        throw BindError("cannot bind key service endpoint " + endpoint + ": " + e.what());
    }
    endpoint_ = bound_endpoint(socket_);
    loop_.watch(socket_, [this] { on_readable(); });
}

KeyService::~KeyService() { loop_.unwatch(socket_); }

void KeyService::on_readable() {
    for (int i = 0; i < drain_batch; ++i) {
        zmq::message_t rid;
        if (!socket_.recv(rid, zmq::recv_flags::dontwait)) return;
        zmq::message_t body;
        std::size_t frames = 0;
        while (socket_.get(zmq::sockopt::rcvmore)) {
            zmq::message_t part;
            (void)socket_.recv(part);
            if (frames++ == 0) body = std::move(part);
        }
        if (frames != 1) continue;
        const auto decoded = protocol::decode(body.to_string_view());
        const auto* m = std::get_if<protocol::Message>(&decoded);
        if (!m || !std::holds_alternative<protocol::KeyQuery>(*m)) continue;
        if (!bucket_.take(EventLoop::Clock::now())) continue;
        // ROUTER drops what it cannot route or queue; a slow asker loses its answer.
        if (socket_.send(rid, zmq::send_flags::sndmore | zmq::send_flags::dontwait) &&
            socket_.send(zmq::buffer(answer_), zmq::send_flags::dontwait))
            ++answered_;
    }
}

}  // namespace zchat::broker
