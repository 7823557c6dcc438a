// log: leveled one-line logging to stderr, never to the chat output on stdout.
#pragma once

#include <optional>
#include <sstream>
#include <string>
#include <string_view>

namespace zchat::log {

enum class Level { debug, info, warn, error, off };

void set_level(Level level);
Level level();
// "debug", "info", "warn", "error", "off"; nullopt for anything else.
std::optional<Level> parse_level(std::string_view text);
// Prefix on every line, e.g. "chat-broker".
void set_program(std::string name);
// Optional file instead of stderr (the client logs there so the terminal stays clean).
bool set_file(const std::string& path);
void write(Level level, const std::string& line);

template <class... Args>
void at(Level lvl, const Args&... args) {
    if (lvl < level()) return;
    std::ostringstream out;
    (out << ... << args);
    write(lvl, out.str());
}
template <class... Args>
void debug(const Args&... a) {
    at(Level::debug, a...);
}
template <class... Args>
void info(const Args&... a) {
    at(Level::info, a...);
}
template <class... Args>
void warn(const Args&... a) {
    at(Level::warn, a...);
}
template <class... Args>
void error(const Args&... a) {
    at(Level::error, a...);
}

}  // namespace zchat::log
