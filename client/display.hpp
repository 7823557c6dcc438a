// display: how each kind of line looks. Chat lines carry where they came from
// and who said them; notices look different from chat; network text is made
// printable first so no one can drive another user's terminal.
#pragma once

#include <cstdint>
#include <string>

namespace zchat::client {

class Display {
  public:
    Display(bool colour, bool timestamps) : colour_(colour), timestamps_(timestamps) {}

    // "[lobby] anna: hi"; several lines go under one "[lobby] anna:" header.
    std::string lobby(const std::string& from, const std::string& text, std::uint64_t ts_us) const;
    std::string history(const std::string& from, const std::string& text,
                        std::uint64_t ts_us) const;
    // "[1 P->] bobby: hi"
    std::string peer(int session, const char* marker, const std::string& from,
                     const std::string& text, std::uint64_t ts_us) const;
    // ">>> anna joined the lobby": lobby events.
    std::string notice(const std::string& text) const;
    // "*** ...": what the client itself tells the user.
    std::string system(const std::string& text) const;
    std::string error(const std::string& text) const;

  private:
    std::string chat(const std::string& where, const char* where_colour, const std::string& from,
                     const std::string& text, std::uint64_t ts_us) const;
    std::string paint(const char* code, const std::string& s) const;
    std::string stamp(std::uint64_t ts_us) const;

    bool colour_;
    bool timestamps_;
};

}  // namespace zchat::client
