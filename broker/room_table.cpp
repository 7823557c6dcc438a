// room_table: rooms made on demand, bounded, and forgotten when left empty.
#include "broker/room_table.hpp"

#include "broker/name_registry.hpp"
#include "patterns/limits.hpp"

namespace zchat::broker {

std::optional<std::string> RoomTable::invalid_reason(std::string_view room) {
    if (room.empty() || room.front() != '#') return "a room's name starts with '#', as #rust";
    if (auto why = NameRegistry::invalid_reason(room.substr(1))) return "after its '#', " + *why;
    return std::nullopt;
}

Room* RoomTable::find(std::string_view name) {
    const auto it = rooms_.find(name);
    return it == rooms_.end() ? nullptr : &it->second;
}

Room* RoomTable::open(const std::string& name) {
    if (Room* room = find(name)) return room;
    if (rooms_.size() >= limits::max_rooms) return nullptr;
    Room& room = rooms_[name];
    room.name = name;
    room.topic = protocol::room_topic(name);
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

void RoomTable::remember(Room& room, protocol::RoomText text) {
    if (room.history.size() == limits::room_history) room.history.pop_front();
    room.history.push_back(std::move(text));
}

std::size_t RoomTable::forget_empty(Clock::time_point now) {
    return std::erase_if(rooms_, [&](const auto& entry) {
        const auto& since = entry.second.empty_since;
        return since && now - *since > limits::empty_room_linger;
    });
}

}  // namespace zchat::broker
