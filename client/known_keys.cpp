// known_keys: line parsing, appends, and atomic rewrites.
#include "client/known_keys.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <vector>

namespace zchat::client {
namespace {

// A line's label and key, or nothing for a comment or a line without a key.
std::optional<std::pair<std::string, std::string>> split(const std::string& line) {
    if (line.empty() || line.front() == '#') return std::nullopt;
    const auto space = line.rfind(' ');
    if (space == std::string::npos || space == 0) return std::nullopt;
    return std::make_pair(line.substr(0, space), line.substr(space + 1));
}

void write_all(int fd, const std::string& text, const std::string& path) {
    if (::write(fd, text.data(), text.size()) != static_cast<ssize_t>(text.size()))
        throw KnownKeysError("cannot write " + path + ": " + std::strerror(errno));
}

}  // namespace

std::optional<KnownKeys::Entry> KnownKeys::find(const std::string& label) const {
    std::ifstream in(path_);
    int number = 0;
    for (std::string line; std::getline(in, line);) {
        ++number;
        const auto fields = split(line);
        if (fields && fields->first == label) return Entry{fields->second, number};
    }
    return std::nullopt;
}

void KnownKeys::add(const std::string& label, const std::string& key) {
    const int fd = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    if (fd < 0) throw KnownKeysError("cannot open " + path_ + ": " + std::strerror(errno));
    // One write of the whole line: two clients appending at once never interleave.
    try {
        write_all(fd, label + " " + key + "\n", path_);
    } catch (...) {
        ::close(fd);
        throw;
    }
    ::close(fd);
}

void KnownKeys::replace(const std::string& label, const std::string& key) {
    std::ostringstream kept;
    {
        std::ifstream in(path_);
        for (std::string line; std::getline(in, line);) {
            const auto fields = split(line);
            if (!fields || fields->first != label) kept << line << '\n';
        }
    }
    kept << label << ' ' << key << '\n';
    std::string tmp = path_ + ".XXXXXX";
    const int fd = ::mkstemp(tmp.data());
    if (fd < 0) throw KnownKeysError("cannot rewrite " + path_ + ": " + std::strerror(errno));
    try {
        write_all(fd, kept.str(), path_);
        if (::fsync(fd) != 0 || ::rename(tmp.c_str(), path_.c_str()) != 0)
            throw KnownKeysError("cannot rewrite " + path_ + ": " + std::strerror(errno));
    } catch (...) {
        ::close(fd);
        ::unlink(tmp.c_str());
        throw;
    }
    ::close(fd);
}

}  // namespace zchat::client
