// load_client: one simulated chat client, whatever it talks to (chat-broker,
// the zero-logic forwarder, redis). A load thread drives many of them from
// one epoll: it watches their descriptors, services the ones that are ready,
// and asks them to send on the workload's schedule.
#pragma once

#include <vector>

#include "bench/tally.hpp"

namespace zchat::bench {

class LoadClient {
  public:
    // A descriptor to watch. ZeroMQ's ZMQ_FD is edge-triggered and says only
    // "look at ZMQ_EVENTS"; a plain socket is watched level-triggered.
    struct Watch {
        int fd;  // -1: not there yet; asked again while the client joins
        bool edge;
    };

    virtual ~LoadClient() = default;

    virtual std::vector<Watch> watches() = 0;
    // Connects and starts registering (or subscribing, or probing).
    virtual void start(Clock::time_point now) = 0;
    virtual bool joined() const = 0;
    // Whatever joining needs again (a ticket, a probe); true if it sent one.
    virtual bool tick(Clock::time_point now) = 0;
    // One lobby message stamped DUE; false (nothing sent) if the socket would block.
    virtual bool say(Clock::time_point due, Tally& tally) = 0;
    // A heartbeat; skipped when the socket would block, as it is not urgent.
    virtual void ping() = 0;
    // Reads what is ready on watched descriptor WHICH (an index into
    // watches()), and writes what was held back there; true if more may be
    // waiting (a batch ran out). Descriptor 0 is the one say() and ping() use.
    virtual bool service(std::size_t which, Tally& tally) = 0;
    // True while a say() is held back by a full socket.
    virtual bool blocked() const = 0;
};

}  // namespace zchat::bench
