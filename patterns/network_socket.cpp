// network_socket: socket options and endpoint arithmetic shared by broker and client.
#include "network_socket.hpp"

#include "limits.hpp"

namespace zchat {

zmq::socket_t make_network_socket(zmq::context_t& ctx, zmq::socket_type type) {
    zmq::socket_t socket(ctx, type);
    socket.set(zmq::sockopt::linger, 0);
    socket.set(zmq::sockopt::maxmsgsize, limits::max_frame_bytes);
    socket.set(zmq::sockopt::backlog, limits::listen_backlog);
    socket.set(zmq::sockopt::handshake_ivl, static_cast<int>(limits::handshake_timeout.count()));
    socket.set(zmq::sockopt::heartbeat_ivl, static_cast<int>(limits::zmtp_heartbeat.count()));
    socket.set(zmq::sockopt::heartbeat_timeout,
               static_cast<int>(limits::zmtp_heartbeat_timeout.count()));
    return socket;
}

std::string bound_endpoint(zmq::socket_t& socket) {
    return socket.get(zmq::sockopt::last_endpoint);
}

std::string endpoint_host(const std::string& endpoint) {
    const std::string scheme = "tcp://";
    if (endpoint.rfind(scheme, 0) != 0) return {};
    const auto colon = endpoint.rfind(':');
    if (colon == std::string::npos || colon < scheme.size()) return {};
    return endpoint.substr(scheme.size(), colon - scheme.size());
}

std::string dialable_endpoint(const std::string& announced, const std::string& via_endpoint) {
    const std::string host = endpoint_host(announced);
    if (host != "*" && host != "0.0.0.0" && host != "[::]" && host != "::") return announced;
    const std::string via_host = endpoint_host(via_endpoint);
    if (via_host.empty()) return announced;
    const std::string scheme = "tcp://";
    return scheme + via_host + announced.substr(scheme.size() + host.size());
}

std::string default_key_service(const std::string& rendezvous) {
    const auto colon = rendezvous.rfind(':');
    if (colon == std::string::npos) return rendezvous;
    const std::string port = rendezvous.substr(colon + 1);
    if (port.empty() || port.size() > 5 ||
        port.find_first_not_of("0123456789") != std::string::npos)
        return rendezvous.substr(0, colon) + ":*";
    return rendezvous.substr(0, colon + 1) + std::to_string(std::stoi(port) + 2);
}

}  // namespace zchat
