// Attack: the broker itself sits between two users. It introduces them, so
// it can hand each the key of a third party (mallory) and relay their private
// session through her, reading everything. Keys pinned from an earlier
// session catch it: both clients warn and refuse. On a first meeting nothing
// can catch it at once, but the safety numbers on the two screens differ, so
// users who compare them (\verify) do.
//
// The lying broker holds the real broker's key (it is the operator gone bad),
// speaks the real protocol to real chat-cli processes, and runs mallory's two
// PAIRs on its own loop.
#include <future>
#include <map>
#include <regex>

#include "attacker.hpp"
#include "patterns/curve_keys.hpp"
#include "patterns/event_loop.hpp"
#include "patterns/key_file.hpp"
#include "patterns/secure_random.hpp"
#include "patterns/zap_handler.hpp"

namespace zchat::regression {
namespace {

// One session relayed through mallory: the side she binds for the invited
// user, the side she connects to the initiator, and the two tokens she swaps.
struct Interception {
    zmq::socket_t to_invited;    // a CURVE server with mallory's key
    zmq::socket_t to_initiator;  // a CURVE client with mallory's key
    std::string initiator_token, invited_token;
};

class LyingBroker {
  public:
    explicit LyingBroker(const CurveKeys& keys)
        : keys_(keys),
          mallory_(generate_curve_keys()),
          router_(make_network_socket(ctx_, zmq::socket_type::router)),
          xpub_(make_network_socket(ctx_, zmq::socket_type::xpub)) {
        std::promise<void> ready;
        thread_ = std::thread([&] {
            ZapHandler zap(ctx_, loop_,
                           [](const ZapHandler::Request& r) { return ZapHandler::allow(r.key); });
            make_curve_server(router_, keys_.secret_z85, "zchat-rendezvous");
            make_curve_server(xpub_, keys_.secret_z85, "zchat-lobby");
            xpub_.set(zmq::sockopt::xpub_manual, 1);
            router_.bind("tcp://127.0.0.1:*");
            xpub_.bind("tcp://127.0.0.1:*");
            rendezvous_ = bound_endpoint(router_);
            loop_.watch(router_, [this] { on_request(); });
            loop_.watch(xpub_, [this] { on_subscription(); });
            loop_.every(200ms, [this] { publish(protocol::Beat{epoch_, 0, "liar"}); });
            ready.set_value();
            loop_.run();
            for (auto& i : relays_) {
                loop_.unwatch(i->to_invited);
                loop_.unwatch(i->to_initiator);
            }
            relays_.clear();
            router_.close();
            xpub_.close();
        });
        ready.get_future().wait();
    }
    ~LyingBroker() {
        loop_.stop();
        thread_.join();
    }
    const std::string& rendezvous() const { return rendezvous_; }

  private:
    struct Client {
        std::string rid, name, key;
    };

    void on_request() {
        for (;;) {
            zmq::message_t rid, body;
            if (!router_.recv(rid, zmq::recv_flags::dontwait)) return;
            (void)router_.recv(body);
            const char* key = zmq_msg_gets(body.handle(), "User-Id");
            auto decoded = protocol::decode(body.to_string_view());
            auto* m = std::get_if<protocol::Message>(&decoded);
            if (!m || !key) continue;
            if (auto* hello = std::get_if<protocol::Hello>(m)) {
                const std::string ticket = "t/" + hello->name;
                clients_[ticket] = {rid.to_string(), hello->name, key};
                reply(rid.to_string(),
                      protocol::Welcome{clients_.size(), hello->name, false, bound_endpoint(xpub_),
                                        ticket, epoch_, "liar", 4096, 100, 100, 500, 1000, 60000});
            } else if (auto* fork = std::get_if<protocol::Fork>(m)) {
                intercept(rid.to_string(), key, *fork);
            }
        }
    }

    void on_subscription() {
        for (;;) {
            zmq::message_t note;
            if (!xpub_.recv(note, zmq::recv_flags::dontwait)) return;
            const auto it = clients_.find(std::string(note.to_string_view().substr(1)));
            if (note.to_string_view()[0] != 1 || it == clients_.end()) continue;
            xpub_.set(zmq::sockopt::subscribe, "lobby");
            reply(it->second.rid, protocol::Joined{epoch_, 0});
        }
    }

