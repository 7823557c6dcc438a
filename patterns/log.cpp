// log: leveled one-line logging to stderr or a file.
#include "log.hpp"

#include <atomic>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <memory>

namespace zchat::log {
namespace {

struct FileCloser {
    void operator()(std::FILE* f) const { std::fclose(f); }
};

std::atomic<Level> current{Level::info};
std::string program = "zchat";
std::unique_ptr<std::FILE, FileCloser> file;

constexpr const char* names[] = {"debug", "info", "warn", "error", "off"};

}  // namespace

void set_level(Level l) { current = l; }
Level level() { return current; }
void set_program(std::string name) { program = std::move(name); }

std::optional<Level> parse_level(std::string_view text) {
    for (int i = 0; i < 5; ++i)
        if (text == names[i]) return static_cast<Level>(i);
    return std::nullopt;
}

bool set_file(const std::string& path) {
    std::FILE* f = std::fopen(path.c_str(), "a");
    if (!f) return false;
    file.reset(f);
    return true;
}

void write(Level l, const std::string& line) {
    const auto now = std::chrono::system_clock::now();
    const std::time_t t = std::chrono::system_clock::to_time_t(now);
    std::tm tm{};
    localtime_r(&t, &tm);
    char stamp[16];
    std::strftime(stamp, sizeof stamp, "%H:%M:%S", &tm);
    std::FILE* out = file ? file.get() : stderr;
    std::fprintf(out, "%s %s %s: %s\n", stamp, program.c_str(), names[static_cast<int>(l)],
                 line.c_str());
    std::fflush(out);
}

}  // namespace zchat::log
