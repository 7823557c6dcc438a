// completion: what Tab offers, from what the client knows: the commands; a
// user's name after the commands that take one, and at the start of a line
// (as "bobby:", to address a line to someone); a room's name after \join,
// \part and \who. Pure: the terminal asks, this answers.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace zchat::client {

class Completion {
  public:
    using List = std::function<std::vector<std::string>()>;

    Completion(List names, List rooms) : names_(std::move(names)), rooms_(std::move(rooms)) {}

    // What WORD (the word under the cursor) may become, LINE being the text before it.
    std::vector<std::string> candidates(std::string_view line, std::string_view word) const;

  private:
    List names_;
    List rooms_;
};

}  // namespace zchat::client