    // FORK_OK gives the initiator mallory's key for the invited user; INVITE
    // gives the invited user mallory's endpoint and key for the initiator.
    void intercept(const std::string& rid, const std::string& initiator_key,
                   const protocol::Fork& fork) {
        const Client* invited = nullptr;
        std::string initiator;
        for (const auto& [ticket, c] : clients_) {
            if (c.name == fork.peer) invited = &c;
            if (c.rid == rid) initiator = c.name;
        }
        if (!invited) return;
        auto relay = std::make_unique<Interception>(
            Interception{make_network_socket(ctx_, zmq::socket_type::pair),
                         make_network_socket(ctx_, zmq::socket_type::pair), fork.token,
                         random_hex(limits::secret_bits)});
        make_curve_server(relay->to_invited, mallory_.secret_z85, "mallory");
        relay->to_invited.bind("tcp://127.0.0.1:*");
        make_curve_client(relay->to_initiator, mallory_.public_z85, mallory_.secret_z85,
                          initiator_key);
        reply(rid, protocol::ForkOk{fork.cseq, fork.peer, mallory_.public_z85});
        relay->to_initiator.connect(fork.endpoint);
        reply(invited->rid, protocol::Invite{initiator, bound_endpoint(relay->to_invited),
                                             relay->invited_token, mallory_.public_z85});
        auto* r = relay.get();
        loop_.watch(r->to_invited, [this, r] { pass(*r, r->to_invited, r->to_initiator, true); });
        loop_.watch(r->to_initiator,
                    [this, r] { pass(*r, r->to_initiator, r->to_invited, false); });
        relays_.push_back(std::move(relay));
    }

    // Mallory reads every message and passes it on, with the other token.
    void pass(Interception& r, zmq::socket_t& from, zmq::socket_t& to, bool from_invited) {
        for (;;) {
            zmq::message_t frame;
            if (!from.recv(frame, zmq::recv_flags::dontwait)) return;
            auto decoded = protocol::decode(frame.to_string_view());
            auto* m = std::get_if<protocol::Message>(&decoded);
            if (!m) continue;
            const std::string& token = from_invited ? r.initiator_token : r.invited_token;
            if (auto* hello = std::get_if<protocol::PeerHello>(m)) hello->token = token;
            if (auto* leave = std::get_if<protocol::PeerLeave>(m)) leave->token = token;
            (void)to.send(zmq::buffer(protocol::encode(*m)), zmq::send_flags::dontwait);
        }
    }

    void reply(const std::string& rid, const protocol::Message& m) {
        router_.send(zmq::buffer(rid), zmq::send_flags::sndmore);
        router_.send(zmq::buffer(protocol::encode(m)), zmq::send_flags::dontwait);
    }
    void publish(const protocol::Message& m) {
        xpub_.send(zmq::buffer(protocol::lobby_topic), zmq::send_flags::sndmore);
        xpub_.send(zmq::buffer(protocol::encode(m)), zmq::send_flags::dontwait);
    }

    zmq::context_t ctx_;
    EventLoop loop_;
    CurveKeys keys_;
    CurveKeys mallory_;
    zmq::socket_t router_;
    zmq::socket_t xpub_;
    std::string rendezvous_;
    std::uint64_t epoch_ = 7;
    std::map<std::string, Client> clients_;  // by ticket
    std::vector<std::unique_ptr<Interception>> relays_;
    std::thread thread_;
};

// A user whose key and known peers last across the brokers it talks to.
struct User {
    explicit User(std::string n) : name(std::move(n)) {}
    std::string name;
    std::string dir = e2e::test_dir("user");
    std::unique_ptr<ChildProcess> process;

