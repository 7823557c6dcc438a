// handshake_watch: how a connecting socket's security handshake went. libzmq
// reports a wrong key or a mechanism mismatch at no API: sends queue, receives
// never return, exactly as if the peer were down (libzmq issue #2227). Only
// its socket monitor says so, within milliseconds of connecting; this class
// reads that monitor on the caller's EventLoop and reports the outcome.
//
// What the events mean (libzmq 4.3.4, /work/notes/crypto.md section 2.2):
//   HANDSHAKE_SUCCEEDED          keys checked both ways (and ZAP admitted us)
//   HANDSHAKE_FAILED_AUTH        the server's ZAP refused our key
//   HANDSHAKE_FAILED_PROTOCOL    with MECHANISM_MISMATCH: one side plaintext
//   HANDSHAKE_FAILED_NO_DETAIL   a wrong server key, a mismatch seen early, or
//                                a connection reset mid-handshake: ambiguous
// After AUTH or a mismatch libzmq never reconnects the socket; after
// NO_DETAIL it keeps trying.
#pragma once

#include <functional>
#include <memory>
#include <zmq.hpp>

#include "patterns/event_loop.hpp"

namespace zchat::client {

class HandshakeWatch {
  public:
    enum class Failure { refused_key, mechanism_mismatch, unclear };
    struct Report {
        bool succeeded = false;
        Failure failure = Failure::unclear;  // when not succeeded
    };
    using OnReport = std::function<void(const Report&)>;

    // Attach before SOCKET connects, or the first attempt goes unseen. Every
    // handshake outcome is reported, in order.
    HandshakeWatch(zmq::context_t& ctx, EventLoop& loop, zmq::socket_t& socket, OnReport on_report);
    ~HandshakeWatch();  // before the socket closes
    HandshakeWatch(const HandshakeWatch&) = delete;
    HandshakeWatch& operator=(const HandshakeWatch&) = delete;

  private:
    void on_event();

    EventLoop& loop_;
    zmq::socket_t& socket_;
    zmq::socket_t monitor_;
    OnReport on_report_;
};

}  // namespace zchat::client
