// A stranger's garbage at a private session: it never crashes the client,
// never opens a session, never disturbs the real ones.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "chat_fixture.hpp"
#include "patterns/curve_keys.hpp"
#include "patterns/network_socket.hpp"
#include "patterns/zap_handler.hpp"
#include "tests/protocol_peer.hpp"

namespace zchat::e2e {
namespace {

// Opens a plain TCP connection to a tcp:// endpoint, writes BYTES, closes.
void throw_raw_bytes(const std::string& endpoint, const std::string& bytes) {
    const std::string host = endpoint_host(endpoint);
    const int port = std::stoi(endpoint.substr(endpoint.rfind(':') + 1));
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<std::uint16_t>(port));
    ::inet_pton(AF_INET, host.c_str(), &addr.sin_addr);
    ASSERT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    ASSERT_EQ(::write(fd, bytes.data(), bytes.size()), static_cast<ssize_t>(bytes.size()));
    ::close(fd);
}

bool pair_send(zmq::socket_t& pair, const std::string& frame) {
    return pair.send(zmq::buffer(frame), zmq::send_flags::dontwait).has_value();
}

std::optional<protocol::Message> pair_receive(zmq::socket_t& pair,
                                              std::chrono::milliseconds limit) {
    zmq::pollitem_t item{pair.handle(), 0, ZMQ_POLLIN, 0};
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < deadline) {
        zmq::poll(&item, 1, std::chrono::milliseconds{50});
        zmq::message_t frame;
        if (!pair.recv(frame, zmq::recv_flags::dontwait)) continue;
        auto decoded = protocol::decode(frame.to_string_view());
        if (auto* m = std::get_if<protocol::Message>(&decoded)) {
            if (std::holds_alternative<protocol::PeerPing>(*m)) continue;
            return *m;
        }
    }
    return std::nullopt;
}

const std::string garbage_bytes = std::string("\xff\x00\x01garbage that is not msgpack\x93", 31);
const std::string garbage_msgpack = "\x93\x01\x02\x03";  // [1, 2, 3]

TEST_F(ChatTest, GarbageAtAnInvitedSessionIsDropped) {
    auto& anna = join("anna");
    auto& bobby = join("bobby");
    bobby.write_line("\\fork anna");
    ASSERT_TRUE(anna.expect("bobby opened private session 1 with you"));

    // Mallory is a registered user with a key of her own, as any stranger can be.
    zmq::context_t ctx;
    const auto keys = generate_curve_keys();
    test::ProtocolPeer mallory(ctx, broker_->rendezvous, test::PeerCurve{keys, broker_->key});
    ASSERT_TRUE(mallory.join("mallory"));
    auto pair = make_network_socket(ctx, zmq::socket_type::pair);
    pair.set(zmq::sockopt::curve_server, true);
    pair.set(zmq::sockopt::curve_secretkey, keys.secret_z85);
    pair.bind("tcp://127.0.0.1:*");
    mallory.fork("anna", bound_endpoint(pair), "the-token");
    ASSERT_TRUE(mallory.expect<protocol::ForkOk>());
    auto hello = pair_receive(pair, 5s);
    ASSERT_TRUE(hello && std::holds_alternative<protocol::PeerHello>(*hello))
        << "anna never said hello";

    // Before the session is open: garbage, a wrong-kind message and a wrong token.
    pair_send(pair, garbage_bytes);
    pair_send(pair, garbage_msgpack);
    pair_send(pair, protocol::encode(protocol::PeerNote{1, 0, "too early"}));
    pair_send(pair, protocol::encode(protocol::PeerHello{"wrong-token", "mallory"}));
    anna.settle(300ms);
    EXPECT_EQ(anna.out().find("mallory opened"), std::string::npos)
        << "a wrong token opened a session";
    pair_send(pair, protocol::encode(protocol::PeerHello{"the-token", "mallory"}));
    ASSERT_TRUE(anna.expect("mallory opened private session 2 with you")) << anna.out();

    // Once open: more garbage, then a real note.
    pair_send(pair, garbage_bytes);
    pair_send(pair, garbage_msgpack);
    pair_send(pair, std::string(1, '\0'));
    pair_send(pair, protocol::encode(protocol::PeerNote{1, 0, "still here"}));
    EXPECT_TRUE(anna.expect("[2 P~>] mallory: still here"));
    EXPECT_EQ(anna.out().find("too early"), std::string::npos);

    // The real session was never disturbed.
    bobby.write_line("are you ok");
    EXPECT_TRUE(anna.expect("[1 P~>] bobby: are you ok"));
    anna.write_line("\\sw 1");
    anna.write_line("fine");
    EXPECT_TRUE(bobby.expect("[1 P->] anna: fine"));
}

TEST_F(ChatTest, RawBytesAtAListeningSessionAreHarmless) {
    auto& anna = join("anna");
    zmq::context_t ctx;
    const auto keys = generate_curve_keys();
    test::ProtocolPeer mallory(ctx, broker_->rendezvous, test::PeerCurve{keys, broker_->key});
    ASSERT_TRUE(mallory.join("mallory"));
    anna.write_line("\\fork mallory");
    auto invite = mallory.expect<protocol::Invite>(5s);
    ASSERT_TRUE(invite);
    throw_raw_bytes(invite->endpoint, garbage_bytes);
    throw_raw_bytes(invite->endpoint, std::string(4096, '\xff'));
    auto pair = make_network_socket(ctx, zmq::socket_type::pair);
    make_curve_client(pair, keys.public_z85, keys.secret_z85, invite->curve_key);
    pair.connect(invite->endpoint);
    pair_send(pair, protocol::encode(protocol::PeerHello{invite->token, "mallory"}));
    EXPECT_TRUE(anna.expect("private session 1 with mallory open", 5s)) << anna.out();
    auto ack = pair_receive(pair, 5s);
    ASSERT_TRUE(ack && std::holds_alternative<protocol::PeerHello>(*ack));
    pair_send(pair, protocol::encode(protocol::PeerNote{1, 0, "hello anna"}));
    EXPECT_TRUE(anna.expect("[1 P->] mallory: hello anna"));
    anna.write_line("hi mallory");
    auto note = pair_receive(pair, 5s);
    ASSERT_TRUE(note && std::holds_alternative<protocol::PeerNote>(*note));
    EXPECT_EQ(std::get<protocol::PeerNote>(*note).text, "hi mallory");
}

}  // namespace
}  // namespace zchat::e2e
