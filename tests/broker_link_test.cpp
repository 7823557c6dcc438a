// broker_link: the client's state machine against a real broker, driven by a
// fake clock: registration, loss, backoff, rejoin under the same name, and a
// rename on rejoin. Sockets are real; only the link's sense of time is not,
// so every bound is crossed on purpose instead of waited for.
#include "client/broker_link.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <memory>
#include <thread>

#include "broker/broker.hpp"
#include "patterns/limits.hpp"
#include "patterns/log.hpp"
#include "tests/own_ports.hpp"
#include "tests/protocol_peer.hpp"

namespace zchat::client {
namespace {

using namespace std::chrono_literals;
using State = BrokerLink::State;
using Clock = BrokerLink::Clock;

// A broker on its own thread and context, on fixed endpoints so a restart
// comes back where the client looks for it.
class BrokerThread {
  public:
    BrokerThread(const std::string& rendezvous, const std::string& lobby,
                 std::size_t history = limits::default_history) {
        broker::Options o;
        o.rendezvous = rendezvous;
        o.lobby = lobby;
        o.history = history;
        o.heartbeat = 100ms;
        o.connections_per_host = 0;
        broker_ = std::make_unique<broker::Broker>(ctx_, loop_, o);
        thread_ = std::thread([this] { loop_.run(); });
    }
    ~BrokerThread() {
        loop_.stop();
        thread_.join();
    }
    const broker::Broker& broker() const { return *broker_; }

  private:
    zmq::context_t ctx_;
    EventLoop loop_;
    std::unique_ptr<broker::Broker> broker_;
    std::thread thread_;
};

struct Seen {
    std::vector<std::string> events;
    std::vector<std::string> history, texts;  // as shown
    std::uint64_t missed = 0;
    std::vector<std::string> room_texts;  // "#room text", as shown
    std::uint64_t room_missed = 0;
    int rooms_live = 0;
    std::string last_requested, last_name;
    bool last_renamed = false;
};

class BrokerLinkTest : public ::testing::Test {
  protected:
    void SetUp() override {
        saved_ = log::level();
        log::set_level(log::Level::off);
        const auto [rendezvous, lobby] = test::own_ports();  // a restart comes back there
        rendezvous_ = rendezvous;
        lobby_ = lobby;
    }
    void TearDown() override { log::set_level(saved_); }

    std::unique_ptr<BrokerLink> link(const std::string& name) {
        LinkEvents e;
        e.registered = [this](const protocol::Welcome& w, bool first, const std::string& req) {
            seen_.events.push_back(first ? "registered" : "reregistered");
            seen_.last_requested = req;
            seen_.last_name = w.name;
            seen_.last_renamed = w.renamed;
        };
        e.history = [this](const protocol::History& h) { seen_.history.push_back(h.text); };
        e.joined = [this](bool first) { seen_.events.push_back(first ? "joined" : "rejoined"); };
        e.lobby_text = [this](const protocol::LobbyText& t) { seen_.texts.push_back(t.text); };
        e.notice = [](const protocol::Notice&) {};
        e.gap = [this](std::uint64_t n) {
            seen_.events.push_back("gap");
            seen_.missed += n;
        };
        e.lost = [this](const std::string&) { seen_.events.push_back("lost"); };
        e.hello_refused = [this](const protocol::Error&) { seen_.events.push_back("refused"); };
        e.user_list = [this](const protocol::UserList&) { seen_.events.push_back("users"); };
        e.fork_ok = [](const protocol::ForkOk&) {};
        e.invite = [](const protocol::Invite&) {};
        e.error = [](const protocol::Error&, const std::string&) {};
        e.fatal = [this](const std::string&) { seen_.events.push_back("fatal"); };
        e.room_joined = [this](const protocol::RoomJoined&) { ++seen_.rooms_live; };
        e.room_text = [this](const protocol::RoomText& t, bool) {
            seen_.room_texts.push_back(t.room + " " + t.text);
        };
        e.room_notice = [](const protocol::RoomNotice&) {};
        e.room_gap = [this](const std::string&, std::uint64_t n) { seen_.room_missed += n; };
        e.room_list = [](const protocol::RoomList&) {};
        return std::make_unique<BrokerLink>(ctx_, loop_, rendezvous_, name, 3000ms, e, std::nullopt,
                                            [this] { return now_; });
    }

