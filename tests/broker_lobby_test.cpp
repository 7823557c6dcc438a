// broker lobby: what is published, to whom, in what order, and what a newcomer is replayed.
#include "tests/broker_fixture.hpp"

namespace zchat::broker {
namespace {

using namespace test_support;

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
    anna.expect_error(ErrorCode::bad_message, anna.say(" \n\t\r\n "));
    EXPECT_TRUE(chat_works(anna, bobby));
}

TEST_F(BrokerTest, TextOverTheLineLimitIsRefusedAndNotPublished) {
    start();
    auto anna = peer(), bobby = peer();
    ASSERT_TRUE(anna.join("anna"));
    ASSERT_TRUE(bobby.join("bobby"));
    std::string most(limits::max_text_lines - 1, '\n');
    most.insert(0, "x");
    anna.say(most);
    const auto got = bobby.await_lobby<protocol::LobbyText>();
    ASSERT_TRUE(got);
    EXPECT_EQ(got->text, most);
    anna.expect_error(ErrorCode::too_many_lines, anna.say(most + "\nx"));
    anna.expect_error(ErrorCode::too_many_lines, anna.say("x" + std::string(1000, '\n') + "x"));
    EXPECT_TRUE(chat_works(anna, bobby));
}

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
    options.flood.rate = options.flood.burst = 1000000;  // anna fills the history at once
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
        ASSERT_TRUE(peers.back().hello("s" + std::to_string(i)));
    }
    for (auto& p : peers) p.subscribe();
    std::multiset<std::string> announced;
    int notices = 0;
    const auto deadline = Clock::now() + 10s;
    while (announced.size() < storm && Clock::now() < deadline) {
        // A skipped ticket is asked for again; as separate clients would, not
        // all in one breath.
        for (auto& p : peers)
            if (!p.joined_yet() && p.keep_alive()) break;
        auto m = watcher.next_lobby(2ms);
        const auto* n = m ? std::get_if<protocol::Notice>(&*m) : nullptr;
        if (!n || n->event != "joined") continue;
        ++notices;
        for (std::size_t start = 0, end; start < n->name.size(); start = end + 1) {
            end = std::min(n->name.find(' ', start), n->name.size());
            announced.insert(n->name.substr(start, end - start));
        }
    }
    ASSERT_EQ(announced.size(), static_cast<std::size_t>(storm));
    for (int i = 0; i < storm; ++i) EXPECT_EQ(announced.count("s" + std::to_string(i)), 1u) << i;
    // Joins within one 100 ms window share a NOTICE. Tickets skipped at the
    // gate spread the storm over a few windows; one NOTICE per join would be 50.
    EXPECT_LE(notices, storm / 2) << "joins are not batched";
    RecordProperty("join_notices_for_50_joins", notices);
    RecordProperty("tickets_skipped_at_the_gate", stopped_broker().gate_stats().deferred);
}

}  // namespace
}  // namespace zchat::broker
