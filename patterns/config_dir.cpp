// config_dir: XDG variables (absolute only), HOME, then the password database.
#include "patterns/config_dir.hpp"

#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <stdexcept>

namespace zchat {
namespace {

std::string home() {
    if (const char* h = std::getenv("HOME"); h && *h) return h;
    if (const passwd* pw = ::getpwuid(::geteuid()); pw && pw->pw_dir) return pw->pw_dir;
    throw std::runtime_error("no home directory to keep zchat's files in: set HOME");
}

// Makes every missing directory of PATH, mode 0700.
void make_dirs(const std::string& path) {
    for (std::size_t at = 1; at <= path.size(); ++at) {
        if (at != path.size() && path[at] != '/') continue;
        const std::string part = path.substr(0, at);
        if (::mkdir(part.c_str(), 0700) != 0 && errno != EEXIST)
            throw std::runtime_error("cannot create " + part + ": " + std::strerror(errno));
    }
}

// $VARIABLE/zchat if VARIABLE holds an absolute path (the XDG rules ignore
// relative ones), else ~/FALLBACK/zchat.
std::string xdg_path(const char* variable, const char* fallback) {
    const char* v = std::getenv(variable);
    const std::string base = v && v[0] == '/' ? std::string(v) : home() + "/" + fallback;
    return base + "/zchat";
}

std::string xdg(const char* variable, const char* fallback) {
    const std::string dir = xdg_path(variable, fallback);
    make_dirs(dir);
    return dir;
}

}  // namespace

std::string config_dir() { return xdg("XDG_CONFIG_HOME", ".config"); }
std::string data_dir() { return xdg("XDG_DATA_HOME", ".local/share"); }
std::string config_path(const std::string& file) {
    return xdg_path("XDG_CONFIG_HOME", ".config") + "/" + file;
}

}  // namespace zchat
