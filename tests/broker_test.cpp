// broker: in-process integration tests over real TCP sockets. A Broker runs on
// its own context and EventLoop thread; test clients are real DEALER+SUB pairs
// speaking the wire protocol by hand (tests/protocol_peer.hpp), so every
// behaviour PROTOCOL.md promises is checked as a client would see it, and every
// kind of hostile input is followed by proof that honest clients still chat.
#include "broker/broker.hpp"

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

#include "patterns/limits.hpp"
#include "patterns/log.hpp"
#include "patterns/network_socket.hpp"
#include "patterns/protocol.hpp"
#include "patterns/utf8.hpp"
#include "tests/protocol_peer.hpp"

namespace zchat::broker {
namespace {

using namespace std::chrono_literals;
using protocol::ErrorCode;
using test::Clock;
using test::ProtocolPeer;

// A fork endpoint and token that pass the broker's checks (it never dials them).
const std::string some_endpoint = "tcp://127.0.0.1:45678";
const std::string some_token = "0123456789abcdef0123456789abcdef";

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
std::string escaped(std::string_view bytes) {
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
std::vector<protocol::LobbyText> lobby_texts(ProtocolPeer& p, std::size_t n) {
    std::vector<protocol::LobbyText> got;
    while (got.size() < n) {
        auto t = p.await_lobby<protocol::LobbyText>();
        if (!t) break;
        got.push_back(std::move(*t));
    }
    return got;
}

std::vector<std::string> names_of(ProtocolPeer& asker) {
    const auto cseq = asker.users();
    auto list = asker.expect<protocol::UserList>();
    if (!list) return {};
    EXPECT_EQ(list->cseq, cseq);
    EXPECT_EQ(list->count, list->names.size());
    return list->names;
}

// ---------------------------------------------------------------- registration

TEST_F(BrokerTest, WelcomeAnnouncesIdentityEndpointAndLimits) {
    start();
    auto anna = peer();
    const auto w = anna.hello("anna");
    ASSERT_TRUE(w);
    EXPECT_EQ(w->name, "anna");
    EXPECT_FALSE(w->renamed);
    EXPECT_GT(w->id, 0u);
    EXPECT_EQ(w->lobby_endpoint, lobby_);
    const std::string prefix = "w/" + std::to_string(w->id) + ".";
    ASSERT_TRUE(w->welcome_topic.starts_with(prefix)) << w->welcome_topic;
    const std::string secret = w->welcome_topic.substr(prefix.size());
    EXPECT_EQ(secret.size(), 12u) << "48 random bits in hex";
    EXPECT_EQ(secret.find_first_not_of("0123456789abcdef"), std::string::npos) << secret;
    EXPECT_GT(w->epoch, 0u);
    EXPECT_FALSE(w->broker_id.empty());
    EXPECT_EQ(w->max_text, limits::max_text_bytes);
    EXPECT_EQ(w->rate, limits::default_rate_per_s);
    EXPECT_EQ(w->burst, limits::default_burst);
    EXPECT_EQ(w->heartbeat_ms, 100u);
    EXPECT_EQ(w->timeout_ms, 1500u);

    anna.subscribe(*w);
    const auto joined = anna.expect<protocol::Joined>();  // no history yet
    ASSERT_TRUE(joined);
    EXPECT_EQ(joined->epoch, w->epoch);
    EXPECT_EQ(joined->last_seq, 0u);
    const auto notice = anna.await_lobby<protocol::Notice>();
    ASSERT_TRUE(notice);
    EXPECT_EQ(notice->event, "joined");
    EXPECT_EQ(notice->name, "anna");
    EXPECT_EQ(notice->reason, "");
    EXPECT_EQ(notice->epoch, w->epoch);
    EXPECT_EQ(notice->seq, joined->last_seq + 1);

    auto bobby = peer();
    const auto w2 = bobby.hello("bobby");
    ASSERT_TRUE(w2);
    EXPECT_NE(w2->id, w->id);
    EXPECT_NE(w2->welcome_topic, w->welcome_topic);
    EXPECT_EQ(w2->epoch, w->epoch);
}

TEST_F(BrokerTest, TakenNamesGetTheFirstFreeSuffix) {
    start();
    auto first = peer(), second = peer(), third = peer(), fourth = peer();
    ASSERT_TRUE(first.join("anna"));
    ASSERT_TRUE(second.join("anna"));  // joined, so its leave is announced
    ASSERT_TRUE(third.join("anna"));
    const auto w2 = second.welcome();
    const auto w3 = third.welcome();
    ASSERT_TRUE(w2 && w3);
    EXPECT_FALSE(first.welcome()->renamed);
    EXPECT_EQ(w2->name, "anna_2");
    EXPECT_TRUE(w2->renamed);
    EXPECT_EQ(w3->name, "anna_3");
    EXPECT_TRUE(w3->renamed);

    // A name is free again once its user has left.
    second.send(protocol::Bye{"bye"});
    ASSERT_TRUE(first.await_lobby<protocol::Notice>(
        [](const protocol::Notice& n) { return n.event == "left" && n.name == "anna_2"; }));
    const auto w4 = fourth.hello("anna");
    ASSERT_TRUE(w4);
    EXPECT_EQ(w4->name, "anna_2");
}

TEST_F(BrokerTest, SuffixedLongNamesStayWithinTheLimitAndValid) {
    start();
    std::string e_acute_15;  // é is two bytes: 30 in all
    for (int i = 0; i < 15; ++i) e_acute_15 += "\xc3\xa9";
    // The base is shortened to make room for "_2", never inside a UTF-8 sequence.
    const std::vector<std::pair<std::string, std::string>> cases = {
        {std::string(limits::max_name_bytes, 'x'), std::string(30, 'x') + "_2"},
        {"a" + e_acute_15, "a" + e_acute_15.substr(0, 28) + "_2"},
    };
    for (const auto& [name, suffixed] : cases) {
        SCOPED_TRACE(escaped(name));
        auto owner = peer(), other = peer();
        ASSERT_TRUE(owner.hello(name));
        const auto w = other.hello(name);
        ASSERT_TRUE(w);
        EXPECT_TRUE(w->renamed);
        EXPECT_EQ(w->name, suffixed) << escaped(w->name);
        EXPECT_LE(w->name.size(), limits::max_name_bytes);
        EXPECT_TRUE(utf8::valid(w->name)) << escaped(w->name);
    }
}

TEST_F(BrokerTest, InvalidNamesAreRefusedAndNothingIsRegistered) {
    start();
    const std::vector<std::string> invalid = {
        std::string(),
        std::string(limits::max_name_bytes + 1, 'a'),
        "an na",
        "an\tna",
        std::string("an\x01na"),
        std::string("an\x7fna"),
        "an\xc2\x85na",  // C1 control NEL
        "\\anna",
        "\xff\xfe",
        "an\xc3",        // truncated sequence
        "\xc0\xaf",      // overlong '/'
        "\xed\xa0\x80",  // UTF-16 surrogate
        std::string("a\0b", 3),
    };
    for (const auto& name : invalid) {
        SCOPED_TRACE(escaped(name));
        auto p = peer();
        p.send(protocol::Hello{name});
        p.expect_error(ErrorCode::bad_name, 0);
        p.expect_error(ErrorCode::not_registered, p.users());
    }
    const auto& broker = stopped_broker();
    EXPECT_EQ(broker.online(), 0u);
    EXPECT_EQ(broker.stats().registered, 0u);
}

// ------------------------------------------------------------------------ lobby

TEST_F(BrokerTest, SayReachesEveryoneInOrderUnderTheSpeakersName) {
    start();
    auto anna = peer(), bobby = peer(), carmen = peer();
    ASSERT_TRUE(anna.join("anna"));
    ASSERT_TRUE(bobby.join("bobby"));
    ASSERT_TRUE(carmen.join("carmen"));
    for (int i = 1; i <= 5; ++i) anna.say("line " + std::to_string(i));

    for (auto* reader : {&bobby, &carmen}) {
        SCOPED_TRACE(reader->name());
        const auto texts = lobby_texts(*reader, 5);
        ASSERT_EQ(texts.size(), 5u);
        for (std::size_t i = 0; i < texts.size(); ++i) {
            EXPECT_EQ(texts[i].text, "line " + std::to_string(i + 1));
            EXPECT_EQ(texts[i].from, "anna");
            EXPECT_EQ(texts[i].from_id, anna.id());
            EXPECT_EQ(texts[i].epoch, anna.welcome()->epoch);
            EXPECT_GT(texts[i].ts_us, 0u);
            if (i > 0) {
                EXPECT_GT(texts[i].seq, texts[i - 1].seq);
            }
        }
    }

    // SAY has no author field: the broker stamps the registered name, whatever
    // the text pretends.
    bobby.say("anna: I am anna");
    const auto forged = carmen.await_lobby<protocol::LobbyText>();
    ASSERT_TRUE(forged);
    EXPECT_EQ(forged->from, "bobby");
    EXPECT_EQ(forged->from_id, bobby.id());
}

TEST_F(BrokerTest, MultiLineTextArrivesWhole) {
    start();
    auto anna = peer(), bobby = peer();
    ASSERT_TRUE(anna.join("anna"));
    ASSERT_TRUE(bobby.join("bobby"));
    const std::string text = "first line\nsecond line\n\tindented\n\nafter a blank line\n";
    anna.say(text);
    const auto got = bobby.await_lobby<protocol::LobbyText>();
    ASSERT_TRUE(got);
    EXPECT_EQ(got->text, text);
}

TEST_F(BrokerTest, TextOfExactlyTheLimitIsPublished) {
    start();
    auto anna = peer(), bobby = peer();
    ASSERT_TRUE(anna.join("anna"));
    ASSERT_TRUE(bobby.join("bobby"));
    const std::string text(limits::max_text_bytes, 'm');
    anna.say(text);
    const auto got = bobby.await_lobby<protocol::LobbyText>();
    ASSERT_TRUE(got);
    EXPECT_EQ(got->text, text);
}

TEST_F(BrokerTest, TextOverTheLimitOrEmptyIsRefusedAndNotPublished) {
    start();
    auto anna = peer(), bobby = peer();
    ASSERT_TRUE(anna.join("anna"));
    ASSERT_TRUE(bobby.join("bobby"));
    anna.expect_error(ErrorCode::too_large, anna.say(std::string(limits::max_text_bytes + 1, 'o')));
    anna.expect_error(ErrorCode::bad_message, anna.say(""));
    EXPECT_TRUE(chat_works(anna, bobby));
}

// --------------------------------------------------------------- users and forks

TEST_F(BrokerTest, UsersListsEveryOnlineName) {
    start();
    auto anna = peer(), bobby = peer(), carmen = peer();
    ASSERT_TRUE(anna.join("anna"));
    ASSERT_TRUE(bobby.join("bobby"));
    ASSERT_TRUE(carmen.join("carmen"));
    EXPECT_EQ(names_of(carmen), (std::vector<std::string>{"anna", "bobby", "carmen"}));
}

// One reply holds at most limits::max_listed_users names; count tells the truth.
TEST_F(BrokerTest, UserListIsCappedButCountsEveryone) {
    start();
    const std::size_t users = limits::max_listed_users + 1;
    std::vector<ProtocolPeer> peers;
    for (std::size_t i = 0; i < users; ++i) {
        peers.push_back(peer());
        peers.back().send(protocol::Hello{"u" + std::to_string(i)});
    }
    for (auto& p : peers) ASSERT_TRUE(p.expect<protocol::Welcome>());
    const auto cseq = peers.front().users();
    const auto list = peers.front().expect<protocol::UserList>();
    ASSERT_TRUE(list);
    EXPECT_EQ(list->cseq, cseq);
    EXPECT_EQ(list->count, users);
    EXPECT_EQ(list->names.size(), limits::max_listed_users);
    EXPECT_TRUE(std::is_sorted(list->names.begin(), list->names.end()));
    EXPECT_EQ(std::set<std::string>(list->names.begin(), list->names.end()).size(),
              list->names.size());
}

TEST_F(BrokerTest, ForkToAnUnknownNameIsRefused) {
    start();
    auto anna = peer();
    ASSERT_TRUE(anna.join("anna"));
    anna.expect_error(ErrorCode::unknown_peer, anna.fork("nobody", some_endpoint, some_token));
}

TEST_F(BrokerTest, ForkToOneselfIsRefused) {
    start();
    auto anna = peer();
    ASSERT_TRUE(anna.join("anna"));
    anna.expect_error(ErrorCode::self_fork, anna.fork("anna", some_endpoint, some_token));
}

TEST_F(BrokerTest, ForkRelaysTheInviteAndConfirms) {
    start();
    auto anna = peer(), bobby = peer();
    ASSERT_TRUE(anna.join("anna"));
    ASSERT_TRUE(bobby.join("bobby"));
    const auto cseq = anna.fork("bobby", some_endpoint, some_token);
    const auto invite = bobby.expect<protocol::Invite>();
    ASSERT_TRUE(invite);
    EXPECT_EQ(invite->from, "anna");
    EXPECT_EQ(invite->endpoint, some_endpoint);
    EXPECT_EQ(invite->token, some_token);
    EXPECT_EQ(invite->curve_key, "");
    const auto ok = anna.expect<protocol::ForkOk>();
    ASSERT_TRUE(ok);
    EXPECT_EQ(ok->cseq, cseq);
    EXPECT_EQ(ok->peer, "bobby");
}

TEST_F(BrokerTest, ForkWithABadEndpointOrTokenIsABadMessage) {
    start();
    auto anna = peer(), bobby = peer();
    ASSERT_TRUE(anna.join("anna"));
    ASSERT_TRUE(bobby.join("bobby"));
    const std::vector<std::pair<std::string, std::string>> bad = {
        {"", some_token},
        {"ipc:///tmp/zchat", some_token},
        {"udp://127.0.0.1:45678", some_token},
        {"tcp:/127.0.0.1:45678", some_token},
        {"tcp://" + std::string(limits::max_endpoint_bytes, 'h'), some_token},
        {some_endpoint, ""},
        {some_endpoint, std::string(limits::max_token_bytes + 1, 't')},
    };
    for (const auto& [endpoint, token] : bad) {
        SCOPED_TRACE(escaped(endpoint) + " " + escaped(token));
        anna.expect_error(ErrorCode::bad_message, anna.fork("bobby", endpoint, token));
    }
    anna.send(protocol::Fork{99, "bobby", some_endpoint, some_token,
                             std::string(limits::max_key_bytes + 1, 'k')});
    anna.expect_error(ErrorCode::bad_message, 99);

    // None of them was relayed: the first thing bobby hears is the valid one,
    // every field of it as long as the limits allow.
    const protocol::Fork longest{
        100, "bobby", "tcp://" + std::string(limits::max_endpoint_bytes - 6, 'h'),
        std::string(limits::max_token_bytes, 't'), std::string(limits::max_key_bytes, 'k')};
    anna.send(longest);
    const auto invite = bobby.expect<protocol::Invite>();
    ASSERT_TRUE(invite);
    EXPECT_EQ(invite->endpoint, longest.endpoint);
    EXPECT_EQ(invite->token, longest.token);
    EXPECT_EQ(invite->curve_key, longest.curve_key);
    const auto ok = anna.expect<protocol::ForkOk>();
    ASSERT_TRUE(ok);
    EXPECT_EQ(ok->cseq, 100u);
}

// ---------------------------------------------------------------------- history

TEST_F(BrokerTest, NewcomerGetsTheLastHistoryInOrderThenJoined) {
    auto options = fast_options();
    options.history = 3;
    start(options);
    auto anna = peer(), bobby = peer();
    ASSERT_TRUE(anna.join("anna"));
    for (int i = 1; i <= 5; ++i) anna.say("line " + std::to_string(i));
    // Once anna has seen all five, the broker has published them all.
    const auto published = lobby_texts(anna, 5);
    ASSERT_EQ(published.size(), 5u);

    ASSERT_TRUE(bobby.join("bobby"));
    const auto& history = bobby.history();
    ASSERT_EQ(history.size(), 3u);
    for (std::size_t i = 0; i < history.size(); ++i) {
        const auto& sent = published[i + 2];
        EXPECT_EQ(history[i].seq, sent.seq);
        EXPECT_EQ(history[i].ts_us, sent.ts_us);
        EXPECT_EQ(history[i].from, "anna");
        EXPECT_EQ(history[i].text, sent.text);
    }
    EXPECT_EQ(bobby.joined()->epoch, anna.welcome()->epoch);
    EXPECT_EQ(bobby.joined()->last_seq, published.back().seq);
}

// BUG (broker/broker.cpp:232-233, Broker::join): the broker writes every
// HISTORY and then JOINED in one burst of non-blocking sends on a ROUTER whose
// send queue holds libzmq's default 1000 messages. chat-broker accepts
// --history up to 10000 (broker/main.cpp:33-35), so a newcomer's history
// outruns the queue: HISTORY entries (and at times JOINED itself, leaving the
// client never joined) are dropped and only counted in Stats.unroutable.
// Expected: all of them arrive. This test fails until the broker sizes the
// queue for its history (or paces it, or the option is capped below the queue).
TEST_F(BrokerTest, HistoryAsLongAsTheBrokerAllowsArrivesWhole) {
    constexpr std::size_t longest_history = 10000;  // chat-broker --history maximum
    auto options = fast_options();
    options.history = longest_history;
    options.rate = options.burst = 1000000;  // anna fills the history at once
    start(options);
    auto anna = peer(), bobby = peer();
    ASSERT_TRUE(anna.join("anna"));
    for (std::size_t i = 1; i <= longest_history; ++i) anna.say(std::to_string(i));
    const auto published = lobby_texts(anna, longest_history);
    ASSERT_EQ(published.size(), longest_history);

    EXPECT_TRUE(bobby.join("bobby"));
    const auto& history = bobby.history();
    EXPECT_EQ(history.size(), longest_history);
    for (std::size_t i = 1; i < history.size(); ++i) {
        if (history[i].seq != history[i - 1].seq + 1) {
            ADD_FAILURE() << "history jumps from seq " << history[i - 1].seq << " to "
                          << history[i].seq;
            break;
        }
    }
    EXPECT_EQ(stopped_broker().stats().unroutable, 0u) << "replies dropped by the broker";
}

// --------------------------------------------------------------------- liveness

TEST_F(BrokerTest, SilentClientIsDroppedAfterTheTimeout) {
    auto options = fast_options();
    options.client_timeout = 600ms;
    start(options);
    auto anna = peer(), bobby = peer();
    ASSERT_TRUE(anna.join("anna"));
    ASSERT_TRUE(bobby.join("bobby"));
    // From here bobby says nothing; anna PINGs while she waits.
    const auto left = anna.await_lobby<protocol::Notice>(
        [](const protocol::Notice& n) { return n.event == "left" && n.name == "bobby"; },
        options.client_timeout + test::reply_limit);
    ASSERT_TRUE(left);
    EXPECT_GE(Clock::now() - bobby.last_sent(), options.client_timeout);
    EXPECT_TRUE(left->reason.starts_with("timed out")) << left->reason;
    EXPECT_EQ(names_of(anna), std::vector<std::string>{"anna"});
    bobby.expect_error(ErrorCode::not_registered, bobby.users());
}

TEST_F(BrokerTest, ByeLeavesWithReasonQuit) {
    start();
    auto anna = peer(), bobby = peer();
    ASSERT_TRUE(anna.join("anna"));
    ASSERT_TRUE(bobby.join("bobby"));
    bobby.send(protocol::Bye{"done for today"});
    const auto left = anna.await_lobby<protocol::Notice>(
        [](const protocol::Notice& n) { return n.event == "left"; });
    ASSERT_TRUE(left);
    EXPECT_EQ(left->name, "bobby");
    EXPECT_EQ(left->reason, "quit");
    EXPECT_EQ(names_of(anna), std::vector<std::string>{"anna"});
    bobby.expect_error(ErrorCode::not_registered, bobby.users());
}

TEST_F(BrokerTest, ClosedSubLeavesWithReasonDisconnected) {
    start();
    auto anna = peer(), bobby = peer();
    ASSERT_TRUE(anna.join("anna"));
    ASSERT_TRUE(bobby.join("bobby"));
    bobby.close_sub();
    const auto left = anna.await_lobby<protocol::Notice>(
        [](const protocol::Notice& n) { return n.event == "left"; });
    ASSERT_TRUE(left);
    EXPECT_EQ(left->name, "bobby");
    EXPECT_EQ(left->reason, "disconnected");
    bobby.expect_error(ErrorCode::not_registered, bobby.users());
}

TEST_F(BrokerTest, BeatsArriveOnTheLobby) {
    start();
    auto anna = peer();
    ASSERT_TRUE(anna.join("anna"));
    for (int i = 0; i < 2; ++i) {
        const auto beat = anna.await_lobby<protocol::Beat>();
        ASSERT_TRUE(beat);
        EXPECT_EQ(beat->epoch, anna.welcome()->epoch);
        EXPECT_EQ(beat->last_seq, anna.joined()->last_seq + 1) << "anna's own NOTICE joined";
        EXPECT_EQ(beat->broker_id, anna.welcome()->broker_id);
    }
}

// ------------------------------------------------------------------------ flood

TEST_F(BrokerTest, FloodIsRefusedNotSilentlyDropped) {
    auto options = fast_options();
    options.rate = 10;
    options.burst = 20;
    start(options);
    auto anna = peer(), bobby = peer();
    ASSERT_TRUE(anna.join("anna"));
    ASSERT_TRUE(bobby.join("bobby"));
    constexpr int sent = 100;
    for (int i = 1; i <= sent; ++i) anna.say(std::to_string(i));
    // An empty frame is refused before the bucket is consulted: its ERROR marks
    // the end of the replies to the flood on anna's DEALER.
    anna.send_frames({""});

    std::set<std::uint64_t> refused;
    for (;;) {
        const auto e = anna.expect<protocol::Error>();
        ASSERT_TRUE(e);
        if (e->code == static_cast<std::uint32_t>(ErrorCode::bad_message)) break;
        EXPECT_EQ(e->code, static_cast<std::uint32_t>(ErrorCode::rate_limited)) << e->reason;
        EXPECT_TRUE(refused.insert(e->cseq).second) << "refused twice: " << e->cseq;
    }
    // Every SAY not refused must be published: nothing silently dropped.
    const auto texts = lobby_texts(bobby, sent - refused.size());
    ASSERT_EQ(texts.size() + refused.size(), static_cast<std::size_t>(sent));
    for (const auto& t : texts) EXPECT_FALSE(refused.contains(std::stoull(t.text))) << t.text;

    // The whole flood reaches the broker within milliseconds, far less than
    // the 100 ms the bucket needs to earn a token back: exactly the burst passes.
    EXPECT_EQ(texts.size(), 20u);
    EXPECT_EQ(refused.size(), 80u);
    EXPECT_EQ(stopped_broker().stats().rate_limited, 80u);
    EXPECT_EQ(broker_->stats().published, 20u);
}

// -------------------------------------------------------------- hostile input

using Packer = msgpack::packer<msgpack::sbuffer>;

std::string packed(const std::function<void(Packer&)>& fill) {
    msgpack::sbuffer buf;
    Packer p(buf);
    fill(p);
    return {buf.data(), buf.size()};
}

// ["zc", 1, KIND, FIELDS...]: a valid envelope around fields the test packs,
// to break the rules that encode() always keeps.
std::string envelope(std::uint64_t kind, std::uint32_t fields,
                     const std::function<void(Packer&)>& fill) {
    return packed([&](Packer& p) {
        p.pack_array(3 + fields);
        p.pack(std::string(protocol::signature));
        p.pack(protocol::version);
        p.pack(kind);
        fill(p);
    });
}

constexpr std::uint64_t hello_kind = 1, say_kind = 6, users_kind = 7, fork_kind = 9, bye_kind = 12;

TEST_F(BrokerTest, RandomFramesAreRefused) {
    start();
    auto anna = peer(), bobby = peer(), stranger = peer();
    ASSERT_TRUE(anna.join("anna"));
    ASSERT_TRUE(bobby.join("bobby"));
    std::mt19937 rng(20240601);  // fixed: a failure must replay
    std::uniform_int_distribution<int> byte(0, 255), length(1, 400);
    for (auto* sender : {&stranger, &anna}) {
        for (int i = 0; i < 200; ++i) {
            std::string frame(static_cast<std::size_t>(length(rng)), '\0');
            for (auto& c : frame) c = static_cast<char>(byte(rng));
            sender->send_frames({frame});
            SCOPED_TRACE(escaped(frame.substr(0, 16)));
            sender->expect_error(ErrorCode::bad_message, 0);
        }
    }
    EXPECT_TRUE(chat_works(anna, bobby));
}

TEST_F(BrokerTest, TruncatedMessagesAreRefused) {
    start();
    auto anna = peer(), bobby = peer();
    ASSERT_TRUE(anna.join("anna"));
    ASSERT_TRUE(bobby.join("bobby"));
    for (const auto& m :
         {protocol::Message{protocol::Say{7, "this text is cut short"}},
          protocol::Message{protocol::Fork{8, "bobby", some_endpoint, some_token, ""}}}) {
        const std::string body = protocol::encode(m);
        for (std::size_t n = 1; n < body.size(); ++n) {
            SCOPED_TRACE(n);
            anna.send_frames({body.substr(0, n)});
            anna.expect_error(ErrorCode::bad_message, 0);
        }
    }
    EXPECT_TRUE(chat_works(anna, bobby));
}

TEST_F(BrokerTest, WrongFieldTypesAndBrokenEnvelopesAreRefused) {
    start();
    auto anna = peer(), bobby = peer();
    ASSERT_TRUE(anna.join("anna"));
    ASSERT_TRUE(bobby.join("bobby"));
    struct Case {
        const char* what;
        std::string body;
        ErrorCode code = ErrorCode::bad_message;
    };
    const std::vector<Case> cases = {
        {"SAY cseq as str", envelope(say_kind, 2,
                                     [](Packer& p) {
                                         p.pack("1");
                                         p.pack("hi");
                                     })},
        {"SAY cseq negative", envelope(say_kind, 2,
                                       [](Packer& p) {
                                           p.pack(-1);
                                           p.pack("hi");
                                       })},
        {"SAY cseq float", envelope(say_kind, 2,
                                    [](Packer& p) {
                                        p.pack(1.5);
                                        p.pack("hi");
                                    })},
        {"SAY cseq nil", envelope(say_kind, 2,
                                  [](Packer& p) {
                                      p.pack_nil();
                                      p.pack("hi");
                                  })},
        {"SAY text as int", envelope(say_kind, 2,
                                     [](Packer& p) {
                                         p.pack(1);
                                         p.pack(42);
                                     })},
        {"SAY text as bin", envelope(say_kind, 2,
                                     [](Packer& p) {
                                         p.pack(1);
                                         p.pack_bin(2);
                                         p.pack_bin_body("hi", 2);
                                     })},
        {"SAY text as map", envelope(say_kind, 2,
                                     [](Packer& p) {
                                         p.pack(1);
                                         p.pack_map(0);
                                     })},
        {"SAY text as ext", envelope(say_kind, 2,
                                     [](Packer& p) {
                                         p.pack(1);
                                         p.pack_ext(1, 5);
                                         p.pack_ext_body("x", 1);
                                     })},
        {"SAY text as array", envelope(say_kind, 2,
                                       [](Packer& p) {
                                           p.pack(1);
                                           p.pack_array(1);
                                           p.pack("hi");
                                       })},
        {"SAY missing its text", envelope(say_kind, 1, [](Packer& p) { p.pack(1); })},
        {"SAY with an extra field", envelope(say_kind, 3,
                                             [](Packer& p) {
                                                 p.pack(1);
                                                 p.pack("hi");
                                                 p.pack("more");
                                             })},
        {"USERS cseq as bool", envelope(users_kind, 1, [](Packer& p) { p.pack(true); })},
        {"HELLO name as array", envelope(hello_kind, 1,
                                         [](Packer& p) {
                                             p.pack_array(1);
                                             p.pack("anna");
                                         })},
        {"FORK peer as bool", envelope(fork_kind, 5,
                                       [](Packer& p) {
                                           p.pack(1);
                                           p.pack(true);
                                           p.pack(some_endpoint);
                                           p.pack(some_token);
                                           p.pack("");
                                       })},
        {"BYE reason as int", envelope(bye_kind, 1, [](Packer& p) { p.pack(3); })},
        {"kind as str", packed([](Packer& p) {
             p.pack_array(5);
             p.pack("zc");
             p.pack(1);
             p.pack("SAY");
             p.pack(1);
             p.pack("hi");
         })},
        {"wrong signature", packed([](Packer& p) {
             p.pack_array(5);
             p.pack("zz");
             p.pack(1);
             p.pack(6);
             p.pack(1);
             p.pack("hi");
         })},
        {"signature as bin", packed([](Packer& p) {
             p.pack_array(5);
             p.pack_bin(2);
             p.pack_bin_body("zc", 2);
             p.pack(1);
             p.pack(6);
             p.pack(1);
             p.pack("hi");
         })},
        {"no signature", packed([](Packer& p) {
             p.pack_array(4);
             p.pack(1);
             p.pack(6);
             p.pack(1);
             p.pack("hi");
         })},
        {"bare str", packed([](Packer& p) { p.pack("zc"); })},
        {"map body", packed([](Packer& p) {
             p.pack_map(1);
             p.pack("zc");
             p.pack(1);
         })},
        {"empty array", packed([](Packer& p) { p.pack_array(0); })},
        {"nested 100 deep", std::string(100, '\x91') + '\x01'},
        {"array claiming 2^32-1 elements", std::string("\xdd\xff\xff\xff\xff", 5)},
        {"str claiming 4 GiB", std::string("\xdb\xff\xff\xff\xff", 5) + "zc"},
        {"trailing bytes", protocol::encode(protocol::Say{1, "hi"}) + "x"},
        {"version 0", packed([](Packer& p) {
             p.pack_array(5);
             p.pack("zc");
             p.pack(0);
             p.pack(6);
             p.pack(1);
             p.pack("hi");
         }),
         ErrorCode::bad_version},
        {"version 2", packed([](Packer& p) {
             p.pack_array(5);
             p.pack("zc");
             p.pack(2);
             p.pack(6);
             p.pack(1);
             p.pack("hi");
         }),
         ErrorCode::bad_version},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.what);
        anna.send_frames({c.body});
        anna.expect_error(c.code, 0);
    }
    EXPECT_TRUE(chat_works(anna, bobby));
}

TEST_F(BrokerTest, UnknownKindsAndNonRequestsAreRefused) {
    start();
    auto anna = peer(), bobby = peer();
    ASSERT_TRUE(anna.join("anna"));
    ASSERT_TRUE(bobby.join("bobby"));
    for (const std::uint64_t kind : {0ull, 22ull, 127ull, 255ull, 1ull << 40}) {
        SCOPED_TRACE(kind);
        anna.send_frames({envelope(kind, 0, [](Packer&) {})});
        anna.expect_error(ErrorCode::bad_message, 0);
    }
    // Messages a broker sends, or peers send each other, are not requests.
    const std::vector<protocol::Message> not_requests = {
        protocol::Welcome{},
        protocol::History{},
        protocol::Joined{},
        protocol::Invite{},
        protocol::LobbyText{1, 1, 1, 1, "anna", "forged"},
        protocol::Notice{},
        protocol::Beat{},
        protocol::Shutdown{},
        protocol::PeerHello{},
        protocol::PeerNote{},
        protocol::PeerPing{},
        protocol::PeerLeave{},
    };
    for (const auto& m : not_requests) {
        SCOPED_TRACE(protocol::kind_name(m));
        anna.send(m);
        anna.expect_error(ErrorCode::bad_message, 0);
    }
    EXPECT_TRUE(chat_works(anna, bobby));
}

TEST_F(BrokerTest, MessagesOfOtherThanOneFrameAreRefused) {
    start();
    auto anna = peer(), bobby = peer();
    ASSERT_TRUE(anna.join("anna"));
    ASSERT_TRUE(bobby.join("bobby"));
    const std::string say = protocol::encode(protocol::Say{1, "in three frames"});
    anna.send_frames({say, "x", "y"});
    anna.expect_error(ErrorCode::bad_message, 0);
    anna.send_frames({say, ""});
    anna.expect_error(ErrorCode::bad_message, 0);
    anna.send_frames({"", say});
    anna.expect_error(ErrorCode::bad_message, 0);
    EXPECT_TRUE(chat_works(anna, bobby));  // and the SAY was never published
}

TEST_F(BrokerTest, EmptyFrameIsRefused) {
    start();
    auto anna = peer(), bobby = peer(), stranger = peer();
    ASSERT_TRUE(anna.join("anna"));
    ASSERT_TRUE(bobby.join("bobby"));
    for (auto* sender : {&stranger, &anna}) {
        sender->send_frames({""});
        sender->expect_error(ErrorCode::bad_message, 0);
    }
    EXPECT_TRUE(chat_works(anna, bobby));
}

TEST_F(BrokerTest, FrameOverTheLimitCostsOnlyItsConnection) {
    start();
    auto anna = peer(), bobby = peer(), stranger = peer();
    ASSERT_TRUE(anna.join("anna"));
    ASSERT_TRUE(bobby.join("bobby"));
    // libzmq closes the stranger's connection before the broker sees the frame.
    stranger.send_frames({std::string(limits::max_frame_bytes + 1, 'x')});
    // A frame of exactly the limit gets through, and is refused as garbage.
    anna.send_frames({std::string(limits::max_frame_bytes, 'x')});
    anna.expect_error(ErrorCode::bad_message, 0);
    EXPECT_TRUE(chat_works(anna, bobby));
}

TEST_F(BrokerTest, StrangersAreRefusedAndLeaveNoState) {
    start();
    auto anna = peer(), bobby = peer(), stranger = peer();
    ASSERT_TRUE(anna.join("anna"));
    ASSERT_TRUE(bobby.join("bobby"));
    stranger.send(protocol::Ping{});
    stranger.expect_error(ErrorCode::not_registered, 0);
    stranger.expect_error(ErrorCode::not_registered, stranger.say("let me in"));
    stranger.expect_error(ErrorCode::not_registered, stranger.users());
    stranger.expect_error(ErrorCode::not_registered,
                          stranger.fork("anna", some_endpoint, some_token));
    stranger.send(protocol::Bye{"never here"});
    stranger.expect_error(ErrorCode::not_registered, 0);
    stranger.send(protocol::LobbyText{1, 1, 1, 1, "anna", "forged"});
    stranger.expect_error(ErrorCode::not_registered, 0);

    EXPECT_EQ(names_of(anna), (std::vector<std::string>{"anna", "bobby"}));
    EXPECT_TRUE(chat_works(anna, bobby));
    const auto& broker = stopped_broker();
    EXPECT_EQ(broker.online(), 2u);
    EXPECT_EQ(broker.stats().registered, 2u);
}

// A plain TCP connection to 127.0.0.1:PORT of ENDPOINT, or -1.
int tcp_connect(const std::string& endpoint) {
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
std::vector<std::string> non_zmtp_streams() {
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

// libzmq keeps some of these connections open, waiting for more bytes (or reads
// them as ZMTP 1.0 frames): the broker must serve others meanwhile, and after.
TEST_F(BrokerTest, RawNonZmtpBytesOnBothPortsAreHarmless) {
    start();
    auto anna = peer(), bobby = peer();
    ASSERT_TRUE(anna.join("anna"));
    ASSERT_TRUE(bobby.join("bobby"));
    std::vector<int> fds;
    for (const auto& endpoint : {rendezvous_, lobby_}) {
        for (const auto& bytes : non_zmtp_streams()) {
            SCOPED_TRACE(endpoint + " " + escaped(bytes.substr(0, 16)));
            const int fd = tcp_connect(endpoint);
            ASSERT_GE(fd, 0) << "cannot connect";
            fds.push_back(fd);
            EXPECT_EQ(::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL),
                      static_cast<ssize_t>(bytes.size()));
        }
    }
    EXPECT_TRUE(chat_works(anna, bobby)) << "while the garbage connections are open";
    for (const int fd : fds) ::close(fd);
    EXPECT_TRUE(chat_works(anna, bobby)) << "after they closed";
    EXPECT_EQ(names_of(anna), (std::vector<std::string>{"anna", "bobby"}));
}

// Opens BATCH dealers, sends one garbage frame from each, waits (bounded) for
// every ERROR, closes them all. Returns how many got their ERROR bad_message.
int garbage_batch(zmq::context_t& ctx, const std::string& endpoint, int batch) {
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

TEST_F(BrokerTest, ConnectionStormOfGarbageLeavesNoStateBehind) {
    auto options = fast_options();
    options.client_timeout = 10s;  // anna and bobby wait out the storm silently
    start(options);
    auto anna = peer(), bobby = peer();
    ASSERT_TRUE(anna.join("anna"));
    ASSERT_TRUE(bobby.join("bobby"));
    constexpr int connections = 2000, batch = 100;
    int answered = 0;
    for (int done = 0; done < connections; done += batch)
        answered += garbage_batch(clients_, rendezvous_, batch);
    EXPECT_EQ(answered, connections);

    EXPECT_EQ(names_of(anna), (std::vector<std::string>{"anna", "bobby"}));
    EXPECT_TRUE(chat_works(anna, bobby));
    const auto& broker = stopped_broker();
    EXPECT_EQ(broker.online(), 2u);
    EXPECT_EQ(broker.stats().registered, 2u);
}

// ------------------------------------------------------------- vanished clients

TEST_F(BrokerTest, ReplyToAVanishedClientIsNotFatal) {
    start();
    auto anna = peer(), bobby = peer(), carmen = peer();
    ASSERT_TRUE(anna.join("anna"));
    ASSERT_TRUE(bobby.join("bobby"));

    // Racy by nature: the reply to USERS finds the DEALER gone, or just leaving.
    for (int i = 0; i < 20; ++i) {
        auto ghost = peer();
        ASSERT_TRUE(ghost.hello("ghost"));
        ghost.users();
        ghost.dealer().set(zmq::sockopt::linger, 200);  // let USERS out first
        ghost.close_dealer();
    }

    // Deterministic: carmen's SUB keeps her registered while her DEALER is gone,
    // so the INVITE to her is unroutable and the fork is refused as unknown_peer.
    ASSERT_TRUE(carmen.join("carmen"));
    carmen.close_dealer();
    std::optional<protocol::Error> refused;
    const auto deadline = Clock::now() + 1s;  // well inside carmen's timeout
    while (!refused && Clock::now() < deadline) {
        const auto cseq = bobby.fork("carmen", some_endpoint, some_token);
        auto reply = bobby.receive();
        ASSERT_TRUE(reply);
        if (auto* e = std::get_if<protocol::Error>(&*reply)) {
            EXPECT_EQ(e->cseq, cseq);
            refused = *e;
        }
    }
    ASSERT_TRUE(refused) << "the broker never noticed carmen's DEALER was gone";
    EXPECT_EQ(refused->code, static_cast<std::uint32_t>(ErrorCode::unknown_peer))
        << refused->reason;

    EXPECT_TRUE(chat_works(anna, bobby));
    EXPECT_GE(stopped_broker().stats().unroutable, 1u);
}

// A storm of joins is announced by few NOTICEs; every name exactly once, and
// no one's leave before its join.
TEST_F(BrokerTest, JoinStormIsAnnouncedOnceForEveryName) {
    start();
    auto watcher = peer();
    ASSERT_TRUE(watcher.join("watcher"));
    constexpr int storm = 50;
    std::vector<ProtocolPeer> peers;
    peers.reserve(storm);
    for (int i = 0; i < storm; ++i) {
        peers.push_back(peer());
        peers.back().send(protocol::Hello{"s" + std::to_string(i)});
    }
    for (auto& p : peers) {
        auto w = p.expect<protocol::Welcome>();
        ASSERT_TRUE(w);
        p.subscribe(*w);
    }
    std::multiset<std::string> announced;
    int notices = 0;
    while (announced.size() < storm) {
        auto n = watcher.await_lobby<protocol::Notice>(
            [](const protocol::Notice& n) { return n.event == "joined"; });
        ASSERT_TRUE(n);
        ++notices;
        for (std::size_t start = 0, end; start < n->name.size(); start = end + 1) {
            end = std::min(n->name.find(' ', start), n->name.size());
            announced.insert(n->name.substr(start, end - start));
        }
    }
    for (int i = 0; i < storm; ++i) EXPECT_EQ(announced.count("s" + std::to_string(i)), 1u) << i;
    RecordProperty("join_notices_for_50_joins", notices);
}

}  // namespace
}  // namespace zchat::broker
