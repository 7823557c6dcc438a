// subscription_gate: the lobby XPUB in manual mode. No subscription a peer
// sends is applied as it stands: a raw SUB that subscribes to "lobby", or to
// everything, receives nothing. A client's SUB subscribes to its secret
// ticket instead, and the broker then applies, to that one connection, the
// topics its client may hear.
//
// libzmq 4.3.4 applies a manual subscription to the connection the last
// notification came from, even if that connection has been torn down since
// (fixed upstream after 4.3.4, libzmq PR #4137): a heap use-after-free at the
// next publish. The gate therefore applies a ticket only when nothing else is
// pending behind it after libzmq has processed its commands: a connection
// that died after queueing its ticket has queued its cancellations behind it.
// A ticket that cannot be applied safely is skipped; its client asks again
// (PROTOCOL.md, "Subscriptions").
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>
#include <zmq.hpp>

namespace zchat::broker {

// What one ticket stands for: the topics to apply to its connection.
struct TicketGrant {
    std::vector<std::string> subscribe;    // topics the client may hear
    std::vector<std::string> unsubscribe;  // topics it may no longer hear
};

struct GateStats {
    std::uint64_t applied = 0;   // tickets applied
    std::uint64_t deferred = 0;  // tickets skipped because others were pending
    std::uint64_t ignored = 0;   // subscriptions and messages that were no known ticket
};

class SubscriptionGate {
  public:
    // RESOLVE: the grant for a ticket sent on a connection with USER_ID (its
    // CURVE key; empty on plaintext), or nullptr if it is no client's or not
    // that key's. APPLIED: called once the grant is applied to the connection
    // that sent the ticket.
    using Resolve =
        std::function<const TicketGrant*(std::string_view ticket, std::string_view user_id)>;
    using Applied = std::function<void(std::string_view ticket)>;

    SubscriptionGate(zmq::socket_t& xpub, Resolve resolve, Applied applied);

    // Reads what the XPUB has pending, up to a batch, applying what may be applied.
    void drain();
    const GateStats& stats() const { return stats_; }

  private:
    void on_notification(const zmq::message_t& note);
    bool nothing_pending();

    zmq::socket_t& xpub_;
    Resolve resolve_;
    Applied applied_;
    GateStats stats_;
};

}  // namespace zchat::broker
