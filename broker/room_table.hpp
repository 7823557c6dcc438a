// room_table: the named rooms, each its own fan-out on its own XPUB topic,
// with its members, a sequence of its own and its last texts for newcomers.
// A room is made by its first JOIN and dropped, history and all,
// empty_room_linger after its last member left, or sooner when the table is
// full and a new room needs its place. All histories together are bounded in
// bytes: past room_history_bytes the oldest text of any room goes first.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "patterns/protocol.hpp"

namespace zchat::broker {

struct Room {
    std::string name;   // "#rust"
    std::string topic;  // protocol::room_topic(name)
    std::uint64_t seq = 0;
    std::set<std::string> members;  // user names, in byte order
    std::deque<protocol::RoomText> history;
    std::deque<std::uint64_t> stamps;  // each history entry's place in all rooms' order
    std::optional<std::chrono::steady_clock::time_point> empty_since;
    std::uint64_t beaten_seq = 0;  // the last_seq of its last ROOM_BEAT
    std::chrono::steady_clock::time_point beaten_at{};
    std::chrono::milliseconds quiet_interval{};  // until its next beat, if nothing happens
};

class RoomTable {
  public:
    using Clock = std::chrono::steady_clock;

    // Why ROOM may not be a room's name (nullopt if it may): '#' and then
    // 1..32 bytes under the rules of user names.
    static std::optional<std::string> invalid_reason(std::string_view room);

    Room* find(std::string_view name);
    // The room NAME, made if need be, in the place of the room empty the
    // longest if the table is full; nullptr when all max_rooms have members.
    Room* open(const std::string& name);
    void add_member(Room& room, const std::string& member);
    void remove_member(Room& room, const std::string& member, Clock::time_point now);
    void remember(Room& room, protocol::RoomText text);
    // The rooms with members due a ROOM_BEAT: those with news since their
    // last one, and quiet ones whose interval is up: quiet_room_beat (plus a
    // share of it that depends on the room, so rooms made together do not
    // beat together), doubling up to quiet_room_beat_max. Each is marked beaten.
    std::vector<const Room*> beats_due(Clock::time_point now);
    // Drops the rooms empty for longer than empty_room_linger; how many.
    std::size_t forget_empty(Clock::time_point now);

    const std::map<std::string, Room, std::less<>>& all() const { return rooms_; }
    std::size_t history_bytes() const { return history_bytes_; }

  private:
    using Rooms = std::map<std::string, Room, std::less<>>;
    void drop_oldest(Room& room);
    Rooms::iterator forget(Rooms::iterator it);

    Rooms rooms_;
    // The stamp of each room's oldest text, so the oldest of all is first.
    std::set<std::pair<std::uint64_t, std::string>> oldest_;
    std::uint64_t next_stamp_ = 0;
    // The highest number a forgotten room reached. A room made again numbers
    // on from past it: a client back in the same broker run never takes the
    // new room's texts for ones it saw in the old one.
    std::uint64_t forgotten_seq_ = 0;
    std::size_t history_bytes_ = 0;
};

}  // namespace zchat::broker
