// own_ports: two TCP ports on 127.0.0.1 of this test process's own, for a
// broker and the one that takes its place where its clients look for it.
// Ports handed out for "any port" (and to outgoing connections) come from
// the kernel's ephemeral range, 32768 and up on Debian: once the first broker
// went, another test could be given its ports, and this test's clients would
// register with that test's broker. Below the range, picked by process id
// and checked free, no other test is given them.
#pragma once

#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>
#include <zmq.hpp>

#include "patterns/network_socket.hpp"

namespace zchat::test {

inline std::pair<std::string, std::string> own_ports() {
    // Four ports a process: the rendezvous, the lobby, the key service
    // (chat-broker's default: the rendezvous port + 2) and one to spare.
    int first_ephemeral = 32768;
    std::ifstream("/proc/sys/net/ipv4/ip_local_port_range") >> first_ephemeral;
    const int blocks = std::max(1, (first_ephemeral - 10000) / 4);
    zmq::context_t probe;
    for (int i = 0; i < 100; ++i) {
        const int base = 10000 + 4 * static_cast<int>((::getpid() + i) % blocks);
        const auto endpoint = [&](int n) { return "tcp://127.0.0.1:" + std::to_string(base + n); };
        try {
            std::vector<zmq::socket_t> held;
            for (int n = 0; n < 3; ++n) {
                held.push_back(make_network_socket(probe, zmq::socket_type::router));
                held.back().bind(endpoint(n));
            }
            return {endpoint(0), endpoint(1)};
        } catch (const zmq::error_t&) {
            continue;  // taken by something else on this machine
        }
    }
    throw std::runtime_error("no free ports below the ephemeral range");
}

}  // namespace zchat::test
