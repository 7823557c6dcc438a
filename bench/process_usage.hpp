// process_usage: resident memory and CPU time of the server under test, read
// from /proc so the broker and the baseline are measured the same way.
#pragma once

#include <optional>

namespace zchat::bench {

struct ProcessUsage {
    long rss_kb = 0;     // VmRSS from /proc/PID/status
    double cpu_s = 0.0;  // utime + stime from /proc/PID/stat
};

// Nullopt if PID is not a readable process (gone, or not ours to read).
std::optional<ProcessUsage> read_process_usage(int pid);

}  // namespace zchat::bench
