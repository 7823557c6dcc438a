// self_usage: this process's resident memory and open descriptors, as an
// operator watches them (from /proc/self; zeros where it cannot be read).
#pragma once

#include <cstdint>

namespace zchat::broker {

struct SelfUsage {
    std::uint64_t resident_bytes = 0;
    std::uint64_t open_fds = 0;
};

SelfUsage read_self_usage();

}  // namespace zchat::broker
