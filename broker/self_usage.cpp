// self_usage: /proc/self/statm and /proc/self/fd.
#include "broker/self_usage.hpp"

#include <dirent.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string_view>

namespace zchat::broker {
namespace {

std::uint64_t resident_bytes() {
    std::FILE* statm = std::fopen("/proc/self/statm", "r");
    if (!statm) return 0;
    unsigned long long size = 0, resident = 0;
    const bool read = std::fscanf(statm, "%llu %llu", &size, &resident) == 2;
    std::fclose(statm);
    const long page = ::sysconf(_SC_PAGESIZE);
    return read && page > 0 ? resident * static_cast<std::uint64_t>(page) : 0;
}

std::uint64_t open_fds() {
    DIR* dir = ::opendir("/proc/self/fd");
    if (!dir) return 0;
    // The listing holds the directory's own descriptor too: not one of ours.
    const int own = ::dirfd(dir);
    std::uint64_t count = 0;
    while (const dirent* entry = ::readdir(dir)) {
        const std::string_view name = entry->d_name;
        if (name == "." || name == ".." || std::atoi(entry->d_name) == own) continue;
        ++count;
    }
    ::closedir(dir);
    return count;
}

}  // namespace

SelfUsage read_self_usage() { return {resident_bytes(), open_fds()}; }

}  // namespace zchat::broker
