// utf8: validation and terminal-safe rendering.
#include "utf8.hpp"

#include <cstdint>

namespace zchat::utf8 {
namespace {

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

std::size_t sequence_length(std::string_view text, std::size_t i) {
    std::uint32_t cp = 0;
    return decode_at(text, i, cp);
}

// Spaces and invisible format characters beyond ASCII: no-break and
// typographic spaces, zero-width and bidirectional controls, BOM.
bool is_blank_or_invisible(std::uint32_t cp) {
    return cp == 0x00A0 || cp == 0x00AD || cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200F) ||
           (cp >= 0x2028 && cp <= 0x202F) || (cp >= 0x205F && cp <= 0x206F) || cp == 0x3000 ||
           cp == 0xFEFF;
}

bool is_control(std::string_view seq) {
    const auto b = static_cast<std::uint8_t>(seq[0]);
    if (seq.size() == 1) return (b < 0x20 && b != '\n' && b != '\t') || b == 0x7F;
    // C1 controls U+0080..U+009F (0xC2 0x80..0x9F) start escape sequences on some terminals.
    return b == 0xC2 && static_cast<std::uint8_t>(seq[1]) < 0xA0;
}

}  // namespace

bool valid(std::string_view text) {
    for (std::size_t i = 0; i < text.size();) {
        const std::size_t n = sequence_length(text, i);
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
    static constexpr std::string_view replacement = "\xEF\xBF\xBD";
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size();) {
        const std::size_t n = sequence_length(text, i);
        if (n == 0) {
            out += replacement;
            ++i;
            continue;
        }
        const auto seq = text.substr(i, n);
        if (is_control(seq))
            out += replacement;
        else
            out += seq;
        i += n;
    }
    return out;
}

}  // namespace zchat::utf8
