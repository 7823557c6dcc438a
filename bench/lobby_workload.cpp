// lobby_workload: the coordinator of the load threads.
#include "bench/lobby_workload.hpp"

#include <algorithm>
#include <cstdio>
#include <thread>
#include <vector>
#include <zmq.hpp>

#include "bench/load_thread.hpp"

namespace zchat::bench {
namespace {

using std::chrono::duration;

// How often the coordinator samples the threads' counters. Only a sampling
// period: every figure is timed by the threads themselves.
constexpr auto sample_period = std::chrono::milliseconds{5};
// Beyond the workload's own length, the most a run may take whatever happens.
constexpr double hard_cap_s = 300;

double seconds_since(Clock::time_point t) { return duration<double>(Clock::now() - t).count(); }

bool wait_for_join(RunControl& control, const LoadConfig& config, Clock::time_point start) {
    while (control.joined.load(std::memory_order_relaxed) < config.clients) {
        if (control.failed || seconds_since(start) > config.join_timeout_s) return false;
        std::this_thread::sleep_for(sample_period);
    }
    return true;
}

// Until every accepted message reached the N-1 other clients, or nothing new
// arrived (and nothing was sent) for patience_s.
void wait_for_deliveries(RunControl& control, const LoadConfig& config, std::size_t threads) {
    std::uint64_t last_seen = 0;
    auto last_progress = Clock::now();
    while (!control.failed) {
        const bool all_sent = control.done_sending.load(std::memory_order_acquire) == threads;
        const std::uint64_t sent = control.sent.load(std::memory_order_relaxed);
        const std::uint64_t refused = control.refused.load(std::memory_order_relaxed);
        const std::uint64_t received = control.received.load(std::memory_order_relaxed);
        if (all_sent && received >= (sent - refused) * peers_per_message(config)) return;
        if (sent + received != last_seen) {
            last_seen = sent + received;
            last_progress = Clock::now();
        }
        if (seconds_since(last_progress) > config.patience_s) return;
        if (seconds_since(control.t0) > config.duration_s + hard_cap_s) return;
        std::this_thread::sleep_for(sample_period);
    }
}

void merge(Report& r, std::vector<Tally>& tallies, Clock::time_point t0, const LoadConfig& config) {
    std::vector<std::int64_t> latencies, lags;
    Clock::time_point last_delivery = t0;
    for (auto& t : tallies) {
        r.sent += t.sent;
        r.refused += t.refused;
        r.unsent += t.unsent;
        r.received += t.received;
        r.gaps += t.gaps;
        r.missing += t.missing;
        r.errors += t.errors;
        latencies.insert(latencies.end(), t.latencies_ns.begin(), t.latencies_ns.end());
        lags.insert(lags.end(), t.send_lag_ns.begin(), t.send_lag_ns.end());
        t.latencies_ns = {};
        last_delivery = std::max(last_delivery, t.last_delivery);
    }
    r.expected = (r.sent - r.refused) * peers_per_message(config);
    r.wall_s = duration<double>(last_delivery - t0).count();
    if (r.wall_s > 0) r.deliveries_per_s = static_cast<double>(r.received) / r.wall_s;
    r.latency = summarize(latencies);
    r.send_lag = summarize(lags);
}

// W5: everyone joined; hold them (heartbeats only) for the rest, which the
// caller measures the server in.
void hold(RunControl& control, const LoadConfig& config) {
    std::fprintf(stderr, "chat-load: all %zu clients joined; resting %.0f s\n", config.clients,
                 config.rest_s);
    const auto until = Clock::now() + duration<double>(config.rest_s);
    while (!control.failed && Clock::now() < until) std::this_thread::sleep_for(sample_period);
}

}  // namespace

Report run_lobby_workload(const LoadConfig& config) {
    Report r;
    r.workload = config.workload;
    r.target = config.target;
    r.clients = config.clients;
    // One load thread is fastest up to a hundred clients; beyond, two keep one
    // thread's wake-ups from serializing thousands of sockets.
    const std::size_t threads = config.threads ? config.threads : (config.clients <= 100 ? 1 : 2);
    r.threads = std::clamp<std::size_t>(threads, 1, config.clients);
    r.io_threads = config.io_threads;
    r.raw_wire = config.raw_wire && config.target != Target::redis;
    r.variant = config.variant;
    const auto usage_before = read_process_usage(config.server_pid);

    zmq::context_t ctx(config.io_threads);
    ctx.set(zmq::ctxopt::max_sockets, 65536);  // two sockets per client, beyond the default 1023
    RunControl control;
    std::vector<Tally> tallies(r.threads);
    std::vector<std::thread> workers;
    const auto start = Clock::now();
    for (std::size_t t = 0; t < r.threads; ++t)
        workers.emplace_back(
            [&, t] { tallies[t] = run_load_thread(ctx, config, control, t, r.threads); });

    const bool all_joined = wait_for_join(control, config, start);
    r.join_s = seconds_since(start);
    r.server_after_join = read_process_usage(config.server_pid);
    control.t0 = Clock::now();
    if (all_joined) {
        control.phase.store(RunControl::running, std::memory_order_release);
        if (config.workload == Workload::w5) {
            hold(control, config);
        } else {
            std::fprintf(stderr, "chat-load: all %zu clients joined\n", config.clients);
            wait_for_deliveries(control, config, r.threads);
        }
    } else if (!control.failed) {
        r.error = "join timed out: " + std::to_string(control.joined.load()) + " of " +
                  std::to_string(config.clients) + " clients live";
    }
    // Read before the clients disconnect: with every client still connected.
    r.server_at_end = read_process_usage(config.server_pid);
    control.phase.store(RunControl::stopping, std::memory_order_release);
    for (auto& w : workers) w.join();
    if (control.failed) r.error = control.failure;

    merge(r, tallies, control.t0, config);
    if (usage_before && r.server_at_end)
        r.server_cpu_s = r.server_at_end->cpu_s - usage_before->cpu_s;
    if (r.server_after_join && r.server_at_end)
        r.server_load_cpu_s = r.server_at_end->cpu_s - r.server_after_join->cpu_s;
    return r;
}

}  // namespace zchat::bench
