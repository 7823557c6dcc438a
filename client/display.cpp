// display: line formats and optional colour.
#include "client/display.hpp"

#include <chrono>
#include <ctime>

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

}  // namespace

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
    const std::string header = stamp(ts_us) + paint(where_colour, "[" + where + "]") + " " +
                               paint(bold, utf8::one_line(from)) + ":";
    const std::string body = utf8::printable(text);
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
