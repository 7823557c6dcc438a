// room_table: rooms made on demand, bounded, and forgotten when left empty.
#include "broker/room_table.hpp"

#include <algorithm>
#include <functional>

#include "patterns/limits.hpp"
#include "patterns/name_rules.hpp"

namespace zchat::broker {

std::optional<std::string> RoomTable::invalid_reason(std::string_view room) {
    if (room.empty() || room.front() != '#') return "a room's name starts with '#', as #rust";
    if (auto why = name_refusal(room.substr(1))) return "after its '#', " + *why;
    return std::nullopt;
}

Room* RoomTable::find(std::string_view name) {
    const auto it = rooms_.find(name);
    return it == rooms_.end() ? nullptr : &it->second;
}

Room* RoomTable::open(const std::string& name) {
    if (Room* room = find(name)) return room;
    if (rooms_.size() >= limits::max_rooms) {
        auto longest = rooms_.end();
        for (auto it = rooms_.begin(); it != rooms_.end(); ++it)
            if (it->second.empty_since &&
                (longest == rooms_.end() || *it->second.empty_since < *longest->second.empty_since))
                longest = it;
        if (longest == rooms_.end()) return nullptr;
        forget(longest);
    }
    Room& room = rooms_[name];
    room.name = name;
    room.topic = protocol::room_topic(name);
    room.seq = room.beaten_seq = forgotten_seq_;
    return &room;
}

void RoomTable::add_member(Room& room, const std::string& member) {
    room.members.insert(member);
    room.empty_since.reset();
}

void RoomTable::remove_member(Room& room, const std::string& member, Clock::time_point now) {
    room.members.erase(member);
    if (room.members.empty()) room.empty_since = now;
}

std::vector<const Room*> RoomTable::beats_due(Clock::time_point now) {
    using std::chrono::milliseconds;
    std::vector<const Room*> due;
    for (auto& [name, room] : rooms_) {
        if (room.members.empty()) continue;
        if (room.seq != room.beaten_seq) {
            const auto share = std::hash<std::string>{}(name) % limits::quiet_room_beat.count();
            room.quiet_interval = limits::quiet_room_beat + milliseconds(share);
        } else if (now - room.beaten_at >= room.quiet_interval) {
            room.quiet_interval = std::min(room.quiet_interval * 2, limits::quiet_room_beat_max);
        } else {
            continue;
        }
        room.beaten_seq = room.seq;
        room.beaten_at = now;
        due.push_back(&room);
    }
    return due;
}

namespace {
// What one remembered text holds on to, near enough.
std::size_t held_bytes(const protocol::RoomText& t) {
    return sizeof t + t.room.size() + t.from.size() + t.text.size();
}
}  // namespace

void RoomTable::remember(Room& room, protocol::RoomText text) {
    if (room.history.size() == limits::room_history) drop_oldest(room);
    if (room.history.empty()) oldest_.emplace(next_stamp_, room.name);
    history_bytes_ += held_bytes(text);
    room.history.push_back(std::move(text));
    room.stamps.push_back(next_stamp_++);
    while (history_bytes_ > limits::room_history_bytes) drop_oldest(*find(oldest_.begin()->second));
}

void RoomTable::drop_oldest(Room& room) {
    oldest_.erase({room.stamps.front(), room.name});
    history_bytes_ -= held_bytes(room.history.front());
    room.history.pop_front();
    room.stamps.pop_front();
    if (!room.stamps.empty()) oldest_.emplace(room.stamps.front(), room.name);
}

RoomTable::Rooms::iterator RoomTable::forget(Rooms::iterator it) {
    forgotten_seq_ = std::max(forgotten_seq_, it->second.seq);
    while (!it->second.history.empty()) drop_oldest(it->second);
    return rooms_.erase(it);
}

std::size_t RoomTable::forget_empty(Clock::time_point now) {
    std::size_t forgotten = 0;
    for (auto it = rooms_.begin(); it != rooms_.end();) {
        const auto& since = it->second.empty_since;
        if (since && now - *since > limits::empty_room_linger) {
            it = forget(it);
            ++forgotten;
        } else {
            ++it;
        }
    }
    return forgotten;
}

}  // namespace zchat::broker
