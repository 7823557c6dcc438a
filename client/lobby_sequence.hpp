// lobby_sequence: the client's view of the lobby's numbering (the Clone
// pattern). Every lobby message carries the broker's epoch and a sequence
// number; a jump is a gap the user is told about, a number already seen is a
// duplicate, and a new epoch is a restarted broker counted from scratch.
#pragma once

#include <cstdint>

namespace zchat::client {

class LobbySequence {
  public:
    struct Seen {
        bool news = false;         // show it: not a duplicate
        std::uint64_t missed = 0;  // numbers skipped before it
    };

    // JOINED: everything up to LAST_SEQ of EPOCH is covered (history or past).
    void start(std::uint64_t epoch, std::uint64_t last_seq) {
        epoch_ = epoch;
        last_ = last_seq;
    }
    // A LOBBY_TEXT or NOTICE numbered SEQ.
    Seen see(std::uint64_t epoch, std::uint64_t seq) {
        if (epoch != epoch_) {  // a new broker: count from here, no gap
            start(epoch, seq);
            return {true, 0};
        }
        if (seq <= last_) return {false, 0};
        const std::uint64_t missed = seq - last_ - 1;
        last_ = seq;
        return {true, missed};
    }
    // A BEAT: numbers up to LAST_SEQ were published; any not seen were lost at the tail.
    std::uint64_t beat(std::uint64_t epoch, std::uint64_t last_seq) {
        if (epoch != epoch_ || last_seq <= last_) return 0;
        const std::uint64_t missed = last_seq - last_;
        last_ = last_seq;
        return missed;
    }
    std::uint64_t epoch() const { return epoch_; }

  private:
    std::uint64_t epoch_ = 0;  // the broker run being tracked
    std::uint64_t last_ = 0;   // last sequence number seen in it
};

}  // namespace zchat::client
