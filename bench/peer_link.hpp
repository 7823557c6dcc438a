// peer_link: one end of the W4 private link, and how it frames a note: as a
// msgpack PEER_NOTE (broker target) or as raw bytes of the same size (baseline).
#pragma once

#include <cstdint>
#include <string>
#include <zmq.hpp>

#include "bench/load_config.hpp"

namespace zchat::bench {

class PeerLink {
  public:
    // A PAIR with send and receive timeouts, so a dead peer ends the run.
    PeerLink(zmq::context_t& ctx, Target target);

    std::string bind_loopback();  // returns the endpoint to dial
    void connect(const std::string& endpoint);

    void send(const std::string& frame);           // throws on timeout
    void send(zmq::message_t&& frame);             // throws on timeout
    zmq::message_t receive();                      // throws on timeout
    zmq::message_t note(std::uint64_t seq) const;  // a ~100-byte note as this target frames it
    // Decodes (broker target) or size-checks (baseline) a received note.
    bool read_note(const zmq::message_t& frame) const;
    // The answer to a ping: the same text in this side's own note number SEQ
    // (PEER_NOTE seq counts the sender's notes), or the raw frame itself.
    void echo(zmq::message_t&& frame, std::uint64_t seq);

    zmq::socket_t& socket() { return pair_; }

  private:
    Target target_;
    zmq::socket_t pair_;
    std::size_t raw_note_size_;  // baseline frame length: that of an encoded PEER_NOTE
};

}  // namespace zchat::bench
