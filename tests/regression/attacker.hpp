// attacker: what the regression tests attack with. Real chat-broker and
// chat-cli processes (tests/e2e harness), raw ZeroMQ sockets speaking the wire
// protocol by hand (tests/protocol_peer.hpp), plain TCP sockets, and a fake
// broker for attacks a broker could make on a client. Each test in this folder
// reproduces one hole that was found, named for the attack, and asserts the
// outcome PROTOCOL.md promises instead.
//
// Attacks on the broker's and the client's logic run with --insecure on both
// sides: there the logic alone must hold. With CURVE on nothing changes for
// them, since a stranger's key is free to make; the attacks CURVE itself
// answers (observers, impostors, a lying broker, an unregistered lurker)
// have tests of their own here, with CURVE on.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>
#include <zmq.hpp>

#include "bench/process_usage.hpp"
#include "chat_fixture.hpp"
#include "child_process.hpp"
#include "patterns/network_socket.hpp"
#include "patterns/protocol.hpp"
#include "tests/protocol_peer.hpp"

namespace zchat::regression {

using namespace std::chrono_literals;
using e2e::BrokerProcess;
using e2e::ChildProcess;
using e2e::cli_args;
using e2e::open_fds;
using test::ProtocolPeer;
using Clock = std::chrono::steady_clock;

inline long rss_kb(pid_t pid) { return bench::read_process_usage(pid).value().rss_kb; }
inline double cpu_s(pid_t pid) { return bench::read_process_usage(pid).value().cpu_s; }

// Lines in TEXT that start with PREFIX.
inline std::size_t lines_starting(const std::string& text, const std::string& prefix) {
    std::size_t n = 0;
    for (std::size_t at = 0; at < text.size();) {
        const auto nl = text.find('\n', at);
        if (text.compare(at, prefix.size(), prefix) == 0) ++n;
        if (nl == std::string::npos) break;
        at = nl + 1;
    }
    return n;
}

inline std::size_t count_of(const std::string& text, const std::string& what) {
    std::size_t n = 0;
    for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
    return n;
}

// A plain TCP connection from SOURCE (a loopback address: every 127.x.y.z is
// this machine) to the port of ENDPOINT on 127.0.0.1, or -1.
inline int tcp_connect_from(const std::string& source, const std::string& endpoint) {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) return -1;
    sockaddr_in from{};
    from.sin_family = AF_INET;
    ::inet_pton(AF_INET, source.c_str(), &from.sin_addr);
    sockaddr_in to{};
    to.sin_family = AF_INET;
    to.sin_port =
        htons(static_cast<std::uint16_t>(std::stoi(endpoint.substr(endpoint.rfind(':') + 1))));
    ::inet_pton(AF_INET, endpoint_host(endpoint).c_str(), &to.sin_addr);
    if (::bind(fd, reinterpret_cast<const sockaddr*>(&from), sizeof from) != 0 ||
        ::connect(fd, reinterpret_cast<const sockaddr*>(&to), sizeof to) != 0) {
        ::close(fd);
        return -1;
    }
    return fd;
}

// A peer that has registered and joined through the real handshake.
inline std::unique_ptr<ProtocolPeer> joined_peer(zmq::context_t& ctx, const std::string& rendezvous,
                                                 const std::string& name) {
    auto p = std::make_unique<ProtocolPeer>(ctx, rendezvous);
    EXPECT_TRUE(p->join(name)) << name;
    return p;
}

// A broker that lies: a ROUTER and an XPUB in the test, answering HELLO with a
// WELCOME of its choosing and publishing whatever the test wants, so a test
// can attack a client as a hostile or broken broker would.
class FakeBroker {
  public:
    explicit FakeBroker(zmq::context_t& ctx)
        : router_(make_network_socket(ctx, zmq::socket_type::router)),
          xpub_(make_network_socket(ctx, zmq::socket_type::xpub)) {
        router_.bind("tcp://127.0.0.1:*");
        xpub_.bind("tcp://127.0.0.1:*");
        xpub_.set(zmq::sockopt::xpub_verbose, 1);
    }

    std::string rendezvous() { return bound_endpoint(router_); }

    // Waits for a HELLO and answers WELCOME for epoch EPOCH; false if none came.
    bool welcome(std::uint64_t epoch, std::chrono::milliseconds limit = 5s) {
        zmq::pollitem_t item{router_.handle(), 0, ZMQ_POLLIN, 0};
        if (zmq::poll(&item, 1, limit) == 0) return false;
        zmq::message_t id, body;
        (void)router_.recv(id);
        (void)router_.recv(body);
        auto m = protocol::decode(body.to_string_view());
        const auto* msg = std::get_if<protocol::Message>(&m);
        const auto* hello = msg ? std::get_if<protocol::Hello>(msg) : nullptr;
        if (!hello) return false;
        client_ = id.to_string();
        epoch_ = epoch;
        send({protocol::Welcome{1, hello->name, false, bound_endpoint(xpub_), "t/fake", epoch,
                                "fake", 4096, 100, 100, 500, 1000, 60000}});
        return true;
    }
    // Waits until the client's SUB has subscribed to something.
    bool await_subscriber(std::chrono::milliseconds limit = 5s) {
        zmq::pollitem_t item{xpub_.handle(), 0, ZMQ_POLLIN, 0};
        if (zmq::poll(&item, 1, limit) == 0) return false;
        zmq::message_t sub;
        (void)xpub_.recv(sub);
        return true;
    }
    void send(const protocol::Message& m) {
        router_.send(zmq::buffer(client_), zmq::send_flags::sndmore);
        router_.send(zmq::buffer(protocol::encode(m)), zmq::send_flags::none);
    }
    void joined(std::uint64_t last_seq) { send(protocol::Joined{epoch_, last_seq}); }
    // One lobby message made of FRAMES exactly as given.
    void publish_frames(const std::vector<std::string>& frames) {
        for (std::size_t i = 0; i < frames.size(); ++i)
            xpub_.send(zmq::buffer(frames[i]),
                       i + 1 < frames.size() ? zmq::send_flags::sndmore : zmq::send_flags::none);
    }
    void publish(const protocol::Message& m) {
        publish_frames({std::string(protocol::lobby_topic), protocol::encode(m)});
    }
    void beat(std::uint64_t last_seq) { publish(protocol::Beat{epoch_, last_seq, "fake"}); }

  private:
    zmq::socket_t router_;
    zmq::socket_t xpub_;
    std::string client_;
    std::uint64_t epoch_ = 0;
};

}  // namespace zchat::regression
