// chat-cli on a real pseudo-terminal: the readline path a person uses.
#include "chat_fixture.hpp"

namespace zchat::e2e {
namespace {

TEST_F(ChatTest, ReadlineKeepsTheTypedLineWhenAMessageArrives) {
    auto& bobby = join("bobby");
    ChildProcess anna(cli_args(broker_->rendezvous, "anna", {"--no-color"}), ChildProcess::Io::pty);
    ASSERT_TRUE(anna.expect("anna@lobby> ", 10s)) << anna.out() << anna.err();
    ASSERT_TRUE(bobby.expect(">>> anna joined the lobby"));
    anna.write("hello from a terminal\r");
    EXPECT_TRUE(bobby.expect("[lobby] anna: hello from a terminal"));
    anna.write("half-typ");
    ASSERT_TRUE(anna.expect("half-typ"));
    bobby.write_line("interrupting");
    EXPECT_TRUE(anna.expect("[lobby] bobby: interrupting"));
    EXPECT_TRUE(anna.expect("anna@lobby> half-typ"))
        << "the typed line was not restored: " << anna.out();
    anna.write("ed\r");
    EXPECT_TRUE(bobby.expect("[lobby] anna: half-typed"));
    // A bracketed paste of several lines is one message.
    anna.write("\x1b[200~first pasted\nsecond pasted\x1b[201~\r");
    EXPECT_TRUE(bobby.expect("[lobby] anna:\n    first pasted\n    second pasted\n"))
        << bobby.out();
    anna.write("\\quit\r");
    EXPECT_EQ(anna.wait_exit(), 0);
}

}  // namespace
}  // namespace zchat::e2e
