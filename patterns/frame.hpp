// frame: a protocol message as a ZeroMQ frame, encoded in place. Hot paths
// (lobby fan-out, private notes) send through it: no intermediate string and
// no second copy.
#pragma once

#include <zmq.hpp>

#include "patterns/protocol.hpp"

namespace zchat {

inline zmq::message_t to_frame(const protocol::Message& m) {
    zmq::message_t frame(protocol::encoded_size(m));
    protocol::encode_into(m, static_cast<char*>(frame.data()));
    return frame;
}

}  // namespace zchat
