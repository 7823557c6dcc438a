// lobby_client: one simulated chat client of the lobby workloads (W1-W3): a
// DEALER towards the server and a SUB on the lobby. Against the broker it is a
// real protocol client (patterns/registration: HELLO, WELCOME, ticket, JOINED;
// then SAY and PING); against the baseline forwarder it sends the same lobby
// bodies itself and proves its subscription live with a probe on its own topic.
//
// A client belongs to the one load thread that created it; so does its Tally.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>
#include <zmq.hpp>

#include "bench/load_config.hpp"
#include "bench/stamped_text.hpp"
#include "patterns/protocol.hpp"
#include "patterns/registration.hpp"

namespace zchat::bench {

// What one load thread's clients have counted; merged once the threads end.
struct Tally {
    std::uint64_t sent = 0;                  // lobby messages accepted by a DEALER
    std::uint64_t refused = 0;               // ERROR rate_limited replies
    std::uint64_t errors = 0;                // any other ERROR, or a frame that does not decode
    std::uint64_t received = 0;              // LOBBY_TEXT from another client
    std::uint64_t gaps = 0;                  // sequence jumps
    std::uint64_t missing = 0;               // sequence numbers those jumps skipped
    std::vector<std::int64_t> latencies_ns;  // one per delivery
    Clock::time_point last_delivery{};       // when the latest delivery arrived
};

class LobbyClient {
  public:
    LobbyClient(zmq::context_t& ctx, const LoadConfig& config, std::size_t index);

    // Connects and starts registering (broker) or probing (baseline).
    void start(Clock::time_point now);
    bool joined() const { return joined_; }

    // Sends one stamped lobby message; false (nothing sent) if the DEALER would block.
    bool say(Tally& tally);
    // Heartbeat to the broker; skipped if the DEALER would block, as it is not urgent.
    void ping();
    // Broker: asks again for the ticket while joining. Baseline: repeats the
    // liveness probe until the SUB has seen one. True if it sent something.
    bool tick(Clock::time_point now);

    void on_dealer(Tally& tally);  // drains replies from the server
    void on_lobby(Tally& tally);   // drains lobby frames

    zmq::socket_t& dealer() { return dealer_; }
    zmq::socket_t& lobby() { return sub_; }

  private:
    void on_reply(std::string_view body, Tally& tally);
    void on_lobby_body(std::string_view body, Tally& tally);
    void on_text(const protocol::LobbyText& t, Tally& tally);
    void on_beat(const protocol::Beat& b, Tally& tally);
    void track_seq(std::uint64_t stream, std::uint64_t seq, Tally& tally);
    void subscribe_and_connect(const std::string& endpoint);
    std::string next_body();

    const LoadConfig& config_;
    zmq::socket_t dealer_;
    zmq::socket_t sub_;
    std::string name_;            // requested name; the broker may suffix it
    Registration registration_;   // the broker handshake
    std::uint64_t id_ = 0;        // broker-assigned (baseline: index + 1)
    std::string own_topic_;       // baseline: the topic whose probe proves the SUB live
    bool joined_ = false;         // subscription known live
    std::uint64_t next_seq_ = 0;  // cseq (broker) or own stream seq (baseline) last used
    Clock::time_point last_probe_{};
    // Last lobby seq seen per stream: one global stream from the broker, one per
    // sender from the baseline (which numbers nothing, so senders do).
    std::vector<std::uint64_t> last_seq_;
};

}  // namespace zchat::bench
