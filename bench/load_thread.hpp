// load_thread: one thread driving its share of the simulated clients through
// a run's phases (joining, running, stopping). It owns those clients' sockets
// and watches all of them in one epoll, servicing only the ones that are
// ready, so a thread carries a thousand clients without an O(N) poll per
// wake-up, and paced sends leave at their time to the microsecond.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <string>
#include <zmq.hpp>

#include "bench/load_config.hpp"
#include "bench/tally.hpp"

namespace zchat::bench {

// Shared by the coordinator and the load threads. Counters are running sums the
// threads add to once per round, so the coordinator can watch progress.
struct RunControl {
    enum Phase : int { joining, running, stopping };
    std::atomic<int> phase{joining};
    Clock::time_point t0{};  // start of the workload; written before phase becomes running
    std::atomic<std::size_t> joined{0};        // clients with a live subscription
    std::atomic<std::uint64_t> sent{0};        // lobby messages sent
    std::atomic<std::uint64_t> refused{0};     // of which refused
    std::atomic<std::uint64_t> received{0};    // deliveries
    std::atomic<std::size_t> done_sending{0};  // threads with nothing left to send
    std::atomic<bool> failed{false};           // a load thread died; see failure
    std::mutex failure_mutex;
    std::string failure;

    void fail(const std::string& why);
};

// Creates the clients index FIRST, FIRST+STRIDE, ... < config.clients, runs them
// until the phase is stopping, closes them, and returns what they counted.
Tally run_load_thread(zmq::context_t& ctx, const LoadConfig& config, RunControl& control,
                      std::size_t first, std::size_t stride);

}  // namespace zchat::bench
