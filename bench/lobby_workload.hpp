// lobby_workload: W1-W3, the lobby fan-out workloads. Registers every client,
// waits for every subscription to be live, runs the sends, and waits for the
// deliveries they owe (or for patience to run out).
#pragma once

#include "bench/load_config.hpp"
#include "bench/report.hpp"

namespace zchat::bench {

Report run_lobby_workload(const LoadConfig& config);

}  // namespace zchat::bench
