// network_socket: how every zchat socket that faces the network is configured.
// One place, so no socket is forgotten: bounded frames, no linger at close,
// a large accept backlog for bound sockets (libzmq's default of 100 overflows
// under a connect storm and costs seconds of SYN retries), a deadline for the
// ZMTP handshake and ZMTP heartbeats, so an idle or half-open connection
// cannot hold a descriptor for ever.
#pragma once

#include <string>
#include <zmq.hpp>

namespace zchat {

zmq::socket_t make_network_socket(zmq::context_t& ctx, zmq::socket_type type);

// The endpoint a bound socket really listens on (port filled in for "*").
std::string bound_endpoint(zmq::socket_t& socket);

// "tcp://host:port" -> "host"; empty for anything that is not tcp.
std::string endpoint_host(const std::string& endpoint);
// An endpoint bound on a wildcard host, as a client must dial it: the wildcard
// replaced by the host the client already reached the broker on.
std::string dialable_endpoint(const std::string& announced, const std::string& via_endpoint);

// The key service's default endpoint, the same on broker and client: the
// rendezvous host, its port + 2 (5555 -> 5557); any port ("*") if the
// rendezvous takes any.
std::string default_key_service(const std::string& rendezvous);

}  // namespace zchat
