// chat-load: the load generator of BENCH.md. Simulates N protocol clients of
// chat-broker (or of the zero-logic baseline) in one process, runs one fixed
// workload, and prints one JSON line on stdout and a table on stderr.
#include <CLI/CLI.hpp>
#include <iostream>
#include <map>

#include "bench/lobby_workload.hpp"
#include "bench/peer_workload.hpp"
#include "patterns/log.hpp"
#include "patterns/version.hpp"

namespace {

using zchat::bench::LoadConfig;
using zchat::bench::Target;
using zchat::bench::Workload;

// BENCH.md's figures for whatever the command line leaves out.
void apply_workload_defaults(LoadConfig& c) {
    const bool w1 = c.workload == Workload::w1;
    const bool w5 = c.workload == Workload::w5;
    if (c.clients == 0) c.clients = c.workload == Workload::w3 ? 10 : (w5 ? 2000 : 50);
    if (c.messages == 0) c.messages = 200;
    if (c.rate <= 0) c.rate = c.workload == Workload::w3 ? 200 : 1000;
    if (w1 || w5) c.duration_s = 0;
    if (c.duration_s <= 0 && !w1 && !w5) c.duration_s = 10;
    if (c.rest_s <= 0) c.rest_s = 45;
    if (c.patience_s <= 0) c.patience_s = w1 ? 30 : 5;
    if (c.pingpongs == 0) c.pingpongs = 10000;
    if (c.oneway == 0) c.oneway = 100000;
    if (c.workload == Workload::w4) c.clients = 2;
}

// Returns an exit code to stop with, or -1 to run.
int parse(int argc, char** argv, LoadConfig& c) {
    CLI::App app{"chat-load: zchat benchmark load generator (workloads of BENCH.md)", "chat-load"};
    app.set_version_flag("--version", zchat::version_line("chat-load"),
                         "print the version and the protocol version, and exit");
    const std::map<std::string, Workload> workloads{{"W1", Workload::w1},
                                                    {"W2", Workload::w2},
                                                    {"W3", Workload::w3},
                                                    {"W4", Workload::w4},
                                                    {"W5", Workload::w5}};
    const std::map<std::string, Target> targets{
        {"broker", Target::broker}, {"baseline", Target::baseline}, {"redis", Target::redis}};
    c.rendezvous = "tcp://127.0.0.1:5555";
    c.lobby = "tcp://127.0.0.1:5556";
    app.add_option("--workload", c.workload,
                   "W1 burst, W2 steady latency, W3 scale, W4 private session, W5 idle scale")
        ->required()
        ->transform(CLI::CheckedTransformer(workloads, CLI::ignore_case));
    app.add_option("--target", c.target,
                   "broker (chat-broker), baseline (baseline-forwarder, bare PAIR) or redis")
        ->transform(CLI::CheckedTransformer(targets, CLI::ignore_case));
    app.add_option("--clients", c.clients,
                   "simulated clients (default: W1/W2 50, W3 10, W5 2000 per process)")
        ->check(CLI::Range(2ul, 20000ul));
    app.add_option("--messages", c.messages, "W1: lobby messages per client (default 200)")
        ->check(CLI::Range(1ul, 1000000ul));
    app.add_option("--rate", c.rate,
                   "W2/W3: aggregate lobby messages per second (default W2 1000, W3 200)")
        ->check(CLI::Range(1.0, 1e6));
    app.add_option("--duration", c.duration_s, "W2/W3: seconds of paced sending (default 10)")
        ->check(CLI::Range(0.1, 3600.0));
    app.add_option("--rest", c.rest_s, "W5: seconds the joined clients stay, heartbeating (45)")
        ->check(CLI::Range(1.0, 3600.0));
    app.add_option("--patience", c.patience_s,
                   "give up after this many seconds without a delivery (W1 30, else 5)")
        ->check(CLI::Range(0.1, 600.0));
    app.add_option("--join-timeout", c.join_timeout_s,
                   "seconds for every client to register and subscribe")
        ->capture_default_str()
        ->check(CLI::Range(1.0, 600.0));
    app.add_option("--threads", c.threads,
                   "load threads sharing the clients (default: 1 up to 100 clients, else 2)")
        ->check(CLI::Range(1ul, 64ul));
    app.add_option("--io-threads", c.io_threads, "libzmq I/O threads of the generator")
        ->capture_default_str()
        ->check(CLI::Range(1, 16));
    app.add_option("--rendezvous", c.rendezvous, "ROUTER endpoint of the broker or forwarder")
        ->capture_default_str();
    app.add_option("--lobby", c.lobby,
                   "PUB endpoint of the baseline forwarder (the broker announces its own)")
        ->capture_default_str();
    app.add_option("--redis-port", c.redis_port, "redis target: the server's port on 127.0.0.1");
    app.add_option("--broker-pid", c.server_pid, "server process whose RSS and CPU time to report");
    const std::map<std::string, bool> wires{{"zmq", false}, {"raw", true}};
    app.add_option("--wire", c.raw_wire,
                   "lobby side: zmq (libzmq SUB) or raw (ZMTP 3.0 of its own, plaintext only)")
        ->transform(CLI::CheckedTransformer(wires, CLI::ignore_case));
    app.add_flag("--curve", c.curve,
                 "CURVE on every link (W1-W3 need --server-key; W4 against the baseline makes its "
                 "own keys)");
    app.add_option("--server-key", c.server_key,
                   "CURVE: the public key the broker or forwarder printed");
    app.add_option("--room", c.room,
                   "broker target, W1-W3: the clients join this room and talk there, not in the "
                   "lobby");
    app.add_option("--rooms", c.rooms, "with --room: spread the clients over this many rooms")
        ->check(CLI::Range(1ul, 10000ul));
    app.add_flag("--pace-like-client", c.paced_like_client,
                 "broker target: send no faster than chat-cli does (under the announced bucket)");
    app.add_option("--variant", c.variant, "a label for the JSON line (e.g. defaults)");
    app.add_option("--pingpongs", c.pingpongs, "W4: round trips (default 10000)")
        ->check(CLI::Range(1ul, 10000000ul));
    app.add_option("--oneway", c.oneway, "W4: one-way messages (default 100000)")
        ->check(CLI::Range(1ul, 100000000ul));
    app.add_flag("--check", c.check,
                 "exit 3 unless every delivery arrived, in sequence, none refused");
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        return app.exit(e);
    }
    apply_workload_defaults(c);
    const bool lobby = c.workload != Workload::w4 && c.target != Target::redis;
    if (c.curve && (c.raw_wire || (lobby && c.server_key.empty()))) {
        std::cerr << "chat-load: --curve needs --server-key (and the zmq wire)\n";
        return 2;
    }
    return -1;
}

}  // namespace

int main(int argc, char** argv) {
    LoadConfig config;
    if (const int code = parse(argc, argv, config); code >= 0) return code;
    zchat::log::set_program("chat-load");
    zchat::log::set_level(zchat::log::Level::warn);
    try {
        const auto report = config.workload == Workload::w4
                                ? zchat::bench::run_peer_workload(config)
                                : zchat::bench::run_lobby_workload(config);
        zchat::bench::print_json(std::cout, report);
        zchat::bench::print_table(std::cerr, report);
        if (!report.error.empty()) return 1;
        return config.check && !report.complete() ? 3 : 0;
    } catch (const std::exception& e) {
        std::cerr << "chat-load: " << e.what() << std::endl;
        return 1;
    }
}
