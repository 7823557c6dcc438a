// chat-broker --metrics as an operator scrapes it: a short chat and a handful
// of refused requests, then /metrics shows exactly that many of each.
#include <gtest/gtest.h>
#include <httplib.h>

#include <fstream>
#include <iterator>
#include <msgpack.hpp>
#include <regex>

#include "child_process.hpp"
#include "patterns/limits.hpp"
#include "tests/prometheus_text.hpp"
#include "tests/protocol_peer.hpp"

namespace zchat::e2e {
namespace {

using protocol::ErrorCode;
using test::ProtocolPeer;

const std::string fork_endpoint = "tcp://127.0.0.1:45678";
const std::string fork_token = "0123456789abcdef0123456789abcdef";

// A USERS request from protocol version 1, which this broker does not speak.
std::string old_version_request() {
    msgpack::sbuffer buf;
    msgpack::packer<msgpack::sbuffer> p(buf);
    p.pack_array(4);
    p.pack(std::string(protocol::signature));
    p.pack(1);
    p.pack(7);  // USERS
    p.pack(1);  // cseq
    return {buf.data(), buf.size()};
}

struct Scrape {
    int status = 0;
    std::string content_type;
    test::PrometheusText metrics;
};

Scrape scrape(int port) {
    httplib::Client client("127.0.0.1", port);
    const auto response = client.Get("/metrics");
    if (!response) return {};
    return {response->status, response->get_header_value("Content-Type"),
            test::parse_prometheus(response->body)};
}

std::string refusals(std::string_view code) {
    return "zchat_broker_refusals_total{code=\"" + std::string(code) + "\"}";
}

TEST(BrokerMetrics, AfterAShortChatTheCountersAreExact) {
    BrokerProcess broker({"--metrics", "tcp://127.0.0.1:0", "--fork-burst", "1"});
    ASSERT_TRUE(broker.process.expect("metrics on ")) << broker.process.out();
    ASSERT_TRUE(broker.process.expect("/metrics\n")) << broker.process.out();
    std::smatch m;
    static const std::regex url("metrics on http://127\\.0\\.0\\.1:([0-9]+)/metrics");
    ASSERT_TRUE(std::regex_search(broker.process.out(), m, url)) << broker.process.out();
    const int port = std::stoi(m[1]);

    zmq::context_t ctx;
    const auto keyed = [&](CurveKeys keys = generate_curve_keys()) {
        return test::PeerCurve{keys, broker.key};
    };
    const auto anna_keys = generate_curve_keys();
    ProtocolPeer anna(ctx, broker.rendezvous, keyed(anna_keys)),
        bobby(ctx, broker.rendezvous, keyed());
    ASSERT_TRUE(anna.join("anna"));
    ASSERT_TRUE(bobby.join("bobby"));
    for (int i = 1; i <= 3; ++i) {
        anna.say("hello " + std::to_string(i));
        ASSERT_TRUE(bobby.await_lobby<protocol::LobbyText>());
    }
    ASSERT_TRUE(anna.join_room("#ops"));
    ASSERT_TRUE(bobby.join_room("#ops"));
    anna.say_room("#ops", "in the room");
    ASSERT_TRUE(bobby.await_room<protocol::RoomText>("#ops"));
    // One refusal of each kind a client can earn here, each seen as its ERROR.
    anna.expect_error(ErrorCode::bad_message, anna.say(" "));
    anna.expect_error(ErrorCode::too_large, anna.say(std::string(limits::max_text_bytes + 1, 'x')));
    std::string tall;
    for (std::size_t i = 0; i <= limits::max_text_lines; ++i) tall += "line\n";
    anna.expect_error(ErrorCode::too_many_lines, anna.say(tall));
    anna.expect_error(ErrorCode::self_fork, anna.fork("anna", fork_endpoint, fork_token));
    anna.expect_error(ErrorCode::unknown_peer, anna.fork("nobody", fork_endpoint, fork_token));
    // --fork-burst 1: the first invitation passes, the second at once is refused.
    anna.fork("bobby", fork_endpoint, fork_token);
    ASSERT_TRUE(anna.expect<protocol::ForkOk>());
    anna.expect_error(ErrorCode::rate_limited, anna.fork("bobby", fork_endpoint, fork_token));
    ProtocolPeer stranger(ctx, broker.rendezvous, keyed());
    stranger.expect_error(ErrorCode::not_registered, stranger.say("hi"));
    ProtocolPeer misnamed(ctx, broker.rendezvous, keyed());
    misnamed.send(protocol::Hello{"two words", ""});
    misnamed.expect_error(ErrorCode::bad_name, 0);
    ProtocolPeer old(ctx, broker.rendezvous, keyed());
    old.send_frames({old_version_request()});
    old.expect_error(ErrorCode::bad_version, 0);
    ProtocolPeer carl(ctx, broker.rendezvous, keyed());  // registered, never subscribed
    ASSERT_TRUE(carl.hello("carl"));
    carl.expect_error(ErrorCode::not_joined, carl.say("anyone?"));
    ProtocolPeer twin(ctx, broker.rendezvous, keyed(anna_keys));  // anna's key, elsewhere
    twin.send(protocol::Hello{"twin", ""});
    twin.expect_error(ErrorCode::key_in_use, 0);
    anna.expect_error(ErrorCode::not_in_room, anna.say_room("#elsewhere", "hello?"));
    const double refused_in_all = 12;

    // A snapshot is taken each second: wait (bounded) for one after the chat.
    Scrape s;
    for (const auto deadline = test::Clock::now() + 10s; test::Clock::now() < deadline;) {
        s = scrape(port);
        ASSERT_EQ(s.status, 200);
        ASSERT_EQ(s.metrics.error, "");
        double refused = 0;
        for (const auto& [code, name] : protocol::error_code_names)
            refused += s.metrics[refusals(name)].value_or(0);
        if (refused == refused_in_all) break;
        std::this_thread::sleep_for(100ms);
    }
    EXPECT_EQ(s.content_type, "text/plain; version=0.0.4; charset=utf-8");
    const auto& got = s.metrics;
    EXPECT_EQ(got["zchat_build_info{version=\"" ZCHAT_PROJECT_VERSION "\",protocol=\"" +
                  std::to_string(+protocol::version) + "\"}"],
              1);
    EXPECT_EQ(got["zchat_broker_clients_online"], 2);
    EXPECT_EQ(got["zchat_broker_registrations_total"], 3);
    EXPECT_EQ(got["zchat_broker_lobby_messages_published_total"], 3);
    EXPECT_EQ(got["zchat_broker_room_messages_published_total"], 1);
    EXPECT_EQ(got["zchat_broker_lobby_deliveries_total"], 3 * 2);
    EXPECT_EQ(got["zchat_broker_room_deliveries_total"], 2);
    // Each client's lobby ticket and its two room changes' (applied or not).
    EXPECT_GE(got["zchat_broker_tickets_total{outcome=\"applied\"}"], 4);
    EXPECT_EQ(got["zchat_broker_history_messages"], 3);
    for (const auto& [code, name] : protocol::error_code_names)
        // A hundred rooms, or ten thousand, are too many to make here.
        EXPECT_EQ(got[refusals(name)],
                  code == ErrorCode::busy || code == ErrorCode::too_many_rooms ? 0 : 1)
            << name;
    EXPECT_EQ(got["zchat_broker_rate_limited_total"], 1);
    EXPECT_EQ(got["zchat_broker_unroutable_replies_total"], 0);
    EXPECT_GT(got["process_open_fds"].value_or(0), 0);
    EXPECT_GT(got["process_resident_memory_bytes"].value_or(0), 0);
    EXPECT_GT(got["zchat_broker_uptime_seconds"].value_or(0), 0);

    broker.process.signal(SIGTERM);
    EXPECT_EQ(broker.process.wait_exit(), 0) << broker.process.err();
}

TEST(BrokerMetrics, ATakenMetricsPortIsAOneLineErrorAndExitOne) {
    BrokerProcess first({"--metrics", "tcp://127.0.0.1:0"});
    ASSERT_TRUE(first.process.expect("/metrics\n"));
    std::smatch m;
    static const std::regex url("metrics on http://(127\\.0\\.0\\.1:[0-9]+)/metrics");
    ASSERT_TRUE(std::regex_search(first.process.out(), m, url));
    const std::string taken = "tcp://" + m[1].str();
    ChildProcess second({CHAT_BROKER, "--rendezvous", "tcp://127.0.0.1:*", "--lobby",
                         "tcp://127.0.0.1:*", "--metrics", taken});
    EXPECT_EQ(second.wait_exit(), 1);
    EXPECT_NE(second.err().find("cannot bind metrics endpoint " + taken), std::string::npos)
        << second.err();
}

// What the broker process has mapped, from /proc/PID/maps.
std::string mapped_files(pid_t pid) {
    std::ifstream maps("/proc/" + std::to_string(pid) + "/maps");
    return {std::istreambuf_iterator<char>(maps), {}};
}

TEST(BrokerMetrics, OnlyABrokerAskedForMetricsLoadsHttpAndTls) {
    BrokerProcess plain;  // started: it printed its endpoints and key
    const std::string without = mapped_files(plain.process.pid());
    ASSERT_NE(without.find("libzmq"), std::string::npos) << without;
    for (const char* library : {"zchat-metrics-http", "libcpp-httplib", "libssl", "libcrypto."})
        EXPECT_EQ(without.find(library), std::string::npos) << library << " mapped";

    BrokerProcess metered({"--metrics", "tcp://127.0.0.1:0"});
    ASSERT_TRUE(metered.process.expect("/metrics\n"));
    const std::string with = mapped_files(metered.process.pid());
    for (const char* library : {"zchat-metrics-http", "libcpp-httplib"})
        EXPECT_NE(with.find(library), std::string::npos) << library << " not mapped";
}

}  // namespace
}  // namespace zchat::e2e
