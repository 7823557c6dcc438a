// Attack: read the wire. In version 2 without CURVE an observer on the path
// read a private note and the fork token, and with the token answered the
// initiator's next fork as the invited user. Now every link is CURVE: the
// observer here sees every byte on loopback (a packet socket, which is more
// than a relay between two of the parties sees: all links at once) and finds
// no name, text or zchat message in it; and an impostor who knows even the
// token and the initiator's public key cannot take a fork.
//
// The same story with --insecure on both sides is the control: there the
// observer must find everything, or it would not be watching at all.
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <netinet/ip.h>
#include <netinet/tcp.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <set>
#include <sstream>
#include <tuple>

#include "attacker.hpp"
#include "patterns/curve_keys.hpp"
#include "patterns/zap_handler.hpp"

namespace zchat::regression {
namespace {

// Every TCP payload on the loopback interface while it lives, reassembled per
// direction of each connection. Needs CAP_NET_RAW (CI runs as root).
class LoopbackCapture {
  public:
    LoopbackCapture() : fd_(::socket(AF_PACKET, SOCK_DGRAM, htons(ETH_P_IP))) {
        if (fd_ < 0) return;
        const int size = 32 * 1024 * 1024;
        ::setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &size, sizeof size);
        sockaddr_ll at{};
        at.sll_family = AF_PACKET;
        at.sll_protocol = htons(ETH_P_IP);
        at.sll_ifindex = static_cast<int>(::if_nametoindex("lo"));
        ::bind(fd_, reinterpret_cast<sockaddr*>(&at), sizeof at);
        thread_ = std::thread([this] { read_packets(); });
    }
    ~LoopbackCapture() {
        stop();
        if (fd_ >= 0) ::close(fd_);
    }
    bool capturing() const { return fd_ >= 0; }

    // Stops, and returns in sequence order the bytes of every stream with an
    // end on one of PORTS: other tests may be talking on loopback meanwhile.
    std::vector<std::string> streams(const std::set<std::uint16_t>& ports) {
        stop();
        std::vector<std::string> out;
        for (const auto& [flow, segments] : flows_) {
            if (!ports.contains(ntohs(std::get<1>(flow))) &&
                !ports.contains(ntohs(std::get<3>(flow))))
                continue;
            std::string bytes;
            for (const auto& [seq, payload] : segments) bytes += payload;
            out.push_back(std::move(bytes));
        }
        return out;
    }

  private:
    using Flow = std::tuple<std::uint32_t, std::uint16_t, std::uint32_t, std::uint16_t>;

    void stop() {
        done_ = true;
        if (thread_.joinable()) thread_.join();
    }

    void read_packets() {
        char buf[65536];
        while (!done_) {
            pollfd p{fd_, POLLIN, 0};
            if (::poll(&p, 1, 50) <= 0) continue;
            const ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
            if (n > 0) add(buf, static_cast<std::size_t>(n));
        }
    }

    // Loopback shows each packet twice (sent and received): keyed by sequence
    // number, the second copy changes nothing.
    void add(const char* packet, std::size_t size) {
        if (size < sizeof(iphdr)) return;
        const auto* ip = reinterpret_cast<const iphdr*>(packet);
        const std::size_t ip_len = ip->ihl * 4u;
        if (ip->protocol != IPPROTO_TCP || size < ip_len + sizeof(tcphdr)) return;
        const auto* tcp = reinterpret_cast<const tcphdr*>(packet + ip_len);
        const std::size_t header = ip_len + tcp->doff * 4u;
        const std::size_t total = std::min<std::size_t>(size, ntohs(ip->tot_len));
        if (total <= header) return;
        const Flow flow{ip->saddr, tcp->source, ip->daddr, tcp->dest};
        flows_[flow].emplace(ntohl(tcp->seq), std::string(packet + header, total - header));
    }

