// session_list: the numbered sessions a user can switch between. 0 is the
// lobby; private sessions take the next number and keep it until they end.
#pragma once

#include <string>
#include <vector>

namespace zchat::client {

struct SessionEntry {
    int number;        // what \sw takes
    std::string peer;  // the other user
    bool initiated;    // opened by this user (P->) or by the peer (P~>)
};

class SessionList {
  public:
    static constexpr int lobby = 0;

    int add(std::string peer, bool initiated);
    void remove(int number);
    const SessionEntry* find(int number) const;
    const SessionEntry* find_peer(const std::string& peer) const;
    const std::vector<SessionEntry>& entries() const { return entries_; }

    int active() const { return active_; }
    // False if NUMBER is neither the lobby nor a session.
    bool switch_to(int number);

    // The \sessions listing, one line per session, '*' on the active one.
    std::vector<std::string> rows(bool lobby_up) const;
    // "P->" or "P~>".
    static const char* marker(const SessionEntry& s) { return s.initiated ? "P->" : "P~>"; }

  private:
    std::vector<SessionEntry> entries_;  // private sessions, by number
    int next_ = 1;
    int active_ = lobby;
};

}  // namespace zchat::client
