// broker hostile input: garbage of every shape is refused, costs no lasting state, and honest
// clients chat on.
#include "tests/broker_fixture.hpp"

namespace zchat::broker {
namespace {

using namespace test_support;

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
             p.pack(protocol::version);
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
        {"version 1", packed([](Packer& p) {
             p.pack_array(5);
             p.pack("zc");
             p.pack(1);
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
        protocol::RoomText{"#r", 1, 1, 1, 1, "anna", "forged"},
        protocol::RoomNotice{},
        protocol::RoomBeat{},
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
    stranger.expect_error(ErrorCode::bad_message, 0);

    EXPECT_EQ(names_of(anna), (std::vector<std::string>{"anna", "bobby"}));
    EXPECT_TRUE(chat_works(anna, bobby));
    const auto& broker = stopped_broker();
    EXPECT_EQ(broker.online(), 2u);
    EXPECT_EQ(broker.stats().registered, 2u);
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

}  // namespace
}  // namespace zchat::broker
