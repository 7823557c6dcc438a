// session_list: numbering, lookup and the \sessions listing.
#include "client/session_list.hpp"

#include <algorithm>

namespace zchat::client {

int SessionList::add(std::string peer, bool initiated) {
    entries_.push_back({next_, std::move(peer), initiated});
    return next_++;
}

void SessionList::remove(int number) {
    std::erase_if(entries_, [&](const SessionEntry& s) { return s.number == number; });
    if (active_ == number) active_ = lobby;
}

const SessionEntry* SessionList::find(int number) const {
    const auto it = std::find_if(entries_.begin(), entries_.end(),
                                 [&](const SessionEntry& s) { return s.number == number; });
    return it == entries_.end() ? nullptr : &*it;
}

const SessionEntry* SessionList::find_peer(const std::string& peer) const {
    const auto it = std::find_if(entries_.begin(), entries_.end(),
                                 [&](const SessionEntry& s) { return s.peer == peer; });
    return it == entries_.end() ? nullptr : &*it;
}

bool SessionList::switch_to(int number) {
    if (number != lobby && !find(number)) return false;
    active_ = number;
    return true;
}

std::vector<std::string> SessionList::rows(bool lobby_up) const {
    std::vector<std::string> rows{"< Sessions (type \\sw N to switch) >"};
    const auto mark = [&](int n) { return std::string(active_ == n ? "*" : " "); };
    rows.push_back(mark(lobby) + "0  lobby" + (lobby_up ? "" : " (down: broker unreachable)"));
    for (const auto& s : entries_)
        rows.push_back(mark(s.number) + std::to_string(s.number) + "  " + marker(s) + " " + s.peer);
    return rows;
}

}  // namespace zchat::client
