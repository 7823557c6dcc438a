// command_table: the client's \commands, in one table: spelling, shortcuts,
// argument, help text. Parsing a line never sends anything; the client acts on
// the result.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace zchat::client {

enum class CommandKind { quit, users, fork, sessions, switch_to, lobby, leave, help };

struct CommandSpec {
    CommandKind kind;
    std::vector<std::string_view> spellings;  // first is the name shown in help
    std::string_view argument;                // empty if none
    std::string_view help;
};

const std::vector<CommandSpec>& command_table();

// What a typed line means.
struct ParsedLine {
    enum class Type { text, command, error } type;
    CommandKind command{};
    std::string argument;  // the command's argument, or the text to send
    std::string error;     // for Type::error: what to tell the user
};

// "\sw 2" -> command; "hello" -> text; "\\hi" -> the text "\hi";
// "\nope" or "\fork" without a name -> error. Never throws.
ParsedLine parse_line(std::string_view line);

std::vector<std::string> help_lines();

}  // namespace zchat::client