    // Runs the loop and the link's tick until DONE says so (real time
    // bounded; fake time moves only when a test moves it).
    template <class Done>
    bool run_until(BrokerLink& l, Done done, std::chrono::milliseconds limit = 3s) {
        const auto deadline = std::chrono::steady_clock::now() + limit;
        while (!done() && std::chrono::steady_clock::now() < deadline) {
            loop_.run_once(5ms);
            l.tick();
        }
        return done();
    }
    bool run_until(BrokerLink& l, State state, std::chrono::milliseconds limit = 3s) {
        return run_until(
            l, [&] { return l.state() == state; }, limit);
    }
    static bool has(const std::vector<std::string>& shown, const std::string& line) {
        return std::find(shown.begin(), shown.end(), line) != shown.end();
    }
    // Until the link is joined: while it waits for the broker it runs in real
    // time (sockets are real), while it waits to retry the fake clock moves,
    // and while it asks for its ticket both do.
    bool rejoin(BrokerLink& l, test::ProtocolPeer* other = nullptr) {
        const auto deadline = std::chrono::steady_clock::now() + 5s;
        while (l.state() != State::joined && std::chrono::steady_clock::now() < deadline) {
            if (l.state() == State::lost || l.state() == State::retrying) {
                advance(l, 50ms);
            } else {
                run_until(l, State::joined, 20ms);
                // A ticket the broker skipped (something was pending behind
                // it) is asked for again as time passes: let it pass.
                if (l.state() == State::resubscribing || l.state() == State::subscribing)
                    now_ += 20ms;
            }
            if (other) other->keep_alive();
        }
        return l.state() == State::joined;
    }

    bool run_until_text(BrokerLink& l, const std::string& text) {
        return run_until(l, [&] { return has(seen_.texts, text); });
    }
    // The broker lives on; only the link, on its fake clock, hears nothing
    // for its timeout: its sockets are not read meanwhile, so no beat can
    // start the wait again, and it stops as soon as it is lost.
    bool lose_while_broker_lives(BrokerLink& l) {
        for (int i = 0; i < 100 && l.state() != State::lost; ++i) {
            now_ += 50ms;
            l.tick();
        }
        return l.state() == State::lost;
    }
    bool run_until_rooms_live(BrokerLink& l, int live) {
        return run_until(l, [&] { return seen_.rooms_live >= live; });
    }
    bool run_until_room_text(BrokerLink& l, const std::string& text) {
        return run_until(l, [&] { return has(seen_.room_texts, text); });
    }

    // The broker has published TEXT: the lobby echoes it to its sender.
    static bool published(test::ProtocolPeer& sender, const std::string& text) {
        return sender
            .await_lobby<protocol::LobbyText>(
                [&](const protocol::LobbyText& t) { return t.text == text; })
            .has_value();
    }

    // Moves the fake clock in steps, ticking the link at each.
    void advance(BrokerLink& l, std::chrono::milliseconds by) {
        for (auto left = by; left > 0ms; left -= 50ms) {
            now_ += std::min(left, std::chrono::milliseconds{50});
            loop_.run_once(0ms);
            l.tick();
        }
    }

