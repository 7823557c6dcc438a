// latency_stats: nearest-rank percentiles over every sample, no histogram
// bucketing, so a p99.9 is a real observed latency.
#include "bench/latency_stats.hpp"

#include <algorithm>
#include <cmath>

namespace zchat::bench {
namespace {

double to_ms(std::int64_t ns) { return static_cast<double>(ns) / 1e6; }

double percentile(const std::vector<std::int64_t>& sorted, double p) {
    const auto n = static_cast<double>(sorted.size());
    auto rank = static_cast<std::size_t>(std::ceil(p * n));
    rank = std::clamp<std::size_t>(rank, 1, sorted.size());
    return to_ms(sorted[rank - 1]);
}

}  // namespace

LatencySummary summarize(std::vector<std::int64_t>& samples_ns) {
    LatencySummary s;
    if (samples_ns.empty()) return s;
    std::sort(samples_ns.begin(), samples_ns.end());
    s.count = samples_ns.size();
    s.p50_ms = percentile(samples_ns, 0.50);
    s.p99_ms = percentile(samples_ns, 0.99);
    s.p999_ms = percentile(samples_ns, 0.999);
    s.max_ms = to_ms(samples_ns.back());
    return s;
}

}  // namespace zchat::bench
