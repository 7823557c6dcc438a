// outbox: lobby and room text on its way out. Lines are queued and sent as the
// broker's bucket allows (paced a little under it, since lines sent evenly can
// still arrive bunched), then counted as unconfirmed until the lobby publishes
// them back, so that the end of piped input waits for the lobby, not just for
// the socket. Recently sent lines are kept to name one the broker refuses.
// Requests that are not text (IGNORE) take their share of the same pace.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <string>

#include "patterns/token_bucket.hpp"

namespace zchat::client {

class Outbox {
  public:
    using Clock = TokenBucket::Clock;
    // Sends SAY (or SAY_ROOM, when ROOM is not empty) for one line; false if
    // the socket would not take it now.
    using Send =
        std::function<bool(std::uint64_t cseq, const std::string& room, const std::string& text)>;

    explicit Outbox(Clock::time_point now) : bucket_(1, 1, now) {}

    // The broker's announced bucket: pace to 95% of its rate and half its
    // burst, less what the registration itself took from it.
    void pace(std::uint32_t rate, std::uint32_t burst, Clock::time_point now) {
        bucket_ = pacing(rate, burst, now);
    }
    // That bucket, for any sender that paces as chat-cli does.
    static TokenBucket pacing(std::uint32_t rate, std::uint32_t burst, Clock::time_point now);
    void push(std::uint64_t cseq, std::string text, std::string room = {}) {
        queue_.push_back({cseq, std::move(room), std::move(text)});
    }
    // Sends what the bucket allows now.
    void flush(const Send& send, Clock::time_point now);
    // Takes the pace's share of one request that is not text; false if it must wait.
    bool spend(Clock::time_point now) { return bucket_.take(now); }
    // One of ours came back on the lobby.
    void published() {
        if (unconfirmed_ > 0) --unconfirmed_;
    }
    // The broker refused CSEQ: its text if it was ours (then no longer unconfirmed).
    std::string refused(std::uint64_t cseq);
    // The lobby went down: queued lines are dropped; returns how many.
    std::size_t drop_all();

    std::size_t queued() const { return queue_.size(); }
    // Lines not yet seen published back (queued, or sent and unconfirmed).
    std::size_t pending() const { return queue_.size() + unconfirmed_; }

  private:
    struct Line {
        std::uint64_t cseq;
        std::string room;  // empty: the lobby
        std::string text;
    };
    TokenBucket bucket_;
    std::deque<Line> queue_;       // not yet sent
    std::deque<Line> sent_;        // sent, kept briefly to name a refusal
    std::size_t unconfirmed_ = 0;  // sent, not yet published back to us
};

}  // namespace zchat::client
