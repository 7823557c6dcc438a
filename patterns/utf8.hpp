// utf8: what text may be shown on a terminal. Names must be clean UTF-8;
// chat text from the network is made printable before display, so no peer can
// send escape sequences to another user's terminal.
#pragma once

#include <string>
#include <string_view>

namespace zchat::utf8 {

bool valid(std::string_view text);
// Non-ASCII spaces or invisible characters (no-break space, zero-width and
// direction controls...): in a name they would let "anna" be impersonated.
bool has_blank_or_invisible(std::string_view text);
// Control characters (but newline and tab) and invalid bytes become U+FFFD.
std::string printable(std::string_view text);

}  // namespace zchat::utf8
