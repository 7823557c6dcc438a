// latency_stats: percentiles of a run's latency samples, the figures BENCH.md quotes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace zchat::bench {

struct LatencySummary {
    std::size_t count = 0;  // samples the percentiles were taken over
    double p50_ms = 0;
    double p99_ms = 0;
    double p999_ms = 0;
    double max_ms = 0;
};

// Nearest-rank percentiles; sorts SAMPLES_NS in place. All zero when there are none.
LatencySummary summarize(std::vector<std::int64_t>& samples_ns);

}  // namespace zchat::bench
