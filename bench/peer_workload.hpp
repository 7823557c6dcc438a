// peer_workload: W4, a private session between two clients over their direct
// PAIR link. Against the broker: two registered clients do the real fork flow
// (FORK, INVITE, PAIR connect, PEER_HELLO both ways) and then exchange
// PEER_NOTEs. Against the baseline: a bare PAIR-PAIR link moving raw frames of
// the same size, with no msgpack at all.
#pragma once

#include "bench/load_config.hpp"
#include "bench/report.hpp"

namespace zchat::bench {

Report run_peer_workload(const LoadConfig& config);

}  // namespace zchat::bench
