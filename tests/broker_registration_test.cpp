// broker registration: WELCOME, names, and who counts as online.
#include "patterns/secure_random.hpp"
#include "tests/broker_fixture.hpp"

namespace zchat::broker {
namespace {

using namespace test_support;

TEST_F(BrokerTest, WelcomeAnnouncesIdentityEndpointAndLimits) {
    start();
    auto anna = peer();
    const auto w = anna.hello("anna");
    ASSERT_TRUE(w);
    EXPECT_EQ(w->name, "anna");
    EXPECT_FALSE(w->renamed);
    EXPECT_GT(w->id, 0u);
    EXPECT_EQ(w->lobby_endpoint, lobby_);
    ASSERT_TRUE(w->ticket.starts_with(protocol::ticket_prefix)) << w->ticket;
    const std::string secret = w->ticket.substr(protocol::ticket_prefix.size());
    EXPECT_EQ(secret.size(), (limits::secret_bits + 5) / 6) << "128 random bits in base64url";
    EXPECT_EQ(secret.find_first_not_of(base64url_alphabet), std::string::npos) << secret;
    EXPECT_GT(w->epoch, 0u);
    EXPECT_FALSE(w->broker_id.empty());
    EXPECT_EQ(w->max_text, limits::max_text_bytes);
    EXPECT_EQ(w->max_lines, limits::max_text_lines);
    EXPECT_EQ(w->rate, limits::default_rate_per_s);
    EXPECT_EQ(w->burst, limits::default_burst);
    EXPECT_EQ(w->heartbeat_ms, 100u);
    EXPECT_EQ(w->timeout_ms, 1500u);

    anna.subscribe();
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
    EXPECT_NE(w2->ticket, w->ticket);
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
        p.send(protocol::Hello{name, ""});
        p.expect_error(ErrorCode::bad_name, 0);
        p.expect_error(ErrorCode::not_registered, p.users());
    }
    const auto& broker = stopped_broker();
    EXPECT_EQ(broker.online(), 0u);
    EXPECT_EQ(broker.stats().registered, 0u);
}

// A client back on fresh sockets proves itself with its last ticket: it keeps
// its name, and the lobby hears of no leave and no second join.
TEST_F(BrokerTest, ResumeWithTheLastTicketKeepsTheNameQuietly) {
    start();
    auto watcher = peer(), anna = peer();
    ASSERT_TRUE(watcher.join("watcher"));
    ASSERT_TRUE(anna.join("anna"));
    const std::string old_ticket = anna.welcome()->ticket;

    auto again = peer();  // anna's fresh sockets; the old ones are still open
    const auto w = again.hello("anna", old_ticket);
    ASSERT_TRUE(w);
    EXPECT_EQ(w->name, "anna");
    EXPECT_FALSE(w->renamed);
    EXPECT_NE(w->ticket, old_ticket);
    again.subscribe();
    ASSERT_TRUE(again.await_joined());
    // The old connection is no longer anyone's.
    anna.expect_error(ErrorCode::not_registered, anna.users());

    // A stale or someone else's ticket buys nothing: the name is taken.
    auto impostor = peer();
    const auto w3 = impostor.hello("anna", old_ticket);
    ASSERT_TRUE(w3);
    EXPECT_EQ(w3->name, "anna_2");

    again.say("still me");
    const auto t = watcher.await_lobby<protocol::LobbyText>();
    ASSERT_TRUE(t);
    EXPECT_EQ(t->text, "still me");
    EXPECT_EQ(t->from, "anna");
    EXPECT_EQ(names_of(watcher), (std::vector<std::string>{"anna", "watcher"}));
    // Between anna's join and her line, nothing was announced about her.
    EXPECT_EQ(t->seq, anna.joined()->last_seq + 2) << "one NOTICE for anna's first join only";
}

// Registered but not subscribed: not online for anyone, and may not speak.
TEST_F(BrokerTest, OnlyJoinedClientsAreOnlineOrMaySpeak) {
    start();
    auto anna = peer(), lurker = peer();
    ASSERT_TRUE(anna.join("anna"));
    ASSERT_TRUE(lurker.hello("lurker"));
    lurker.expect_error(ErrorCode::not_joined, lurker.say("unannounced"));
    lurker.expect_error(ErrorCode::not_joined, lurker.fork("anna", some_endpoint, some_token));
    anna.expect_error(ErrorCode::unknown_peer, anna.fork("lurker", some_endpoint, some_token));
    const auto cseq = lurker.users();
    const auto list = lurker.expect<protocol::UserList>();
    ASSERT_TRUE(list);
    EXPECT_EQ(list->cseq, cseq);
    EXPECT_EQ(list->count, 1u);
    EXPECT_EQ(list->names, std::vector<std::string>{"anna"});
}

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
    auto options = fast_options();
    options.client_timeout = 60s;  // the first wait silently while a thousand more join
    start(options);
    const std::size_t users = limits::max_listed_users + 1;
    std::vector<ProtocolPeer> peers;
    for (std::size_t i = 0; i < users; ++i) {
        peers.push_back(peer());
        ASSERT_TRUE(peers.back().hello("u" + std::to_string(i)));
        peers.back().subscribe();
    }
    for (auto& p : peers) ASSERT_TRUE(p.await_joined());
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

}  // namespace
}  // namespace zchat::broker
