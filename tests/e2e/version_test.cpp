// --version, as an operator or help2man runs it: one line with the project's
// version and the protocol's, from each of the three programs.
#include <gtest/gtest.h>

#include "child_process.hpp"
#include "patterns/protocol.hpp"

namespace zchat::e2e {
namespace {

TEST(Version, EveryProgramPrintsTheProjectAndProtocolVersionOnOneLine) {
    const std::string expected_tail = std::string(" ") + ZCHAT_PROJECT_VERSION +
                                      " (zchat protocol " + std::to_string(+protocol::version) +
                                      ")\n";
    for (const auto& [path, name] :
         {std::pair{CHAT_BROKER, "chat-broker"}, std::pair{CHAT_CLI, "chat-cli"},
          std::pair{CHAT_LOAD, "chat-load"}}) {
        ChildProcess program({path, "--version"});
        EXPECT_TRUE(program.expect("\n")) << name << ": " << program.err();
        EXPECT_EQ(program.wait_exit(), 0) << name;
        EXPECT_EQ(program.out(), name + expected_tail);
    }
}

}  // namespace
}  // namespace zchat::e2e
