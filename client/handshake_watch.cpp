// handshake_watch: zmq_socket_monitor events, read from an inproc PAIR.
#include "client/handshake_watch.hpp"

#include <zmq.h>

#include <atomic>
#include <cstring>
#include <string>

namespace zchat::client {
namespace {

constexpr int watched = ZMQ_EVENT_HANDSHAKE_SUCCEEDED | ZMQ_EVENT_HANDSHAKE_FAILED_AUTH |
                        ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL | ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL;

std::string next_endpoint() {
    static std::atomic<unsigned long> count{0};
    return "inproc://zchat-handshake-" + std::to_string(++count);
}

}  // namespace

HandshakeWatch::HandshakeWatch(zmq::context_t& ctx, EventLoop& loop, zmq::socket_t& socket,
                               OnReport on_report)
    : loop_(loop),
      socket_(socket),
      monitor_(ctx, zmq::socket_type::pair),
      on_report_(std::move(on_report)) {
    const std::string endpoint = next_endpoint();
    if (zmq_socket_monitor(socket_.handle(), endpoint.c_str(), watched) != 0) throw zmq::error_t();
    monitor_.set(zmq::sockopt::linger, 0);
    monitor_.connect(endpoint);
    loop_.watch(monitor_, [this] { on_event(); });
}

HandshakeWatch::~HandshakeWatch() {
    loop_.unwatch(monitor_);
    zmq_socket_monitor(socket_.handle(), nullptr, 0);
}

void HandshakeWatch::on_event() {
    for (int i = 0; i < 64; ++i) {
        // [6 bytes: u16 event, u32 value][the socket's endpoint]
        zmq::message_t head;
        if (!monitor_.recv(head, zmq::recv_flags::dontwait)) return;
        zmq::message_t rest;
        while (head.more() && monitor_.get(zmq::sockopt::rcvmore)) (void)monitor_.recv(rest);
        if (head.size() < 6) continue;
        std::uint16_t event = 0;
        std::uint32_t value = 0;
        std::memcpy(&event, head.data(), 2);
        std::memcpy(&value, static_cast<const char*>(head.data()) + 2, 4);
        Report r;
        if (event == ZMQ_EVENT_HANDSHAKE_SUCCEEDED)
            r.succeeded = true;
        else if (event == ZMQ_EVENT_HANDSHAKE_FAILED_AUTH)
            r.failure = Failure::refused_key;
        else if (event == ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL &&
                 value == ZMQ_PROTOCOL_ERROR_ZMTP_MECHANISM_MISMATCH)
            r.failure = Failure::mechanism_mismatch;
        on_report_(r);  // may destroy this watch: nothing after it
        return;
    }
}

}  // namespace zchat::client
