// subscription_gate: tickets in, manual subscriptions out, with the probe rule.
#include "broker/subscription_gate.hpp"

#include "patterns/protocol.hpp"

namespace zchat::broker {
namespace {

// Notifications read per call, so the rendezvous is not starved by a flood.
constexpr int drain_batch = 1024;

}  // namespace

SubscriptionGate::SubscriptionGate(zmq::socket_t& xpub, Resolve resolve, Applied applied)
    : xpub_(xpub), resolve_(std::move(resolve)), applied_(std::move(applied)) {}

void SubscriptionGate::drain() {
    for (int i = 0; i < drain_batch; ++i) {
        zmq::message_t note;
        if (!xpub_.recv(note, zmq::recv_flags::dontwait)) return;
        if (note.more()) {  // a peer's own multi-part message: never a subscription
            ++stats_.ignored;
            continue;
        }
        on_notification(note);
    }
}

void SubscriptionGate::on_notification(const zmq::message_t& note) {
    const std::string_view data = note.to_string_view();
    // A subscription is 0x01 + topic. Cancellations (0x00), and anything else,
    // never change what a connection hears, and never drop anyone.
    if (data.empty() || data[0] != 1 || !data.substr(1).starts_with(protocol::ticket_prefix)) {
        ++stats_.ignored;
        return;
    }
    const std::string_view ticket = data.substr(1);
    const char* user_id = zmq_msg_gets(note.handle(), "User-Id");
    const TicketGrant* grant = resolve_(ticket, user_id ? user_id : "");
    if (!grant) {
        ++stats_.ignored;
        return;
    }
    if (!nothing_pending()) {
        ++stats_.deferred;
        return;
    }
    // Nothing was read since the ticket: libzmq's "last pipe" is its connection.
    for (const auto& topic : grant->subscribe) xpub_.set(zmq::sockopt::subscribe, topic);
    for (const auto& topic : grant->unsubscribe) xpub_.set(zmq::sockopt::unsubscribe, topic);
    ++stats_.applied;
    applied_(ticket);
}

// ZMQ_EVENTS processes libzmq's pending commands first: had the ticket's
// connection been torn down, its cancellations would now be pending.
bool SubscriptionGate::nothing_pending() {
    return (xpub_.get(zmq::sockopt::events) & ZMQ_POLLIN) == 0;
}

}  // namespace zchat::broker