    zmq::context_t ctx_;
    EventLoop loop_;
    // Under a name no other test uses, in case a client of a test that ran
    // earlier on these ports is still trying them.
    const std::string restarted_name_ = "restart" + std::to_string(::getpid());
    Clock::time_point now_ = Clock::now();
    std::string rendezvous_, lobby_;
    Seen seen_;
    log::Level saved_ = log::Level::warn;
};

TEST_F(BrokerLinkTest, RegistersAndJoins) {
    BrokerThread broker(rendezvous_, lobby_);
    auto anna = link("anna");
    EXPECT_EQ(anna->state(), State::connecting);
    ASSERT_TRUE(run_until(*anna, State::joined)) << "stuck in " << static_cast<int>(anna->state());
    EXPECT_EQ(seen_.events, (std::vector<std::string>{"registered", "joined"}));
    EXPECT_EQ(anna->name(), "anna");
    EXPECT_TRUE(anna->ever_joined());
}

TEST_F(BrokerLinkTest, NoBrokerMeansRetryingWithABackoffAndNoReport) {
    auto anna = link("anna");
    advance(*anna, 1100ms);  // no WELCOME within a second
    EXPECT_EQ(anna->state(), State::retrying);
    advance(*anna, 300ms);  // the first backoff, 250 ms
    EXPECT_EQ(anna->state(), State::connecting);
    advance(*anna, 1100ms);
    EXPECT_EQ(anna->state(), State::retrying);
    advance(*anna, 300ms);
    EXPECT_EQ(anna->state(), State::retrying) << "the backoff doubled to 500 ms";
    advance(*anna, 300ms);
    EXPECT_EQ(anna->state(), State::connecting);
    EXPECT_TRUE(seen_.events.empty()) << "nothing to tell before a first join";
    EXPECT_FALSE(anna->ever_joined());
}

TEST_F(BrokerLinkTest, LossIsToldOnceAndARestartedBrokerIsRejoinedUnderTheSameName) {
    auto broker = std::make_unique<BrokerThread>(rendezvous_, lobby_);
    auto anna = link(restarted_name_);
    ASSERT_TRUE(run_until(*anna, State::joined));
    broker.reset();
    advance(*anna, 3100ms);  // no BEAT for the broker timeout
    EXPECT_EQ(anna->state(), State::lost);
    EXPECT_FALSE(anna->say("while down")) << "lobby text is refused, never pretended sent";
    EXPECT_FALSE(anna->users());
    for (int i = 0; i < 4; ++i) advance(*anna, 1500ms);  // retries fail in silence
    EXPECT_EQ(std::count(seen_.events.begin(), seen_.events.end(), "lost"), 1);

    broker = std::make_unique<BrokerThread>(rendezvous_, lobby_);
    ASSERT_TRUE(rejoin(*anna));
    EXPECT_EQ(seen_.events.back(), "rejoined");
    EXPECT_EQ(anna->name(), restarted_name_);
    EXPECT_FALSE(seen_.last_renamed);
}

// What the broker is asked to refuse is told again to a restarted one, with
// what was asked while it was down.
TEST_F(BrokerLinkTest, IgnoredNamesAreToldToARestartedBroker) {
    auto broker = std::make_unique<BrokerThread>(rendezvous_, lobby_);
    auto anna = link(restarted_name_);
    ASSERT_TRUE(run_until(*anna, State::joined));
    const std::string pest = restarted_name_ + "p", other = restarted_name_ + "q";
    anna->ignore(pest, true);
    broker.reset();
    advance(*anna, 3100ms);
    ASSERT_EQ(anna->state(), State::lost);
    anna->ignore(other, true);

    broker = std::make_unique<BrokerThread>(rendezvous_, lobby_);
    ASSERT_TRUE(rejoin(*anna));
    ASSERT_TRUE(anna->users());  // answered after the IGNOREs sent before it
    ASSERT_TRUE(run_until(*anna, [&] { return has(seen_.events, "users"); }));
    const std::string endpoint = "tcp://127.0.0.1:45678", token(32, 'a');
    for (const auto& name : {pest, other}) {
        test::ProtocolPeer peer(ctx_, rendezvous_);
        ASSERT_TRUE(peer.join(name));
        const auto e = peer.expect_error(protocol::ErrorCode::unknown_peer,
                                         peer.fork(restarted_name_, endpoint, token));
        ASSERT_TRUE(e) << name;
        EXPECT_NE(e->reason.find("does not take invitations from you"), std::string::npos)
            << name << ": " << e->reason;
    }
    test::ProtocolPeer friendly(ctx_, rendezvous_);  // ignored by no one
    ASSERT_TRUE(friendly.join(restarted_name_ + "f"));
    friendly.fork(restarted_name_, endpoint, token);
    EXPECT_TRUE(friendly.expect<protocol::ForkOk>());
}

TEST_F(BrokerLinkTest, ARenameOnRejoinNamesTheNameJustAskedFor) {
    auto broker = std::make_unique<BrokerThread>(rendezvous_, lobby_);
    auto anna = link(restarted_name_);
    ASSERT_TRUE(run_until(*anna, State::joined));
    broker.reset();
    advance(*anna, 3100ms);
    ASSERT_EQ(anna->state(), State::lost);
    // Someone else takes the name on the restarted broker first.
    broker = std::make_unique<BrokerThread>(rendezvous_, lobby_);
    zmq::context_t other_ctx;
    test::ProtocolPeer other(other_ctx, rendezvous_);
    ASSERT_TRUE(other.join(restarted_name_));
    ASSERT_TRUE(rejoin(*anna, &other));
    EXPECT_TRUE(seen_.last_renamed);
    EXPECT_EQ(seen_.last_name, restarted_name_ + "_2");
    EXPECT_EQ(seen_.last_requested, restarted_name_);
}

// Back at the same broker run, the history holds what we saw and what we
// missed: only the missed is shown, and none is reported lost.
TEST_F(BrokerLinkTest, AResumeShowsOnlyTheHistoryNotSeenBefore) {
    BrokerThread broker(rendezvous_, lobby_, 10);
    auto anna = link("anna");
    ASSERT_TRUE(run_until(*anna, State::joined));
    test::ProtocolPeer bobby(ctx_, rendezvous_);
    ASSERT_TRUE(bobby.join("bobby"));
    bobby.say("one");
    bobby.say("two");
    ASSERT_TRUE(run_until_text(*anna, "two"));
    ASSERT_TRUE(lose_while_broker_lives(*anna));
    bobby.say("while away");
    ASSERT_TRUE(published(bobby, "while away"));
    ASSERT_TRUE(rejoin(*anna, &bobby));
    EXPECT_EQ(seen_.history, std::vector<std::string>{"while away"});
    EXPECT_EQ(seen_.missed, 0u);
}

// What the history no longer holds is reported as a gap.
TEST_F(BrokerLinkTest, AResumeReportsWhatTheHistoryNoLongerHolds) {
    BrokerThread broker(rendezvous_, lobby_, 1);
    auto anna = link("anna");
    ASSERT_TRUE(run_until(*anna, State::joined));
    test::ProtocolPeer bobby(ctx_, rendezvous_);
    ASSERT_TRUE(bobby.join("bobby"));
    bobby.say("seen");
    ASSERT_TRUE(run_until_text(*anna, "seen"));
    ASSERT_TRUE(lose_while_broker_lives(*anna));
    for (const char* text : {"lost 1", "lost 2", "kept"}) bobby.say(text);
    ASSERT_TRUE(published(bobby, "kept"));
    ASSERT_TRUE(rejoin(*anna, &bobby));
    EXPECT_EQ(seen_.history, std::vector<std::string>{"kept"});
    EXPECT_EQ(seen_.missed, 2u);
}

// A resumed room gets no history: what was said in it meanwhile is a gap,
// and what was seen before is not shown again.
TEST_F(BrokerLinkTest, AResumedRoomReportsWhatItMissed) {
    BrokerThread broker(rendezvous_, lobby_);
    auto anna = link("anna");
    ASSERT_TRUE(run_until(*anna, State::joined));
    ASSERT_TRUE(anna->join_room("#r"));
    ASSERT_TRUE(run_until_rooms_live(*anna, 1));
    test::ProtocolPeer bobby(ctx_, rendezvous_);
    ASSERT_TRUE(bobby.join("bobby"));
    ASSERT_TRUE(bobby.join_room("#r"));
    bobby.say_room("#r", "before");
    ASSERT_TRUE(run_until_room_text(*anna, "#r before"));
    ASSERT_TRUE(lose_while_broker_lives(*anna));
    bobby.say_room("#r", "while away");
    ASSERT_TRUE(bobby.await_room<protocol::RoomText>(
        "#r", [](const protocol::RoomText& t) { return t.text == "while away"; }));
    ASSERT_TRUE(rejoin(*anna, &bobby));
    ASSERT_TRUE(run_until_rooms_live(*anna, 2));
    bobby.say_room("#r", "after");
    ASSERT_TRUE(run_until_room_text(*anna, "#r after"));
    EXPECT_EQ(seen_.room_missed, 1u);
    EXPECT_EQ(seen_.room_texts, (std::vector<std::string>{"#r before", "#r after"}));
}

TEST_F(BrokerLinkTest, OurOwnPauseIsNotTheBrokersSilence) {
    BrokerThread broker(rendezvous_, lobby_);
    auto anna = link("anna");
    ASSERT_TRUE(run_until(*anna, State::joined));
    now_ += 60s;  // as if the process had been stopped for a minute
    anna->forgive();
    anna->tick();
    EXPECT_EQ(anna->state(), State::joined);
}

}  // namespace
}  // namespace zchat::client