    ChildProcess& start(const std::string& broker, const std::string& broker_key) {
        process = std::make_unique<ChildProcess>(
            cli_args(broker, name,
                     {"--broker-key", broker_key, "--key-file", dir + "/client.key",
                      "--known-peers", dir + "/known_peers"}));
        EXPECT_TRUE(process->expect("Registered as " + name, 10s)) << process->err();
        return *process;
    }
    void stop() {
        process->close_stdin();
        EXPECT_EQ(process->wait_exit(), 0);
    }
};

// The 60 digits a \verify shows, as one string.
std::string safety_number_shown(ChildProcess& p, const std::string& peer) {
    p.write_line("\\verify " + peer);
    EXPECT_TRUE(p.expect("safety number with " + peer)) << p.out();
    p.settle(300ms);
    static const std::regex digits("(\\d{5}( \\d{5}){5})\\n[^\\n]*?(\\d{5}( \\d{5}){5})");
    std::smatch m;
    const std::string out = p.out().substr(p.out().rfind("safety number with " + peer));
    if (!std::regex_search(out, m, digits)) return "none in: " + out;
    return m[1].str() + " " + m[3].str();
}

class LyingBrokerTest : public ::testing::Test {
  protected:
    LyingBrokerTest() : key_file_(e2e::test_dir("broker") + "/broker.key") {}
    const CurveKeys& broker_keys() {
        if (keys_.public_z85.empty()) keys_ = load_or_create_keys(key_file_).keys;
        return keys_;
    }
    std::string key_file_;
    CurveKeys keys_;
    User anna{"anna"}, bobby{"bobby"};
};

TEST_F(LyingBrokerTest, KeysPinnedEarlierCatchTheSubstitution) {
    {
        BrokerProcess honest({"--key-file", key_file_});
        auto& a = anna.start(honest.rendezvous, honest.key);
        auto& b = bobby.start(honest.rendezvous, honest.key);
        ASSERT_TRUE(a.expect("bobby joined the lobby", 10s));
        a.write_line("\\fork bobby");
        ASSERT_TRUE(b.expect("anna opened private session 1 with you")) << b.out();
        ASSERT_TRUE(a.expect("first private session with bobby")) << a.out();
        ASSERT_TRUE(b.expect("first private session with anna")) << b.out();
        anna.stop();
        bobby.stop();
    }
    LyingBroker liar(broker_keys());
    auto& a = anna.start(liar.rendezvous(), broker_keys().public_z85);
    auto& b = bobby.start(liar.rendezvous(), broker_keys().public_z85);
    a.write_line("\\fork bobby");
    EXPECT_TRUE(a.expect("WARNING: the broker says bobby's key is")) << a.out();
    EXPECT_TRUE(a.expect("private session with bobby refused")) << a.out();
    EXPECT_TRUE(b.expect("WARNING: the broker says anna's key is")) << b.out();
    b.settle(500ms);
    EXPECT_EQ(b.out().find("opened private session"), std::string::npos) << b.out();
    a.write_line("\\trust bobby");
    EXPECT_TRUE(a.expect("bobby's key SHA256:")) << a.out();
}

TEST_F(LyingBrokerTest, OnAFirstMeetingTheSafetyNumbersDiffer) {
    LyingBroker liar(broker_keys());
    auto& a = anna.start(liar.rendezvous(), broker_keys().public_z85);
    auto& b = bobby.start(liar.rendezvous(), broker_keys().public_z85);
    a.write_line("\\fork bobby");
    ASSERT_TRUE(a.expect("private session 1 with bobby open", 10s)) << a.out() << a.err();
    ASSERT_TRUE(b.expect("anna opened private session 1 with you")) << b.out();
    b.write_line("\\sw 1");
    b.write_line("mallory reads this");
    EXPECT_TRUE(a.expect("bobby: mallory reads this")) << "the relay is real";
    const std::string on_anna = safety_number_shown(a, "bobby");
    const std::string on_bobby = safety_number_shown(b, "anna");
    EXPECT_NE(on_anna, on_bobby);
    EXPECT_EQ(on_anna.find("none"), std::string::npos) << on_anna;
    EXPECT_EQ(on_bobby.find("none"), std::string::npos) << on_bobby;
}

}  // namespace
}  // namespace zchat::regression
