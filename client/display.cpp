// display: line formats and optional colour.
#include "client/display.hpp"

#include <cctype>
#include <chrono>
#include <ctime>
#include <optional>

#include "patterns/protocol.hpp"
#include "patterns/utf8.hpp"
#include "patterns/wall_clock.hpp"

namespace zchat::client {
namespace {

constexpr const char* bold = "1";
constexpr const char* cyan = "36";
constexpr const char* magenta = "35";
constexpr const char* yellow = "33";
constexpr const char* red = "31";
constexpr const char* dim = "2";

constexpr std::string_view continuation = "\n    ";
constexpr const char* reverse = "7";

bool word_char(char c) {
    const auto b = static_cast<unsigned char>(c);
    return std::isalnum(b) || c == '_' || b >= 0x80;
}

// "\x01ACTION waves\x01" -> "waves"; nullopt for any other text.
std::optional<std::string_view> action_of(std::string_view text) {
    if (!text.starts_with(protocol::action_prefix)) return std::nullopt;
    text.remove_prefix(protocol::action_prefix.size());
    if (text.ends_with('\x01')) text.remove_suffix(1);
    return text;
}

}  // namespace

bool Display::mentions(std::string_view text, std::string_view name) {
    if (name.empty()) return false;
    for (auto at = text.find(name); at != std::string_view::npos; at = text.find(name, at + 1)) {
        const bool starts = at == 0 || !word_char(text[at - 1]);
        const std::size_t end = at + name.size();
        if (starts && (end == text.size() || !word_char(text[end]))) return true;
    }
    return false;
}

std::string Display::highlight(const std::string& body) const {
    if (!highlight_ || !mentions(body, own_name_)) return body;
    std::string out;
    std::size_t from = 0;
    for (auto at = body.find(own_name_); at != std::string::npos;
         at = body.find(own_name_, at + 1)) {
        const std::size_t end = at + own_name_.size();
        // A name that overlaps itself ("ha-ha" in "ha-ha-ha") is marked once.
        if (at < from || (at != 0 && word_char(body[at - 1])) ||
            (end < body.size() && word_char(body[end])))
            continue;
        out += body.substr(from, at - from);
        out += colour_ ? paint(reverse, own_name_) : "*" + own_name_ + "*";
        from = end;
    }
    return out + body.substr(from);
}

std::string Display::paint(const char* code, const std::string& s) const {
    if (!colour_) return s;
    return std::string("\x1b[") + code + "m" + s + "\x1b[0m";
}

std::string Display::stamp(std::uint64_t ts_us) const {
    if (!timestamps_) return {};
    const std::time_t t = static_cast<std::time_t>((ts_us ? ts_us : wall_clock_us()) / 1000000);
    std::tm tm{};
    localtime_r(&t, &tm);
    char buf[16];
    std::strftime(buf, sizeof buf, "%H:%M:%S ", &tm);
    return paint(dim, buf);
}

std::string Display::chat(const std::string& where, const char* where_colour,
                          const std::string& from, const std::string& text,
                          std::uint64_t ts_us) const {
    const auto action = action_of(text);
    const std::string header = stamp(ts_us) + paint(where_colour, "[" + where + "]") + " " +
                               (action ? "* " : "") + paint(bold, utf8::one_line(from)) +
                               (action ? "" : ":");
    const std::string body = highlight(utf8::printable(action ? *action : text));
    if (body.find('\n') == std::string::npos) return header + " " + body;
    std::string out = header;
    std::size_t start = 0, shown = 0;
    for (std::size_t nl;; start = nl + 1) {
        if (shown == max_lines_) {
            const std::size_t rest = utf8::line_count(std::string_view(body).substr(start));
            out +=
                std::string(continuation) + "[" + std::to_string(rest) + " more line(s) not shown]";
            break;
        }
        nl = body.find('\n', start);
        out += continuation;
        out += body.substr(start, nl == std::string::npos ? std::string::npos : nl - start);
        ++shown;
        if (nl == std::string::npos) break;
    }
    return out;
}

std::string Display::lobby(const std::string& from, const std::string& text,
                           std::uint64_t ts_us) const {
    return chat("lobby", cyan, from, text, ts_us);
}

std::string Display::history(const std::string& from, const std::string& text,
                             std::uint64_t ts_us) const {
    return chat("lobby history", dim, from, text, ts_us);
}

std::string Display::room(const std::string& room, const std::string& from, const std::string& text,
                          std::uint64_t ts_us) const {
    return chat(utf8::one_line(room), cyan, from, text, ts_us);
}

std::string Display::room_history(const std::string& room, const std::string& from,
                                  const std::string& text, std::uint64_t ts_us) const {
    return chat(utf8::one_line(room) + " history", dim, from, text, ts_us);
}

std::string Display::peer(int session, const char* marker, const std::string& from,
                          const std::string& text, std::uint64_t ts_us) const {
    return chat(std::to_string(session) + " " + marker, magenta, from, text, ts_us);
}

// Notices, system and error lines quote network text (names, reasons): each
// stays one line, whatever it holds.
std::string Display::notice(const std::string& text) const {
    return stamp(0) + paint(yellow, ">>> " + utf8::one_line(text));
}

std::string Display::system(const std::string& text) const {
    return paint(yellow, "*** " + utf8::one_line(text));
}

std::string Display::error(const std::string& text) const {
    return paint(red, "*** " + utf8::one_line(text));
}

std::string Display::prompt(const std::string& name, const std::string& where) const {
    return utf8::one_line(name) + "@" + utf8::one_line(where) + "> ";
}

}  // namespace zchat::client
