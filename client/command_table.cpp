// command_table: the \command table and the parser over it.
#include "client/command_table.hpp"

#include <algorithm>

#include "client/chat_client.hpp"

namespace zchat::client {

const std::vector<Command>& command_table() {
    static const std::vector<Command> table = {
        {{"quit", "q"},
         "",
         "leave the lobby and every private session, and exit",
         anywhere,
         &ChatClient::quit_command},
        {{"users"}, "", "who is online", needs_broker, &ChatClient::list_users},
        {{"fork"}, "NAME", "open a private session with NAME", needs_broker, &ChatClient::fork},
        {{"sessions", "ss"}, "", "list your sessions", anywhere, &ChatClient::list_sessions},
        {{"switch", "sw"},
         "N",
         "make session N active (0 is the lobby)",
         anywhere,
         &ChatClient::switch_to},
        {{"lobby", "lob"}, "", "back to the lobby", anywhere, &ChatClient::back_to_lobby},
        {{"leave"},
         "",
         "end the active private session",
         needs_private_session,
         &ChatClient::leave_active},
        {{"join"},
         "#ROOM",
         "enter a room, making it if need be",
         needs_broker,
         &ChatClient::join_room},
        {{"part"},
         "[#ROOM]",
         "leave the active room, or the one named",
         needs_broker,
         &ChatClient::part_room},
        {{"rooms"},
         "",
         "the rooms there are, with their member counts",
         needs_broker,
         &ChatClient::list_rooms},
        {{"who"}, "#ROOM", "a room's members", needs_broker, &ChatClient::who},
        {{"me"},
         "ACTION",
         "say what you do: \\me waves shows * you waves",
         anywhere,
         &ChatClient::me},
        {{"ignore"},
         "[NAME]",
         "see no lines and no invitations from NAME (alone: list them)",
         anywhere,
         &ChatClient::ignore},
        {{"unignore"}, "NAME", "stop ignoring NAME", anywhere, &ChatClient::unignore},
        {{"whoami"}, "", "your name and your key's fingerprint", anywhere, &ChatClient::whoami},
        {{"verify"},
         "NAME",
         "the safety number to compare with NAME out of band",
         anywhere,
         &ChatClient::verify},
        {{"trust"},
         "NAME",
         "accept NAME's new key after a key-change warning",
         anywhere,
         &ChatClient::trust},
        {{"help", "h"}, "", "this list", anywhere, &ChatClient::help},
    };
    return table;
}

std::string_view trim(std::string_view s) {
    const auto first = s.find_first_not_of(" \t\r");
    if (first == std::string_view::npos) return {};
    const auto last = s.find_last_not_of(" \t\r");
    return s.substr(first, last - first + 1);
}

namespace {

ParsedLine error(std::string message) {
    return {ParsedLine::Type::error, nullptr, {}, std::move(message)};
}

}  // namespace

ParsedLine parse_line(std::string_view line) {
    if (line.empty() || line.front() != '\\')
        return {ParsedLine::Type::text, nullptr, std::string(line), {}};
    if (line.size() > 1 && line[1] == '\\')
        return {ParsedLine::Type::text, nullptr, std::string(line.substr(1)), {}};
    const std::string_view rest = trim(line.substr(1));
    const auto space = rest.find_first_of(" \t");
    const std::string_view word = rest.substr(0, space);
    const std::string_view arg =
        space == std::string_view::npos ? std::string_view{} : trim(rest.substr(space));
    for (const auto& command : command_table()) {
        const auto& names = command.spellings;
        if (std::find(names.begin(), names.end(), word) == names.end()) continue;
        const bool optional = command.argument.starts_with('[');
        if (!command.argument.empty() && !optional && arg.empty())
            return error("\\" + std::string(word) + " needs " + std::string(command.argument) +
                         " (see \\help)");
        if (command.argument.empty() && !arg.empty())
            return error("\\" + std::string(word) + " takes no argument (see \\help)");
        return {ParsedLine::Type::command, &command, std::string(arg), {}};
    }
    return error("unknown command \\" + std::string(word) +
                 ": type \\help for the list (\\\\ sends a line starting with \\)");
}

std::vector<std::string> help_lines() {
    std::vector<std::string> lines{"Commands:"};
    for (const auto& command : command_table()) {
        std::string usage = "  \\" + std::string(command.spellings.front());
        if (!command.argument.empty()) usage += " " + std::string(command.argument);
        for (std::size_t i = 1; i < command.spellings.size(); ++i)
            usage += ", \\" + std::string(command.spellings[i]);
        usage.resize(std::max<std::size_t>(usage.size() + 1, 26), ' ');
        lines.push_back(usage + std::string(command.help));
    }
    lines.push_back("  A line ending in \\ continues on the next; Ctrl-D or Ctrl-C quits.");
    return lines;
}

}  // namespace zchat::client
