// Security, as users meet it: a broker key pinned on first use or pasted, a
// changed key refused, keys of their own, plaintext only when both ask, and a
// safety number that is the same on both screens.
#include <sys/stat.h>

#include <fstream>
#include <regex>

#include "chat_fixture.hpp"
#include "patterns/curve_keys.hpp"
#include "patterns/key_file.hpp"

namespace zchat::e2e {
namespace {

// What a user runs when nothing is configured: no --broker-key, keys and
// known keys in a directory of its own.
std::vector<std::string> bare_cli(const std::string& broker, const std::string& name,
                                  const std::string& dir, std::vector<std::string> extra = {}) {
    std::vector<std::string> argv{CHAT_CLI,
                                  "--broker",
                                  broker,
                                  "--name",
                                  name,
                                  "--key-file",
                                  dir + "/client.key",
                                  "--known-brokers",
                                  dir + "/known_brokers",
                                  "--known-peers",
                                  dir + "/known_peers"};
    argv.insert(argv.end(), extra.begin(), extra.end());
    return argv;
}

std::string file_text(const std::string& path) {
    std::ifstream in(path);
    return {std::istreambuf_iterator<char>(in), {}};
}

// A broker whose key service listens on a port of its own choosing, as the
// tests' brokers take any free port.
class KeyServiceTest : public ChatTest {
  protected:
    std::vector<std::string> broker_flags() override {
        return {"--history", "0", "--key-service", "tcp://127.0.0.1:*"};
    }
    std::string key_service() {
        static const std::regex service("key service on (\\S+)");
        std::smatch m;
        EXPECT_TRUE(std::regex_search(broker_->process.out(), m, service));
        return m[1];
    }
};

TEST_F(KeyServiceTest, OnOneMachineAPlainClientPinsTheBrokerOnFirstUse) {
    const std::string dir = test_dir("anna");
    ChildProcess anna(bare_cli(broker_->rendezvous, "anna", dir, {"--key-service", key_service()}));
    ASSERT_TRUE(anna.expect("pinned new broker key " + key_fingerprint(broker_->key)))
        << anna.err();
    ASSERT_TRUE(anna.expect(">>> anna joined the lobby", 10s)) << anna.err();
    EXPECT_EQ(file_text(dir + "/known_brokers"), broker_->rendezvous + " " + broker_->key + "\n");
    anna.close_stdin();
    EXPECT_EQ(anna.wait_exit(), 0);

    // Next time the pin is used, and nothing is asked or pinned again.
    ChildProcess again(bare_cli(broker_->rendezvous, "anna", dir, {"--trust-new-broker", "no"}));
    ASSERT_TRUE(again.expect(">>> anna joined the lobby", 10s)) << again.err();
    EXPECT_EQ(again.out().find("pinned"), std::string::npos);
}

TEST_F(KeyServiceTest, AtATerminalTheUserIsAskedAndSeesTheFingerprint) {
    ChildProcess anna(
        bare_cli(broker_->rendezvous, "anna", test_dir("anna"), {"--key-service", key_service()}),
        ChildProcess::Io::pty);
    ASSERT_TRUE(anna.expect(key_fingerprint(broker_->key))) << anna.out();
    ASSERT_TRUE(anna.expect("Trust it and connect? (yes/no)")) << anna.out();
    anna.write_line("yes");
    EXPECT_TRUE(anna.expect("anna joined the lobby", 10s)) << anna.out();

    ChildProcess bobby(
        bare_cli(broker_->rendezvous, "bobby", test_dir("bobby"), {"--key-service", key_service()}),
        ChildProcess::Io::pty);
    ASSERT_TRUE(bobby.expect("Trust it and connect? (yes/no)")) << bobby.out();
    bobby.write_line("no");
    EXPECT_EQ(bobby.wait_exit(), 3);
    EXPECT_NE(bobby.err().find("--broker-key"), std::string::npos) << bobby.err();
}

TEST_F(KeyServiceTest, AClientNotAllowedToTrustOnFirstUseExitsThree) {
    ChildProcess anna(bare_cli(broker_->rendezvous, "anna", test_dir("anna"),
                               {"--key-service", key_service(), "--trust-new-broker", "no"}));
    EXPECT_EQ(anna.wait_exit(), 3);
    EXPECT_NE(anna.err().find("is not known yet"), std::string::npos) << anna.err();
    EXPECT_NE(anna.err().find(key_fingerprint(broker_->key)), std::string::npos) << anna.err();
    EXPECT_NE(anna.err().find("--broker-key"), std::string::npos) << anna.err();
}

TEST_F(ChatTest, AChangedBrokerKeyIsRefusedNamingTheLineToEdit) {
    const std::string dir = test_dir("anna");
    const std::string old_key = generate_curve_keys().public_z85;
    std::ofstream(dir + "/known_brokers") << "# pinned long ago\n"
                                          << broker_->rendezvous << " " << old_key << "\n";
    // The broker answers with another key: the handshake can never succeed.
    ChildProcess anna(bare_cli(broker_->rendezvous, "anna", dir));
    EXPECT_EQ(anna.wait_exit(10s), 3);
    EXPECT_NE(anna.err().find("does not hold the key pinned for " + broker_->rendezvous + " in " +
                              dir + "/known_brokers line 2"),
              std::string::npos)
        << anna.err();
    // A pasted key that differs from the pin is refused before connecting.
    ChildProcess pasted(bare_cli(broker_->rendezvous, "anna", dir, {"--broker-key", broker_->key}));
    EXPECT_EQ(pasted.wait_exit(), 3);
    EXPECT_NE(pasted.err().find("known_brokers line 2"), std::string::npos) << pasted.err();
}

TEST_F(ChatTest, AKeyFileOthersCanReadIsRefused) {
    const std::string dir = test_dir("anna");
    ChildProcess first(cli_args(broker_->rendezvous, "anna", {"--key-file", dir + "/client.key"}));
    ASSERT_TRUE(first.expect("joined the lobby", 10s)) << first.err();
    first.close_stdin();
    ASSERT_EQ(first.wait_exit(), 0);
    struct stat st {};
    ASSERT_EQ(::stat((dir + "/client.key").c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600u);

    ::chmod((dir + "/client.key").c_str(), 0644);
    ChildProcess again(cli_args(broker_->rendezvous, "anna", {"--key-file", dir + "/client.key"}));
    EXPECT_EQ(again.wait_exit(), 1);
    EXPECT_NE(again.err().find("chmod 600 " + dir + "/client.key"), std::string::npos)
        << again.err();
}

TEST_F(ChatTest, OneKeyIsOneUserAtATime) {
    const std::string key_file = test_dir("anna") + "/client.key";
    join("anna", {"--key-file", key_file});
    ChildProcess twin(cli_args(broker_->rendezvous, "twin", {"--key-file", key_file}));
    EXPECT_EQ(twin.wait_exit(), 1);
    EXPECT_NE(twin.err().find("registered already, as anna"), std::string::npos) << twin.err();
}

TEST_F(ChatTest, WhoamiAndVerifyShowTheSameSafetyNumberOnBothScreens) {
    const std::string anna_dir = test_dir("anna");
    auto& anna = join("anna", {"--key-file", anna_dir + "/client.key"});
    auto& bobby = join("bobby");
    anna.write_line("\\whoami");
    const auto keys = load_or_create_keys(anna_dir + "/client.key").keys;
    EXPECT_TRUE(anna.expect("you are anna, key " + key_fingerprint(keys.public_z85)));

    anna.write_line("\\fork bobby");
    ASSERT_TRUE(bobby.expect("anna opened private session 1 with you"));
    EXPECT_TRUE(anna.expect("first private session with bobby: their key"));
    anna.write_line("\\verify bobby");
    bobby.write_line("\\verify anna");
    static const std::regex digits("(\\d{5}( \\d{5}){5})\\n[^\\n]*?(\\d{5}( \\d{5}){5})");
    ASSERT_TRUE(anna.expect("safety number with bobby"));
    ASSERT_TRUE(bobby.expect("safety number with anna"));
    anna.settle(300ms);
    bobby.settle(300ms);
    std::smatch a, b;
    const std::string anna_out = anna.out(), bobby_out = bobby.out();
    ASSERT_TRUE(std::regex_search(anna_out, a, digits)) << anna_out;
    ASSERT_TRUE(std::regex_search(bobby_out, b, digits)) << bobby_out;
    EXPECT_EQ(a[1].str() + a[3].str(), b[1].str() + b[3].str());
}

TEST(Plaintext, InsecureOnBothSidesWorksAndSaysSo) {
    BrokerProcess broker({"--insecure"});
    EXPECT_NE(broker.process.out().find("WARNING: --insecure"), std::string::npos);
    ChildProcess anna(cli_args(broker.rendezvous, "anna", {"--insecure"}));
    ChildProcess bobby(cli_args(broker.rendezvous, "bobby", {"--insecure"}));
    ASSERT_TRUE(anna.expect("--insecure: plaintext")) << anna.out();
    ASSERT_TRUE(bobby.expect("bobby joined the lobby", 10s)) << bobby.err();
    ASSERT_TRUE(anna.expect("bobby joined the lobby", 10s)) << anna.err();
    anna.write_line("in the clear");
    EXPECT_TRUE(bobby.expect("anna: in the clear"));
}

TEST(Plaintext, ACurveClientAtAPlaintextBrokerIsAClearErrorNotAHang) {
    BrokerProcess broker({"--insecure"});
    ChildProcess anna(
        cli_args(broker.rendezvous, "anna", {"--broker-key", generate_curve_keys().public_z85}));
    EXPECT_EQ(anna.wait_exit(10s), 3);
    EXPECT_NE(anna.err().find("speaks plaintext"), std::string::npos) << anna.err();
}

TEST(Plaintext, APlaintextClientAtACurveBrokerIsAClearErrorNotAHang) {
    BrokerProcess broker;
    ChildProcess anna(cli_args(broker.rendezvous, "anna", {"--insecure"}));
    EXPECT_EQ(anna.wait_exit(10s), 3);
    EXPECT_NE(anna.err().find("requires encryption"), std::string::npos) << anna.err();
}

}  // namespace
}  // namespace zchat::e2e
