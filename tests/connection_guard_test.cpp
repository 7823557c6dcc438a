// connection_guard: one source address holds at most its cap of connections;
// the excess is shut down at once, others are untouched, and closing frees a
// place again. Raw TCP connections from 127.0.0.2 and 127.0.0.1.
#include "broker/connection_guard.hpp"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "patterns/network_socket.hpp"

namespace zchat::broker {
namespace {

using namespace std::chrono_literals;

int connect_from(const char* source, int port) {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in from{}, to{};
    from.sin_family = to.sin_family = AF_INET;
    ::inet_pton(AF_INET, source, &from.sin_addr);
    ::inet_pton(AF_INET, "127.0.0.1", &to.sin_addr);
    to.sin_port = htons(static_cast<std::uint16_t>(port));
    if (::bind(fd, reinterpret_cast<sockaddr*>(&from), sizeof from) != 0 ||
        ::connect(fd, reinterpret_cast<sockaddr*>(&to), sizeof to) != 0) {
        ::close(fd);
        return -1;
    }
    return fd;
}

// True if the other end hung up FD (reading past libzmq's greeting).
bool hung_up(int fd) {
    char buf[256];
    pollfd p{fd, POLLIN, 0};
    while (::poll(&p, 1, 0) > 0) {
        const ssize_t n = ::recv(fd, buf, sizeof buf, MSG_DONTWAIT);
        if (n == 0) return true;
        if (n < 0) return errno != EAGAIN;
    }
    return false;
}

TEST(ConnectionGuard, TheExcessOverAHostsCapIsShutDown) {
    zmq::context_t ctx;
    EventLoop loop;
    auto router = make_network_socket(ctx, zmq::socket_type::router);
    router.bind("tcp://127.0.0.1:*");
    const int port = endpoint_port(bound_endpoint(router));
    {
        ConnectionGuard guard(ctx, loop, 3);
        guard.guard(router, port);
        std::vector<int> attacker;
        for (int i = 0; i < 5; ++i) attacker.push_back(connect_from("127.0.0.2", port));
        const int neighbour = connect_from("127.0.0.1", port);
        for (int i = 0; i < 50; ++i) loop.run_once(10ms);
        int closed = 0;
        for (const int fd : attacker) closed += hung_up(fd);
        EXPECT_EQ(closed, 2);
        EXPECT_FALSE(hung_up(neighbour));
        EXPECT_EQ(guard.stats().refused, 2u);
        EXPECT_EQ(guard.connections_from("127.0.0.2"), 3u);
        EXPECT_EQ(guard.connections_from("127.0.0.1"), 1u);

        // A place freed is a place to take.
        for (const int fd : attacker) ::close(fd);
        for (int i = 0; i < 50; ++i) loop.run_once(10ms);
        EXPECT_EQ(guard.connections_from("127.0.0.2"), 0u);
        const int again = connect_from("127.0.0.2", port);
        for (int i = 0; i < 20; ++i) loop.run_once(10ms);
        EXPECT_FALSE(hung_up(again));
        ::close(again);
        ::close(neighbour);
    }
}

}  // namespace
}  // namespace zchat::broker
