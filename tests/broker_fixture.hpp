// broker_fixture: in-process integration tests of the broker over real TCP
// sockets. A Broker runs on its own context and EventLoop thread; test clients
// are real DEALER+SUB pairs speaking the wire protocol by hand
// (tests/protocol_peer.hpp), so every behaviour PROTOCOL.md promises is
// checked as a client would see it, and every kind of hostile input is
// followed by proof that honest clients still chat. The broker_*_test.cpp
// files use it, one concept each.
#pragma once

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <functional>
#include <memory>
#include <msgpack.hpp>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "broker/broker.hpp"
#include "patterns/limits.hpp"
#include "patterns/log.hpp"
#include "patterns/network_socket.hpp"
#include "patterns/protocol.hpp"
#include "patterns/utf8.hpp"
#include "tests/protocol_peer.hpp"

namespace zchat::broker::test_support {

using namespace std::chrono_literals;
using protocol::ErrorCode;
using zchat::test::Clock;
using zchat::test::ProtocolPeer;

// A fork endpoint and token that pass the broker's checks (it never dials them).
inline const std::string some_endpoint = "tcp://127.0.0.1:45678";
inline const std::string some_token = "0123456789abcdef0123456789abcdef";

class BrokerTest : public ::testing::Test {
  protected:
    // A 100 ms heartbeat wakes the loop often, so stop() takes effect fast. The
    // client timeout is long enough that a peer idling on a loaded machine while
    // another one waits is not dropped; the timeout test sets its own.
    static Options fast_options() {
        Options o;
        o.rendezvous = "tcp://127.0.0.1:*";
        o.lobby = "tcp://127.0.0.1:*";
        o.heartbeat = 100ms;
        o.client_timeout = 1500ms;
        // Every test client comes from 127.0.0.1: the per-host limits have
        // tests of their own, which set them.
        o.connections_per_host = 0;
        o.flood.host_factor = 100000;
        return o;
    }

    void SetUp() override {
        saved_level_ = log::level();
        log::set_level(log::Level::warn);  // join/leave lines would bury test output
        clients_.set(zmq::ctxopt::max_sockets, 4096);
    }

    void TearDown() override {
        stop();
        log::set_level(saved_level_);
    }

    // The broker is built here, on the test thread, and touched only by the loop
    // thread from then on, until stop() joins it.
    void start(Options options = fast_options()) {
        broker_ = std::make_unique<Broker>(broker_ctx_, loop_, std::move(options));
        rendezvous_ = broker_->rendezvous_endpoint();
        lobby_ = broker_->lobby_endpoint();
        thread_ = std::thread([this] { loop_.run(); });
    }

    void stop() {
        if (!thread_.joinable()) return;
        loop_.stop();
        thread_.join();
    }

    // The broker's own view, readable once its loop has stopped.
    const Broker& stopped_broker() {
        stop();
        return *broker_;
    }

    ProtocolPeer peer() { return ProtocolPeer(clients_, rendezvous_); }

    // Proof the broker still serves: a line from each reaches the other, and it
    // is the first text each sees from the other, so nothing hostile was
    // published under either name before it.
    ::testing::AssertionResult chat_works(ProtocolPeer& a, ProtocolPeer& b) {
        for (auto [from, to] : {std::pair{&a, &b}, std::pair{&b, &a}}) {
            const std::string text = "proof " + std::to_string(++proofs_) + " from " + from->name();
            from->say(text);
            auto got = to->await_lobby<protocol::LobbyText>(
                [&](const protocol::LobbyText& t) { return t.from != to->name(); });
            if (!got) return ::testing::AssertionFailure() << "'" << text << "' never arrived";
            if (got->text != text || got->from != from->name() || got->from_id != from->id())
                return ::testing::AssertionFailure()
                       << "expected '" << text << "' from " << from->name() << ", got '"
                       << got->text << "' from " << got->from;
        }
        return ::testing::AssertionSuccess();
    }

