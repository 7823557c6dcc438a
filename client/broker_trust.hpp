// broker_trust: which key the broker at an endpoint must prove it holds,
// decided once at startup, as SSH decides about a host:
//
//   --broker-key KEY     that key; pinned if the endpoint has no pin yet, a
//                        hard failure if it has another
//   a pin                the key in known_brokers for the endpoint
//   neither              trust on first use: the broker's key service says
//                        which key it holds; the fingerprint is shown and,
//                        if the user (or --trust-new-broker) agrees, pinned
//
// Unattended (stdin not a terminal) and asked, only a broker on this machine
// (a loopback endpoint) is trusted on first use: the same-machine default
// just works, and a script never trusts a remote broker by accident.
#pragma once

#include <functional>
#include <stdexcept>
#include <string>
#include <zmq.hpp>

#include "client/known_keys.hpp"

namespace zchat::client {

enum class TrustNew { ask, yes, no };

// The broker cannot be trusted as configured: a sentence that says what to
// do, and whether the broker was simply not there to ask.
struct TrustError : std::runtime_error {
    TrustError(const std::string& what, bool unreachable = false)
        : std::runtime_error(what), unreachable(unreachable) {}
    bool unreachable;
};

struct TrustedBroker {
    std::string key;     // Z85
    std::string origin;  // "pinned for ENDPOINT in FILE line N", or "given with --broker-key"
};

struct TrustRequest {
    std::string endpoint;     // rendezvous, as dialled
    std::string given_key;    // --broker-key, or empty
    std::string key_service;  // where to ask on first use
    TrustNew mode = TrustNew::ask;
    bool interactive = false;  // a user at a terminal can be asked
};

// Talks to the user through SAY (a line) and ASK (a question; true for yes).
struct TrustDialogue {
    std::function<void(const std::string&)> say;
    std::function<bool(const std::string&)> ask;
};

TrustedBroker trust_broker(zmq::context_t& ctx, const TrustRequest& request, KnownKeys& known,
                           const TrustDialogue& dialogue);

// Asks the key service at ENDPOINT for the broker's key; empty if it does
// not answer a valid key within the timeout.
std::string fetch_broker_key(zmq::context_t& ctx, const std::string& endpoint,
                             std::chrono::milliseconds timeout);

}  // namespace zchat::client
