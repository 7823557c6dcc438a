// display: how each kind of line looks. Chat lines carry where they came from
// and who said them; notices look different from chat. Text from the network
// is made printable first, so no one can drive another user's terminal: a
// one-line field (a name, a reason) stays on its line, every further line of a
// message is indented under its header, and a message shows at most the
// announced number of lines.
//
// On a terminal, a text that mentions the user's own name shows the mention
// highlighted (reverse video; between asterisks without colour; piped output
// stays as it was sent), and a CTCP ACTION
// ("\me waves") shows as "* anna waves".
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace zchat::client {

class Display {
  public:
    Display(bool colour, bool timestamps) : colour_(colour), timestamps_(timestamps) {}

    // Most lines of one message shown (the broker's announced bound).
    void set_max_lines(std::size_t lines) { max_lines_ = lines; }
    // The name whose mentions are highlighted, and whether to.
    void set_own_name(std::string name) { own_name_ = std::move(name); }
    void highlight_mentions(bool on) { highlight_ = on; }
    // True if TEXT mentions NAME as a word of its own.
    static bool mentions(std::string_view text, std::string_view name);

    // "[lobby] anna: hi"; several lines go under one "[lobby] anna:" header.
    std::string lobby(const std::string& from, const std::string& text, std::uint64_t ts_us) const;
    std::string history(const std::string& from, const std::string& text,
                        std::uint64_t ts_us) const;
    // "[#rust] anna: hi"
    std::string room(const std::string& room, const std::string& from, const std::string& text,
                     std::uint64_t ts_us) const;
    std::string room_history(const std::string& room, const std::string& from,
                             const std::string& text, std::uint64_t ts_us) const;
    // "[1 P->] bobby: hi"
    std::string peer(int session, const char* marker, const std::string& from,
                     const std::string& text, std::uint64_t ts_us) const;
    // ">>> anna joined the lobby": lobby events.
    std::string notice(const std::string& text) const;
    // "*** ...": what the client itself tells the user.
    std::string system(const std::string& text) const;
    std::string error(const std::string& text) const;
    // "anna@lobby> "
    std::string prompt(const std::string& name, const std::string& where) const;

  private:
    std::string chat(const std::string& where, const char* where_colour, const std::string& from,
                     const std::string& text, std::uint64_t ts_us) const;
    std::string paint(const char* code, const std::string& s) const;
    std::string highlight(const std::string& body) const;
    std::string stamp(std::uint64_t ts_us) const;

    bool colour_;
    bool timestamps_;
    std::size_t max_lines_ = 100;
    std::string own_name_;
    bool highlight_ = false;
};

}  // namespace zchat::client
