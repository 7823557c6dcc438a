// key_file: strict reading, and creation that never follows a link or
// replaces a key that is already there.
#include "patterns/key_file.hpp"

#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <sstream>

namespace zchat {
namespace {

constexpr std::size_t max_file_bytes = 4096;

// Closes a descriptor when it goes out of scope.
struct Fd {
    int fd;
    ~Fd() {
        if (fd >= 0) ::close(fd);
    }
};

std::string octal(mode_t mode) {
    char buf[8];
    std::snprintf(buf, sizeof buf, "%04o", static_cast<unsigned>(mode & 07777));
    return buf;
}

CurveKeys parse(const std::string& path, const std::string& text) {
    std::istringstream in(text);
    CurveKeys keys;
    for (std::string line; std::getline(in, line);) {
        if (line.empty() || line.front() == '#') continue;
        const auto space = line.find(' ');
        const std::string field = line.substr(0, space);
        const std::string value = space == std::string::npos ? "" : line.substr(space + 1);
        if (field == "public-key")
            keys.public_z85 = value;
        else if (field == "secret-key")
            keys.secret_z85 = value;
        else
            throw KeyFileError("key file " + path + " is damaged: unexpected line '" + field + "'");
    }
    const auto derived = public_key_of(keys.secret_z85);
    if (!derived || !valid_curve_key(keys.public_z85) || *derived != keys.public_z85)
        throw KeyFileError("key file " + path +
                           " is damaged: its keys are missing or do not belong together");
    return keys;
}

LoadedKeys load(const std::string& path, int fd) {
    struct stat st {};
    if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))
        throw KeyFileError("key file " + path + " is not a regular file");
    if (st.st_uid != ::geteuid())
        throw KeyFileError("key file " + path + " belongs to another user");
    if ((st.st_mode & 077) != 0)
        throw KeyFileError("key file " + path + " is accessible by others (mode " +
                           octal(st.st_mode) + "): run chmod 600 " + path);
    std::string text(max_file_bytes + 1, '\0');
    const ssize_t n = ::read(fd, text.data(), text.size());
    if (n < 0 || static_cast<std::size_t>(n) > max_file_bytes)
        throw KeyFileError("key file " + path + " cannot be read, or is too large");
    text.resize(static_cast<std::size_t>(n));
    LoadedKeys loaded{parse(path, text), false};
    sodium_memzero(text.data(), text.size());
    return loaded;
}

LoadedKeys create(const std::string& path) {
    // O_EXCL: two first starts cannot both write, and a link at PATH is not followed.
    Fd out{::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600)};
    if (out.fd < 0)
        throw KeyFileError("cannot create key file " + path + ": " + std::strerror(errno));
    LoadedKeys created{generate_curve_keys(), true};
    std::string text = "# zchat CURVE key. Keep it private (mode 0600).\npublic-key " +
                       created.keys.public_z85 + "\nsecret-key " + created.keys.secret_z85 + "\n";
    const bool written =
        ::write(out.fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) &&
        ::fsync(out.fd) == 0;
    sodium_memzero(text.data(), text.size());
    if (!written) {
        ::unlink(path.c_str());
        throw KeyFileError("cannot write key file " + path + ": " + std::strerror(errno));
    }
    return created;
}

}  // namespace

LoadedKeys load_or_create_keys(const std::string& path) {
    Fd in{::open(path.c_str(), O_RDONLY | O_CLOEXEC)};
    if (in.fd >= 0) return load(path, in.fd);
    if (errno != ENOENT)
        throw KeyFileError("cannot open key file " + path + ": " + std::strerror(errno));
    return create(path);
}

}  // namespace zchat
