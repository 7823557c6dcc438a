// load_config: what one chat-load run does, as parsed from its command line.
#pragma once

#include <cstddef>
#include <string>

namespace zchat::bench {

enum class Workload { w1, w2, w3, w4, w5 };  // BENCH.md's workloads
// chat-broker; the zero-logic forwarder (W4: a bare PAIR); redis pub/sub.
enum class Target { broker, baseline, redis };

struct LoadConfig {
    Workload workload = Workload::w1;
    Target target = Target::broker;
    std::size_t clients = 0;         // simulated clients (W4: always the two peers)
    std::size_t messages = 0;        // W1: lobby messages per client
    double rate = 0;                 // W2/W3: aggregate lobby messages per second
    double duration_s = 0;           // W2/W3: how long the paced sending lasts
    double rest_s = 0;               // W5: how long joined clients stay, heartbeating only
    double patience_s = 0;           // give up after this long without a new delivery
    double join_timeout_s = 60;      // registration of every client must finish within it
    std::size_t threads = 0;         // load threads sharing the clients (0: by N)
    int io_threads = 1;              // libzmq I/O threads of the generator
    std::string rendezvous;          // broker ROUTER (or forwarder ROUTER)
    std::string lobby;               // forwarder PUB; the broker announces its own
    int redis_port = 0;              // redis target
    int server_pid = 0;              // process whose RSS and CPU are reported
    std::size_t pingpongs = 0;       // W4 round trips
    std::size_t oneway = 0;          // W4 one-way messages
    bool paced_like_client = false;  // send as chat-cli does: under the announced bucket
    bool raw_wire = false;           // lobby side over bench/raw_subscriber instead of libzmq
    bool curve = false;              // CURVE on every link, each client with keys of its own
    std::string server_key;          // CURVE: the broker's (or forwarder's) public key
    std::string room;                // Wr: clients talk in this room instead of the lobby
    std::size_t rooms = 1;           // Wr: spread over ROOM-0..ROOM-(n-1) when above 1
    std::string variant;             // a label for the JSON line ("defaults", "curve")
    bool check = false;              // exit non-zero unless every delivery arrived
};

// Deliveries one message owes: the other members of its room (or the lobby).
inline std::size_t peers_per_message(const LoadConfig& c) {
    return (c.rooms > 1 ? c.clients / c.rooms : c.clients) - 1;
}

const char* workload_name(Workload w);
const char* target_name(Target t);

}  // namespace zchat::bench
