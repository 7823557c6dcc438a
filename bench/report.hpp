// report: the outcome of one chat-load run, printed as one JSON line on stdout
// (bench/run collects those) and as a table on stderr for a human.
#pragma once

#include <cstdint>
#include <optional>
#include <ostream>
#include <string>

#include "bench/latency_stats.hpp"
#include "bench/load_config.hpp"
#include "bench/process_usage.hpp"

namespace zchat::bench {

struct Report {
    Workload workload = Workload::w1;
    Target target = Target::broker;
    std::size_t clients = 0;
    std::size_t threads = 0;
    int io_threads = 1;
    bool raw_wire = false;        // the lobby side read without libzmq
    std::string variant;          // "" for the bench's own settings, "defaults" for a user's
    std::uint64_t sent = 0;       // messages the clients handed to their sockets
    std::uint64_t refused = 0;    // of which refused by the broker (ERROR rate_limited)
    std::uint64_t unsent = 0;     // paced messages the generator never got to send
    std::uint64_t expected = 0;   // deliveries owed for the accepted messages
    std::uint64_t received = 0;   // deliveries that arrived
    std::uint64_t gaps = 0;       // sequence jumps seen by subscribers
    std::uint64_t missing = 0;    // sequence numbers those jumps skipped
    std::uint64_t errors = 0;     // unexpected replies or undecodable frames
    double wall_s = 0;            // first send until the last delivery
    double deliveries_per_s = 0;  // received / wall_s (W4: one-way notes / their wall time)
    double join_s = 0;            // start until every client was live (W4: fork set up)
    LatencySummary latency;       // end-to-end from the scheduled send time (W4: round trip)
    LatencySummary send_lag;      // how late paced messages left: the generator's own health
    std::optional<ProcessUsage> server_after_join;  // RSS right after the join
    std::optional<ProcessUsage> server_at_end;      // RSS once the workload is over
    std::optional<double> server_cpu_s;             // CPU the server spent during this run
    std::optional<double> server_load_cpu_s;        // of it, after the join (the load itself)
    std::string error;  // why the run could not complete; empty if it did

    std::uint64_t lost() const { return expected > received ? expected - received : 0; }
    bool complete() const {
        return error.empty() && lost() == 0 && gaps == 0 && refused == 0 && errors == 0 &&
               unsent == 0 && received == expected;
    }
};

void print_json(std::ostream& out, const Report& r);
void print_table(std::ostream& out, const Report& r);

}  // namespace zchat::bench
