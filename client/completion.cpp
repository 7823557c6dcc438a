// completion: the command table's spellings, and names and rooms by context.
#include "client/completion.hpp"

#include <algorithm>

#include "client/command_table.hpp"

namespace zchat::client {
namespace {

void keep_matching(const std::vector<std::string>& all, std::string_view word,
                   const std::string& suffix, std::vector<std::string>& out) {
    for (const auto& s : all)
        if (std::string_view(s).starts_with(word)) out.push_back(s + suffix);
}

bool takes(std::string_view command, std::initializer_list<std::string_view> commands) {
    return std::find(commands.begin(), commands.end(), command) != commands.end();
}

}  // namespace

std::vector<std::string> Completion::candidates(std::string_view line,
                                                std::string_view word) const {
    std::vector<std::string> out;
    const std::string_view before = trim(line);
    if (before.empty()) {
        if (word.starts_with('\\')) {
            std::vector<std::string> commands;
            for (const auto& c : command_table())
                for (const auto spelling : c.spellings)
                    commands.push_back("\\" + std::string(spelling));
            keep_matching(commands, word, "", out);
        } else {
            keep_matching(names_(), word, ":", out);
        }
    } else if (takes(before, {"\\fork", "\\verify", "\\trust", "\\ignore", "\\unignore"})) {
        keep_matching(names_(), word, "", out);
    } else if (takes(before, {"\\join", "\\part", "\\who"})) {
        keep_matching(rooms_(), word, "", out);
    }
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
}

}  // namespace zchat::client
