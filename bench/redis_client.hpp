// redis_client: one simulated chat client of redis pub/sub, the peer a user
// would most likely pick instead of zchat for a small fan-out. Two
// connections, as a zchat client has a DEALER and a SUB: one publishes (and
// pings), one is subscribed to the lobby channel. Both are hiredis contexts in
// non-blocking mode, driven by the load thread's own epoll. Message bodies
// are the same LOBBY_TEXT bytes the zero-logic baseline carries, numbered per
// sender so a loss is seen.
#pragma once

#include <hiredis/hiredis.h>

#include <memory>
#include <string>
#include <vector>

#include "bench/load_client.hpp"
#include "bench/load_config.hpp"

namespace zchat::bench {

class RedisClient : public LoadClient {
  public:
    RedisClient(const LoadConfig& config, std::size_t index);

    std::vector<Watch> watches() override;
    void start(Clock::time_point now) override;
    bool joined() const override { return joined_; }
    bool tick(Clock::time_point) override { return false; }
    bool say(Clock::time_point due, Tally& tally) override;
    void ping() override;
    bool service(std::size_t which, Tally& tally) override;
    bool blocked() const override { return false; }

  private:
    using Context = std::unique_ptr<redisContext, decltype(&redisFree)>;
    static Context connect(int port);
    bool flush(redisContext* c, Tally& tally);
    void read_publisher(Tally& tally);
    void read_subscriber(Tally& tally);
    void on_message(const redisReply& r, Clock::time_point now, Tally& tally);

    const LoadConfig& config_;
    Context pub_;
    Context sub_;
    std::string name_;
    std::uint64_t id_;                     // index + 1: the sender's number in every body
    bool joined_ = false;                  // SUBSCRIBE confirmed
    bool dead_ = false;                    // a connection failed: counted once
    std::uint64_t next_seq_ = 0;           // own stream
    std::vector<std::uint64_t> last_seq_;  // per sender
};

}  // namespace zchat::bench
