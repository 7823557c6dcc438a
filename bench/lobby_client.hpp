// lobby_client: one simulated chat client of the ZeroMQ targets (W1-W3, W5):
// a DEALER towards the server and a SUB on the lobby. Against chat-broker it is
// a real protocol client (patterns/registration: HELLO, WELCOME, ticket,
// JOINED; then SAY and PING); against the zero-logic forwarder it sends the
// same lobby bodies itself and proves its subscription live with a probe on
// its own topic.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>
#include <zmq.hpp>

#include "bench/load_client.hpp"
#include "bench/load_config.hpp"
#include "bench/raw_subscriber.hpp"
#include "patterns/protocol.hpp"
#include "patterns/registration.hpp"
#include "patterns/token_bucket.hpp"

namespace zchat::bench {

class LobbyClient : public LoadClient {
  public:
    LobbyClient(zmq::context_t& ctx, const LoadConfig& config, std::size_t index);

    std::vector<Watch> watches() override;
    void start(Clock::time_point now) override;
    bool joined() const override { return joined_; }
    bool tick(Clock::time_point now) override;
    bool say(Clock::time_point due, Tally& tally) override;
    void ping() override;
    bool service(std::size_t which, Tally& tally) override;
    bool blocked() const override { return blocked_; }

  private:
    bool drain_dealer(Tally& tally);
    bool drain_lobby(Tally& tally);
    bool read_raw(Tally& tally);
    SubscriberPort& lobby_port();
    void on_reply(std::string_view body, Tally& tally);
    void on_lobby_body(std::string_view body, Clock::time_point now, Tally& tally);
    void on_published(std::string_view topic, std::string_view body, Clock::time_point now,
                      Tally& tally);
    void on_room_body(std::string_view body, Clock::time_point now, Tally& tally);
    void on_room_reply(const protocol::Message& m, Tally& tally);
    void on_text(std::uint64_t from_id, std::uint64_t seq, std::string_view text,
                 Clock::time_point now, Tally& tally);
    void track_seq(std::uint64_t stream, std::uint64_t seq, Tally& tally);
    void track_beat(std::uint64_t last_seq, Tally& tally);
    void subscribe_and_connect(const std::string& endpoint);
    bool send(std::string_view frame, bool more = false);

    const LoadConfig& config_;
    zmq::socket_t dealer_;
    zmq::socket_t sub_;
    ZmqSubscriber zmq_port_{sub_};
    std::unique_ptr<RawSubscriber> raw_;  // --wire raw: the lobby side without libzmq
    Tally* reading_ = nullptr;            // the tally raw_ reports into, while it reads
    Clock::time_point read_at_{};
    std::string name_;            // requested name; the broker may suffix it
    Registration registration_;   // the broker handshake
    std::uint64_t id_ = 0;        // broker-assigned (baseline: index + 1)
    std::string own_topic_;       // baseline: the topic whose probe proves the SUB live
    bool joined_ = false;         // subscription known live
    bool blocked_ = false;        // the DEALER refused a send: waiting for room
    std::uint64_t next_seq_ = 0;  // cseq (broker) or own stream seq (baseline) last used
    Clock::time_point last_probe_{};
    std::optional<TokenBucket> pacing_;  // paced as chat-cli paces, when asked to
    std::string room_;                   // Wr: the room this client talks in; empty: the lobby
    std::string room_topic_;             // its topic on the SUB
    TicketAsk room_ask_;                 // the room's ticket, until ROOM_JOINED
    // Last lobby seq seen per stream: one global stream from the broker, one per
    // sender from the baseline (which numbers nothing, so senders do).
    std::vector<std::uint64_t> last_seq_;
};

}  // namespace zchat::bench
