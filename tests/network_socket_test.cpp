// network_socket: the options every network socket gets, and the endpoint a
// client must dial when the broker announces a wildcard.
#include "patterns/network_socket.hpp"

#include <gtest/gtest.h>

#include "patterns/limits.hpp"

namespace zchat {
namespace {

TEST(NetworkSocket, EndpointHost) {
    EXPECT_EQ(endpoint_host("tcp://127.0.0.1:5555"), "127.0.0.1");
    EXPECT_EQ(endpoint_host("tcp://chat.example.org:5555"), "chat.example.org");
    EXPECT_EQ(endpoint_host("tcp://*:5555"), "*");
    EXPECT_EQ(endpoint_host("tcp://[::1]:5555"), "[::1]");
    EXPECT_EQ(endpoint_host("ipc:///tmp/zchat"), "");
    EXPECT_EQ(endpoint_host("inproc://lobby"), "");
    EXPECT_EQ(endpoint_host("tcp://noport"), "");
    EXPECT_EQ(endpoint_host(""), "");
}

TEST(NetworkSocket, DialableEndpointReplacesWildcards) {
    const std::string via = "tcp://chat.example.org:5555";
    EXPECT_EQ(dialable_endpoint("tcp://*:5556", via), "tcp://chat.example.org:5556");
    EXPECT_EQ(dialable_endpoint("tcp://0.0.0.0:5556", via), "tcp://chat.example.org:5556");
    EXPECT_EQ(dialable_endpoint("tcp://[::]:5556", "tcp://[::1]:5555"), "tcp://[::1]:5556");
    EXPECT_EQ(dialable_endpoint("tcp://0.0.0.0:41234", "tcp://10.1.2.3:5555"),
              "tcp://10.1.2.3:41234");
}

TEST(NetworkSocket, DialableEndpointLeavesOthersAlone) {
    const std::string via = "tcp://chat.example.org:5555";
    EXPECT_EQ(dialable_endpoint("tcp://10.0.0.5:5556", via), "tcp://10.0.0.5:5556");
    EXPECT_EQ(dialable_endpoint("tcp://lobby.example.org:5556", via),
              "tcp://lobby.example.org:5556");
    EXPECT_EQ(dialable_endpoint("ipc:///tmp/lobby", via), "ipc:///tmp/lobby");
    // Nothing to take a host from: the announced endpoint is the best there is.
    EXPECT_EQ(dialable_endpoint("tcp://*:5556", "ipc:///tmp/rendezvous"), "tcp://*:5556");
    EXPECT_EQ(dialable_endpoint("tcp://*:5556", ""), "tcp://*:5556");
}

TEST(NetworkSocket, NetworkSocketsAreBoundedAndDoNotLinger) {
    zmq::context_t ctx;
    auto socket = make_network_socket(ctx, zmq::socket_type::router);
    EXPECT_EQ(socket.get(zmq::sockopt::linger), 0);
    EXPECT_EQ(socket.get(zmq::sockopt::maxmsgsize), limits::max_frame_bytes);
    EXPECT_EQ(socket.get(zmq::sockopt::backlog), limits::listen_backlog);
}

TEST(NetworkSocket, BoundEndpointReportsTheChosenPort) {
    zmq::context_t ctx;
    auto socket = make_network_socket(ctx, zmq::socket_type::pair);
    socket.bind("tcp://127.0.0.1:*");
    const std::string endpoint = bound_endpoint(socket);
    EXPECT_EQ(endpoint_host(endpoint), "127.0.0.1");
    const auto port = std::stoi(endpoint.substr(endpoint.rfind(':') + 1));
    EXPECT_GT(port, 0);
}

}  // namespace
}  // namespace zchat
