// load_config: what one chat-load run does, as parsed from its command line.
#pragma once

#include <cstddef>
#include <string>

namespace zchat::bench {

enum class Workload { w1, w2, w3, w4 };  // BENCH.md's fixed workloads
enum class Target { broker, baseline };  // chat-broker, or the zero-logic forwarder / bare PAIR

struct LoadConfig {
    Workload workload = Workload::w1;
    Target target = Target::broker;
    std::size_t clients = 0;     // simulated clients (W4: always the two peers)
    std::size_t messages = 0;    // W1: lobby messages per client
    double rate = 0;             // W2/W3: aggregate lobby messages per second
    double duration_s = 0;       // W2/W3: how long the paced sending lasts
    double patience_s = 0;       // give up after this long without a new delivery
    double join_timeout_s = 60;  // registration of every client must finish within it
    std::size_t threads = 2;     // load threads sharing the clients
    std::string rendezvous;      // broker ROUTER (or forwarder ROUTER)
    std::string lobby;           // forwarder PUB; the broker announces its own
    int server_pid = 0;          // process whose RSS and CPU are reported
    std::size_t pingpongs = 0;   // W4 round trips
    std::size_t oneway = 0;      // W4 one-way messages
    bool check = false;          // exit non-zero unless every delivery arrived
};

const char* workload_name(Workload w);
const char* target_name(Target t);

}  // namespace zchat::bench
