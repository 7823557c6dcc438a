// peer_link: PAIR socket setup and note framing for W4.
#include "bench/peer_link.hpp"

#include <chrono>
#include <stdexcept>
#include <variant>

#include "bench/stamped_text.hpp"
#include "patterns/frame.hpp"
#include "patterns/network_socket.hpp"
#include "patterns/protocol.hpp"
#include "patterns/wall_clock.hpp"

namespace zchat::bench {
namespace {

// A peer silent this long is gone; generous so a sanitizer build still passes.
constexpr int link_timeout_ms = 10000;

protocol::PeerNote make_note(std::uint64_t seq) {
    return protocol::PeerNote{seq, wall_clock_us(), stamped_text(Clock::now())};
}

}  // namespace

PeerLink::PeerLink(zmq::context_t& ctx, Target target)
    : target_(target), pair_(make_network_socket(ctx, zmq::socket_type::pair)) {
    pair_.set(zmq::sockopt::sndtimeo, link_timeout_ms);
    pair_.set(zmq::sockopt::rcvtimeo, link_timeout_ms);
    // Same length as what the broker target sends for a mid-run note.
    raw_note_size_ = protocol::encode(make_note(50000)).size();
}

std::string PeerLink::bind_loopback() {
    pair_.bind("tcp://127.0.0.1:*");
    return bound_endpoint(pair_);
}

void PeerLink::connect(const std::string& endpoint) { pair_.connect(endpoint); }

void PeerLink::send(const std::string& frame) { send(zmq::message_t(frame.data(), frame.size())); }

void PeerLink::send(zmq::message_t&& frame) {
    if (!pair_.send(frame, zmq::send_flags::none)) throw std::runtime_error("peer send timed out");
}

zmq::message_t PeerLink::receive() {
    zmq::message_t frame;
    if (!pair_.recv(frame, zmq::recv_flags::none))
        throw std::runtime_error("peer silent for too long");
    return frame;
}

// Both targets pay for the generator's own work, stamping the text; only the
// broker target pays for the protocol around it.
zmq::message_t PeerLink::note(std::uint64_t seq) const {
    if (target_ == Target::baseline) {
        std::string raw = stamped_text(Clock::now());
        raw.resize(raw_note_size_, 'x');
        return zmq::message_t(raw.data(), raw.size());
    }
    return to_frame(make_note(seq));
}

bool PeerLink::read_note(const zmq::message_t& frame) const {
    if (target_ == Target::baseline) return frame.size() == raw_note_size_;
    auto decoded = protocol::decode(frame.to_string_view());
    const auto* msg = std::get_if<protocol::Message>(&decoded);
    return msg && std::holds_alternative<protocol::PeerNote>(*msg);
}

void PeerLink::echo(zmq::message_t&& frame, std::uint64_t seq) {
    if (target_ == Target::baseline) {
        if (!pair_.send(frame, zmq::send_flags::none))
            throw std::runtime_error("peer send timed out");
        return;
    }
    auto decoded = protocol::decode(frame.to_string_view());
    const auto* msg = std::get_if<protocol::Message>(&decoded);
    const auto* ping = msg ? std::get_if<protocol::PeerNote>(msg) : nullptr;
    if (!ping) throw std::runtime_error("peer sent something that is not a PEER_NOTE");
    send(to_frame(protocol::PeerNote{seq, wall_clock_us(), ping->text}));
}

}  // namespace zchat::bench
