// command_table: the client's \commands in one table (ngircd style): each
// entry carries its spellings, its argument, its help text, the conditions
// it needs, and its handler. Parsing a line never sends anything.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace zchat::client {

class ChatClient;

// What a command needs before its handler may run; checked in one place.
enum CommandNeeds : unsigned {
    anywhere = 0,                     // works from any session, broker or not
    needs_broker = 1u << 0,           // the lobby must be up (the broker finds peers)
    needs_private_session = 1u << 1,  // the active session must be a private one
};

struct Command {
    std::vector<std::string_view> spellings;  // first is the name shown in help
    std::string_view argument;                // empty if none; "[ARG]" if optional
    std::string_view help;
    unsigned needs;
    void (ChatClient::*run)(const std::string& argument);
};

const std::vector<Command>& command_table();

// What a typed line means.
struct ParsedLine {
    enum class Type { text, command, error } type;
    const Command* command = nullptr;
    std::string argument;  // the command's argument, or the text to send
    std::string error;     // for Type::error: what to tell the user
};

// "\sw 2" -> command; "hello" -> text; "\\hi" -> the text "\hi";
// "\nope" or "\fork" without a name -> error. Never throws.
ParsedLine parse_line(std::string_view line);

std::vector<std::string> help_lines();

// S without leading and trailing blanks (spaces, tabs, CR).
std::string_view trim(std::string_view s);

}  // namespace zchat::client
