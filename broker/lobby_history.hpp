// lobby_history: the most recent lobby messages, replayed to a late joiner
// before its live stream (the Clone pattern: sequence numbers make it exact).
#pragma once

#include <cstddef>
#include <deque>

#include "patterns/protocol.hpp"

namespace zchat::broker {

class LobbyHistory {
  public:
    explicit LobbyHistory(std::size_t capacity) : capacity_(capacity) {}

    void add(protocol::History entry) {
        if (capacity_ == 0) return;
        if (entries_.size() == capacity_) entries_.pop_front();
        entries_.push_back(std::move(entry));
    }
    const std::deque<protocol::History>& entries() const { return entries_; }

  private:
    std::size_t capacity_;                   // most entries kept; 0 keeps none
    std::deque<protocol::History> entries_;  // oldest first
};

}  // namespace zchat::broker
