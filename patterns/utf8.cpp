// utf8: validation and terminal-safe rendering.
#include "utf8.hpp"

#include <cstdint>
#include <cwchar>

namespace zchat::utf8 {
namespace {

constexpr std::string_view replacement = "\xEF\xBF\xBD";

// Length of the valid UTF-8 sequence at text[i], or 0 if it is not one; its
// code point goes to CP.
std::size_t decode_at(std::string_view text, std::size_t i, std::uint32_t& cp) {
    const auto b0 = static_cast<std::uint8_t>(text[i]);
    cp = b0;
    if (b0 < 0x80) return 1;
    std::size_t len = 0;
    if ((b0 & 0xE0) == 0xC0) {
        len = 2;
        cp = b0 & 0x1F;
    } else if ((b0 & 0xF0) == 0xE0) {
        len = 3;
        cp = b0 & 0x0F;
    } else if ((b0 & 0xF8) == 0xF0) {
        len = 4;
        cp = b0 & 0x07;
    } else
        return 0;
    if (i + len > text.size()) return 0;
    for (std::size_t k = 1; k < len; ++k) {
        const auto b = static_cast<std::uint8_t>(text[i + k]);
        if ((b & 0xC0) != 0x80) return 0;
        cp = (cp << 6) | (b & 0x3F);
    }
    static constexpr std::uint32_t min_for_len[] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < min_for_len[len] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
    return len;
}

// Spaces and invisible format characters beyond ASCII: no-break and
// typographic spaces, zero-width and bidirectional controls, BOM.
bool is_blank_or_invisible(std::uint32_t cp) {
    return cp == 0x00A0 || cp == 0x00AD || cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200F) ||
           (cp >= 0x2028 && cp <= 0x202F) || (cp >= 0x205F && cp <= 0x206F) || cp == 0x3000 ||
           cp == 0xFEFF;
}

// Characters that reorder what follows them on the line (embeddings,
// overrides, isolates, marks): "gnp.exe" shown as "exe.png".
bool is_bidi_control(std::uint32_t cp) {
    return cp == 0x061C || cp == 0x200E || cp == 0x200F || (cp >= 0x202A && cp <= 0x202E) ||
           (cp >= 0x2066 && cp <= 0x2069);
}

// C0 (but newline and tab), DEL and C1 controls: C1 start escape sequences
// on some terminals.
bool is_control(std::uint32_t cp) {
    return (cp < 0x20 && cp != '\n' && cp != '\t') || (cp >= 0x7F && cp < 0xA0);
}

// Renders TEXT, calling ESCAPE for newline and tab (to keep or spell them).
template <class Escape>
std::string render(std::string_view text, Escape escape) {
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size();) {
        std::uint32_t cp = 0;
        const std::size_t n = decode_at(text, i, cp);
        if (n == 0) {
            out += replacement;
            ++i;
            continue;
        }
        if (cp == '\n' || cp == '\t')
            escape(out, static_cast<char>(cp));
        else if (is_control(cp) || is_bidi_control(cp))
            out += replacement;
        else
            out += text.substr(i, n);
        i += n;
    }
    return out;
}

std::size_t width_of(std::uint32_t cp) {
    const int w = ::wcwidth(static_cast<wchar_t>(cp));
    return w >= 0 ? static_cast<std::size_t>(w) : 1;  // unknown to the locale: one column
}

}  // namespace

bool valid(std::string_view text) {
    for (std::size_t i = 0; i < text.size();) {
        std::uint32_t cp = 0;
        const std::size_t n = decode_at(text, i, cp);
        if (n == 0) return false;
        i += n;
    }
    return true;
}

bool has_blank_or_invisible(std::string_view text) {
    for (std::size_t i = 0; i < text.size();) {
        std::uint32_t cp = 0;
        const std::size_t n = decode_at(text, i, cp);
        if (n == 0) return false;
        if (is_blank_or_invisible(cp)) return true;
        i += n;
    }
    return false;
}

std::string printable(std::string_view text) {
    return render(text, [](std::string& out, char c) { out += c; });
}

std::string one_line(std::string_view text) {
    return render(text, [](std::string& out, char c) { out += c == '\n' ? "\\n" : "\\t"; });
}

std::size_t line_count(std::string_view text) {
    std::size_t lines = 1;
    for (const char c : text) lines += c == '\n';
    return lines;
}

std::size_t display_width(std::string_view text) {
    std::size_t width = 0;
    for (std::size_t i = 0; i < text.size();) {
        std::uint32_t cp = 0;
        const std::size_t n = decode_at(text, i, cp);
        width += n == 0 ? 1 : width_of(cp);
        i += n == 0 ? 1 : n;
    }
    return width;
}

std::vector<std::string> wrap(std::string_view line, std::size_t columns, std::string_view indent) {
    std::vector<std::string> rows(1);
    const std::size_t indent_width = display_width(indent);
    if (columns <= indent_width + 1) {
        rows.front() = std::string(line);
        return rows;
    }
    std::size_t used = 0;
    bool in_escape = false;  // our own colour codes take no columns
    for (std::size_t i = 0; i < line.size();) {
        std::uint32_t cp = 0;
        std::size_t n = decode_at(line, i, cp);
        if (n == 0) n = 1;
        const auto seq = line.substr(i, n);
        i += n;
        if (in_escape || cp == 0x1B) {
            in_escape = cp == 0x1B || !(cp >= 0x40 && cp <= 0x7E && cp != '[');
            rows.back() += seq;
            continue;
        }
        const std::size_t w = width_of(cp);
        if (used + w > columns) {
            rows.emplace_back(indent);
            used = indent_width;
        }
        rows.back() += seq;
        used += w;
    }
    return rows;
}

}  // namespace zchat::utf8
