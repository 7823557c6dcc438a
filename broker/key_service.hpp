// key_service: the one plaintext socket of a CURVE broker. A client that has
// never met this broker cannot learn its key from the CURVE ports (the
// handshake never shows it), so for trust on first use, as SSH does it, the
// broker answers KEY_QUERY with its public key on a ROUTER of its own. The
// answer is unauthenticated: the client shows its fingerprint and pins it,
// and from then on every connection is checked against the pin.
//
// It costs a stranger nothing to ask, so the answers are bounded: a frame
// over a few bytes is dropped by libzmq, and all hosts together get at most
// `rate` answers a second; the rest go unanswered.
#pragma once

#include <cstdint>
#include <string>
#include <zmq.hpp>

#include "patterns/event_loop.hpp"
#include "patterns/token_bucket.hpp"

namespace zchat::broker {

class KeyService {
  public:
    // Binds ENDPOINT and answers with PUBLIC_KEY (Z85). Throws BindError.
    KeyService(zmq::context_t& ctx, EventLoop& loop, const std::string& endpoint,
               std::string public_key);
    ~KeyService();
    KeyService(const KeyService&) = delete;
    KeyService& operator=(const KeyService&) = delete;

    zmq::socket_t& socket() { return socket_; }
    const std::string& endpoint() const { return endpoint_; }
    std::uint64_t answered() const { return answered_; }

  private:
    void on_readable();

    EventLoop& loop_;
    zmq::socket_t socket_;
    std::string endpoint_;
    std::string answer_;  // the encoded BROKER_KEY, the same for everyone
    TokenBucket bucket_;
    std::uint64_t answered_ = 0;
};

}  // namespace zchat::broker
