// process_usage: /proc/PID/status and /proc/PID/stat parsing.
#include "bench/process_usage.hpp"

#include <unistd.h>

#include <fstream>
#include <sstream>
#include <string>

namespace zchat::bench {
namespace {

std::optional<long> read_rss_kb(int pid) {
    std::ifstream status("/proc/" + std::to_string(pid) + "/status");
    std::string line;
    while (std::getline(status, line)) {
        if (line.rfind("VmRSS:", 0) != 0) continue;
        std::istringstream fields(line.substr(6));
        long kb = 0;
        if (fields >> kb) return kb;
    }
    return std::nullopt;
}

std::optional<double> read_cpu_s(int pid) {
    std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
    std::string all((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
    // The command name may hold spaces and parentheses: fields restart after the last ')'.
    const auto close = all.rfind(')');
    if (close == std::string::npos) return std::nullopt;
    std::istringstream fields(all.substr(close + 1));
    std::string skip;
    for (int field = 3; field <= 13; ++field) fields >> skip;  // state .. cmajflt
    unsigned long long utime = 0, stime = 0;
    if (!(fields >> utime >> stime)) return std::nullopt;
    return static_cast<double>(utime + stime) / static_cast<double>(::sysconf(_SC_CLK_TCK));
}

}  // namespace

std::optional<ProcessUsage> read_process_usage(int pid) {
    if (pid <= 0) return std::nullopt;
    const auto rss = read_rss_kb(pid);
    const auto cpu = read_cpu_s(pid);
    if (!rss || !cpu) return std::nullopt;
    return ProcessUsage{*rss, *cpu};
}

}  // namespace zchat::bench
