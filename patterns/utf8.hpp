// utf8: what text may be shown on a terminal. Names must be clean UTF-8;
// text from the network is made printable before display, so no peer can send
// escape sequences to another user's terminal, reorder it with bidirectional
// controls, or start a line of its own that looks like someone else's.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace zchat::utf8 {

bool valid(std::string_view text);
// Non-ASCII spaces or invisible characters (no-break space, zero-width and
// direction controls...): in a name they would let "anna" be impersonated.
bool has_blank_or_invisible(std::string_view text);
// Multi-line text: control characters (but newline and tab), bidirectional
// controls and invalid bytes become U+FFFD.
std::string printable(std::string_view text);
// A one-line field (a name, a reason): like printable, and a newline or tab
// is shown as the two characters \n or \t, so the field stays on its line.
std::string one_line(std::string_view text);
// Lines in TEXT: one more than its newlines.
std::size_t line_count(std::string_view text);
// Columns TEXT takes on a terminal (wide characters take two; printable text only).
std::size_t display_width(std::string_view text);
// LINE cut into rows of at most COLUMNS columns; every row after the first
// starts with INDENT, so a long line can never wrap into what looks like a
// line of its own.
std::vector<std::string> wrap(std::string_view line, std::size_t columns, std::string_view indent);

}  // namespace zchat::utf8
