// command_table: the \command table and the parser over it.
#include "client/command_table.hpp"

#include <algorithm>

namespace zchat::client {

const std::vector<CommandSpec>& command_table() {
    static const std::vector<CommandSpec> table = {
        {CommandKind::quit,
         {"quit", "q"},
         "",
         "leave the lobby and every private session, and exit"},
        {CommandKind::users, {"users"}, "", "who is online"},
        {CommandKind::fork, {"fork"}, "NAME", "open a private session with NAME"},
        {CommandKind::sessions, {"sessions", "ss"}, "", "list your sessions"},
        {CommandKind::switch_to, {"switch", "sw"}, "N", "make session N active (0 is the lobby)"},
        {CommandKind::lobby, {"lobby", "lob"}, "", "back to the lobby"},
        {CommandKind::leave, {"leave"}, "", "end the active private session"},
        {CommandKind::help, {"help", "h"}, "", "this list"},
    };
    return table;
}

namespace {

std::string_view trim(std::string_view s) {
    const auto first = s.find_first_not_of(" \t\r");
    if (first == std::string_view::npos) return {};
    const auto last = s.find_last_not_of(" \t\r");
    return s.substr(first, last - first + 1);
}

ParsedLine error(std::string message) {
    return {ParsedLine::Type::error, {}, {}, std::move(message)};
}

}  // namespace

ParsedLine parse_line(std::string_view line) {
    if (line.empty() || line.front() != '\\')
        return {ParsedLine::Type::text, {}, std::string(line), {}};
    if (line.size() > 1 && line[1] == '\\')
        return {ParsedLine::Type::text, {}, std::string(line.substr(1)), {}};
    const std::string_view rest = trim(line.substr(1));
    const auto space = rest.find_first_of(" \t");
    const std::string_view word = rest.substr(0, space);
    const std::string_view arg =
        space == std::string_view::npos ? std::string_view{} : trim(rest.substr(space));
    for (const auto& spec : command_table()) {
        if (std::find(spec.spellings.begin(), spec.spellings.end(), word) == spec.spellings.end())
            continue;
        if (!spec.argument.empty() && arg.empty())
            return error("\\" + std::string(word) + " needs " + std::string(spec.argument) +
                         " (see \\help)");
        if (spec.argument.empty() && !arg.empty())
            return error("\\" + std::string(word) + " takes no argument (see \\help)");
        return {ParsedLine::Type::command, spec.kind, std::string(arg), {}};
    }
    return error("unknown command \\" + std::string(word) +
                 ": type \\help for the list (\\\\ sends a line starting with \\)");
}

std::vector<std::string> help_lines() {
    std::vector<std::string> lines{"Commands:"};
    for (const auto& spec : command_table()) {
        std::string usage = "  \\" + std::string(spec.spellings.front());
        if (!spec.argument.empty()) usage += " " + std::string(spec.argument);
        for (std::size_t i = 1; i < spec.spellings.size(); ++i)
            usage += ", \\" + std::string(spec.spellings[i]);
        usage.resize(std::max<std::size_t>(usage.size() + 1, 26), ' ');
        lines.push_back(usage + std::string(spec.help));
    }
    lines.push_back("  A line ending in \\ continues on the next; Ctrl-D or Ctrl-C quits.");
    return lines;
}

}  // namespace zchat::client