    zmq::context_t broker_ctx_;
    EventLoop loop_;
    std::unique_ptr<Broker> broker_;
    std::thread thread_;
    zmq::context_t clients_;  // the peers' context; every peer is local to a test body
    std::string rendezvous_;
    std::string lobby_;
    int proofs_ = 0;
    log::Level saved_level_ = log::Level::info;
};

// Bytes made readable in a failure message.
inline std::string escaped(std::string_view bytes) {
    std::string out;
    for (const char c : bytes) {
        const auto b = static_cast<unsigned char>(c);
        if (b >= 0x20 && b < 0x7F && b != '\\') {
            out += c;
        } else {
            char hex[5];
            std::snprintf(hex, sizeof hex, "\\x%02x", b);
            out += hex;
        }
    }
    return "\"" + out + "\"";
}

// Waits for N lobby texts at P, in arrival order.
inline std::vector<protocol::LobbyText> lobby_texts(ProtocolPeer& p, std::size_t n) {
    std::vector<protocol::LobbyText> got;
    while (got.size() < n) {
        auto t = p.await_lobby<protocol::LobbyText>();
        if (!t) break;
        got.push_back(std::move(*t));
    }
    return got;
}

inline std::vector<std::string> names_of(ProtocolPeer& asker) {
    const auto cseq = asker.users();
    auto list = asker.expect<protocol::UserList>();
    if (!list) return {};
    EXPECT_EQ(list->cseq, cseq);
    EXPECT_EQ(list->count, list->names.size());
    return list->names;
}

using Packer = msgpack::packer<msgpack::sbuffer>;

inline std::string packed(const std::function<void(Packer&)>& fill) {
    msgpack::sbuffer buf;
    Packer p(buf);
    fill(p);
    return {buf.data(), buf.size()};
}

// ["zc", 1, KIND, FIELDS...]: a valid envelope around fields the test packs,
// to break the rules that encode() always keeps.
inline std::string envelope(std::uint64_t kind, std::uint32_t fields,
                            const std::function<void(Packer&)>& fill) {
    return packed([&](Packer& p) {
        p.pack_array(3 + fields);
        p.pack(std::string(protocol::signature));
        p.pack(protocol::version);
        p.pack(kind);
        fill(p);
    });
}

inline constexpr std::uint64_t hello_kind = 1, say_kind = 6, users_kind = 7, fork_kind = 9,
                               bye_kind = 12;

// A plain TCP connection to 127.0.0.1:PORT of ENDPOINT, or -1.
inline int tcp_connect(const std::string& endpoint) {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) return -1;
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port =
        htons(static_cast<std::uint16_t>(std::stoi(endpoint.substr(endpoint.rfind(':') + 1))));
    ::inet_pton(AF_INET, endpoint_host(endpoint).c_str(), &addr.sin_addr);
    if (::connect(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0) {
        ::close(fd);
        return -1;
    }
    return fd;
}

// Byte streams that are not ZMTP, or ZMTP gone wrong.
inline std::vector<std::string> non_zmtp_streams() {
    std::string greeting_bad_mechanism("\xff\0\0\0\0\0\0\0\x01\x7f\x03\x00BOGUS", 17);
    greeting_bad_mechanism.resize(64, '\0');
    std::string greeting_null_then_garbage("\xff\0\0\0\0\0\0\0\x01\x7f\x03\x00NULL", 16);
    greeting_null_then_garbage.resize(64, '\0');
    greeting_null_then_garbage += std::string("\x04\xff\x05READY\x0bSocket-Type", 18);
    std::mt19937 rng(7);
    std::string noise(4096, '\0');
    for (auto& c : noise) c = static_cast<char>(rng());
    return {
        "",
        "GET / HTTP/1.1\r\nHost: zchat\r\n\r\n",
        noise,
        std::string("\xff\0\0\0\0\0\0\0\x01\x7f\xff\xff", 12),  // unknown major version
        greeting_bad_mechanism,
        greeting_null_then_garbage,
        std::string("\x01\x00\xff\xff\xff\xff\xff\xff\xff\xff\xff\x00",
                    12),  // ZMTP 1.0, huge frame
    };
}

// Opens BATCH dealers, sends one garbage frame from each, waits (bounded) for
// every ERROR, closes them all. Returns how many got their ERROR bad_message.
inline int garbage_batch(zmq::context_t& ctx, const std::string& endpoint, int batch) {
    std::vector<zmq::socket_t> dealers;
    std::vector<zmq::pollitem_t> items;
    for (int i = 0; i < batch; ++i) {
        dealers.push_back(make_network_socket(ctx, zmq::socket_type::dealer));
        dealers.back().connect(endpoint);
        dealers.back().send(zmq::str_buffer("\xc1 garbage"), zmq::send_flags::dontwait);
    }
    for (auto& d : dealers) items.push_back({d.handle(), 0, ZMQ_POLLIN, 0});
    int answered = 0;
    const auto deadline = Clock::now() + test::reply_limit;
    while (answered < batch && Clock::now() < deadline) {
        zmq::poll(items.data(), items.size(), 20ms);
        for (std::size_t i = 0; i < items.size(); ++i) {
            zmq::message_t reply;
            if (!(items[i].revents & ZMQ_POLLIN) ||
                !dealers[i].recv(reply, zmq::recv_flags::dontwait))
                continue;
            items[i].events = 0;  // one reply each
            auto m = protocol::decode(reply.to_string_view());
            const auto* e = std::get_if<protocol::Error>(std::get_if<protocol::Message>(&m));
            if (e && e->code == static_cast<std::uint32_t>(ErrorCode::bad_message)) ++answered;
        }
    }
    return answered;
}

}  // namespace zchat::broker::test_support