    int fd_;
    std::atomic<bool> done_{false};
    std::thread thread_;
    std::map<Flow, std::map<std::uint32_t, std::string>> flows_;
};

// The TCP ports PID listens on. Every connection of a chat has one end on a
// listener of its processes. A client's own end is no good as a key: the
// kernel gives the same ephemeral port to other connections to other
// destinations, and a plaintext test running beside this one then showed up
// as a leak. A port with a listener on it is never anyone's ephemeral end.
std::set<std::uint16_t> listening_ports_of(pid_t pid) {
    std::set<std::string> inodes;
    std::error_code ec;
    for (const auto& fd :
         std::filesystem::directory_iterator("/proc/" + std::to_string(pid) + "/fd", ec)) {
        const auto target = std::filesystem::read_symlink(fd.path(), ec).string();
        if (target.starts_with("socket:[")) inodes.insert(target.substr(8, target.size() - 9));
    }
    std::set<std::uint16_t> ports;
    for (const char* table : {"/proc/net/tcp", "/proc/net/tcp6"}) {
        std::ifstream in(table);
        std::string line;
        std::getline(in, line);  // the header
        while (std::getline(in, line)) {
            std::istringstream fields(line);
            std::string slot, local, remote, state, queues, timer, retransmits, uid, timeout, inode;
            fields >> slot >> local >> remote >> state >> queues >> timer >> retransmits >> uid >>
                timeout >> inode;
            constexpr const char* listen_state = "0A";
            if (inodes.contains(inode) && state == listen_state)
                ports.insert(static_cast<std::uint16_t>(
                    std::stoul(local.substr(local.find(':') + 1), nullptr, 16)));
        }
    }
    return ports;
}

// What the observer looks for: texts, names, and the head of every zchat
// body (msgpack fixstr "zc" and the version).
const std::string lobby_secret = "the-lobby-secret-xyzzy";
const std::string private_secret = "the-private-secret-plugh";
const std::string name_a = "observed-anna", name_b = "observed-bobby";
const std::string zchat_body = std::string("\xa2zc\x02", 4);

std::size_t found(const std::vector<std::string>& streams, const std::string& what) {
    return static_cast<std::size_t>(std::count_if(streams.begin(), streams.end(), [&](auto& s) {
        return s.find(what) != std::string::npos;
    }));
}

// Two users chat in the lobby and in a private session while the capture runs.
std::vector<std::string> observe_a_chat(const std::vector<std::string>& security) {
    LoopbackCapture capture;
    if (!capture.capturing()) return {};
    BrokerProcess broker(security);
    ChildProcess anna(cli_args(broker.rendezvous, name_a, security));
    ChildProcess bobby(cli_args(broker.rendezvous, name_b, security));
    EXPECT_TRUE(anna.expect(name_b + " joined the lobby", 10s)) << anna.err();
    EXPECT_TRUE(bobby.expect(name_b + " joined the lobby", 10s)) << bobby.err();
    anna.write_line(lobby_secret);
    EXPECT_TRUE(bobby.expect(lobby_secret));
    bobby.write_line("\\fork " + name_a);
    EXPECT_TRUE(bobby.expect("private session 1 with " + name_a + " open")) << bobby.out();
    bobby.write_line(private_secret);
    EXPECT_TRUE(anna.expect(private_secret)) << anna.out();
    std::set<std::uint16_t> ports;
    for (const pid_t pid : {broker.process.pid(), anna.pid(), bobby.pid()})
        ports.merge(listening_ports_of(pid));
    return capture.streams(ports);
}

TEST(PassiveObserver, SeesNothingOfAChatWithCurve) {
    const auto plain = observe_a_chat({"--insecure"});
    if (plain.empty()) GTEST_SKIP() << "capturing loopback needs CAP_NET_RAW (root)";
    // The control: in plaintext the observer reads everything.
    ASSERT_GT(found(plain, lobby_secret), 0u);
    ASSERT_GT(found(plain, private_secret), 0u);
    ASSERT_GT(found(plain, name_a), 0u);
    ASSERT_GT(found(plain, zchat_body), 0u);

    const auto curve = observe_a_chat({});
    ASSERT_FALSE(curve.empty());
    EXPECT_EQ(found(curve, lobby_secret), 0u);
    EXPECT_EQ(found(curve, private_secret), 0u);
    EXPECT_EQ(found(curve, name_a), 0u);
    EXPECT_EQ(found(curve, name_b), 0u);
    EXPECT_EQ(found(curve, zchat_body), 0u) << "a zchat message went in the clear";
}

// The impostor knows more than any observer could: the fork's endpoint, its
// token and the initiator's public key (carol, the invited user, tells it
// all). With a key of its own it still cannot take the fork; carol can.
TEST(PassiveObserver, AnImpostorWithTheTokenCannotTakeAFork) {
    BrokerProcess broker;
    ChildProcess bobby(cli_args(broker.rendezvous, "bobby"));
    ASSERT_TRUE(bobby.expect("bobby joined the lobby", 10s)) << bobby.err();
    zmq::context_t ctx;
    const auto carol_keys = generate_curve_keys();
    ProtocolPeer carol(ctx, broker.rendezvous, test::PeerCurve{carol_keys, broker.key});
    ASSERT_TRUE(carol.join("carol"));
    bobby.write_line("\\fork carol");
    const auto invite = carol.expect<protocol::Invite>(5s);
    ASSERT_TRUE(invite);

    const auto hello = protocol::encode(protocol::PeerHello{invite->token, "carol"});
    auto plaintext = make_network_socket(ctx, zmq::socket_type::pair);
    plaintext.connect(invite->endpoint);
    (void)plaintext.send(zmq::buffer(hello), zmq::send_flags::dontwait);
    auto keyed = make_network_socket(ctx, zmq::socket_type::pair);
    const auto impostor = generate_curve_keys();
    make_curve_client(keyed, impostor.public_z85, impostor.secret_z85, invite->curve_key);
    keyed.connect(invite->endpoint);
    (void)keyed.send(zmq::buffer(hello), zmq::send_flags::dontwait);
    bobby.settle(1s);
    EXPECT_EQ(bobby.out().find("open"), std::string::npos) << bobby.out();

    auto real = make_network_socket(ctx, zmq::socket_type::pair);
    make_curve_client(real, carol_keys.public_z85, carol_keys.secret_z85, invite->curve_key);
    real.connect(invite->endpoint);
    (void)real.send(zmq::buffer(hello), zmq::send_flags::dontwait);
    EXPECT_TRUE(bobby.expect("private session 1 with carol open", 5s)) << bobby.out();
}

}  // namespace
}  // namespace zchat::regression
