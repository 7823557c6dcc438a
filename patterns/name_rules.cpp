// name_rules: the rules of names, byte by byte.
#include "patterns/name_rules.hpp"

#include "patterns/limits.hpp"
#include "patterns/utf8.hpp"

namespace zchat {

std::optional<std::string> name_refusal(std::string_view name) {
    if (name.empty()) return "a name cannot be empty";
    if (name.size() > limits::max_name_bytes)
        return "a name is at most " + std::to_string(limits::max_name_bytes) + " bytes";
    if (name.front() == '\\') return "a name cannot start with '\\'";
    if (name.front() == '#') return "a name cannot start with '#', which marks a room";
    if (!utf8::valid(name)) return "a name must be valid UTF-8";
    for (const char c : name) {
        const auto b = static_cast<unsigned char>(c);
        if (b <= 0x20 || b == 0x7F) return "a name cannot contain spaces or control characters";
    }
    if (utf8::printable(name) != name) return "a name cannot contain control characters";
    if (utf8::has_blank_or_invisible(name))
        return "a name cannot contain spaces or invisible characters";
    return std::nullopt;
}

}  // namespace zchat
