// descriptor_limit: every connection costs a file descriptor, and the usual
// soft limit (1024) is far below what the hard limit allows. Both processes
// raise it at start, so a thousand idle connections cannot lock newcomers out.
#pragma once

#include <sys/resource.h>

#include <cstddef>

namespace zchat {

// Raises the soft RLIMIT_NOFILE to the hard limit; returns the limit now in force.
inline std::size_t raise_descriptor_limit() {
    rlimit lim{};
    if (::getrlimit(RLIMIT_NOFILE, &lim) != 0) return 0;
    if (lim.rlim_cur < lim.rlim_max) {
        rlimit raised = lim;
        raised.rlim_cur = lim.rlim_max;
        if (::setrlimit(RLIMIT_NOFILE, &raised) == 0) lim = raised;
    }
    return static_cast<std::size_t>(lim.rlim_cur);
}

}  // namespace zchat
