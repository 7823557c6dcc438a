// secure_random: the two spellings of a secret, and that draws differ.
#include "patterns/secure_random.hpp"

#include <gtest/gtest.h>

#include <cctype>
#include <set>

#include "patterns/limits.hpp"
#include "patterns/protocol.hpp"

namespace zchat {
namespace {

TEST(SecureRandom, HexIsTwoLowercaseDigitsPerByte) {
    const std::string s = random_hex(limits::secret_bits);
    EXPECT_EQ(s.size(), 32u);
    EXPECT_EQ(s.find_first_not_of("0123456789abcdef"), std::string::npos) << s;
}

TEST(SecureRandom, Base64urlIsSixBitsPerCharacterUnpadded) {
    EXPECT_EQ(random_base64url(128).size(), 22u);
    EXPECT_EQ(random_base64url(24).size(), 4u);
    EXPECT_EQ(random_base64url(8).size(), 2u);
    std::set<char> seen;
    for (int i = 0; i < 200; ++i)
        for (const char c : random_base64url(limits::secret_bits)) seen.insert(c);
    for (const char c : seen)
        EXPECT_TRUE(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_') << c;
    EXPECT_GT(seen.size(), 60u) << "200 draws of 22 characters use nearly all 64";
}

TEST(SecureRandom, NoTwoDrawsAlike) {
    std::set<std::string> drawn;
    for (int i = 0; i < 1000; ++i) EXPECT_TRUE(drawn.insert(random_base64url(128)).second);
}

// libzmq copies a message of at most 32 bytes; a longer one pins the
// connection's whole reception buffer (PROTOCOL.md, "Subscriptions").
TEST(SecureRandom, ATicketsSubscriptionFitsInASmallMessage) {
    const std::string subscription =
        "\x01" + std::string(protocol::ticket_prefix) + random_base64url(limits::secret_bits);
    EXPECT_LE(subscription.size(), 32u);
}

}  // namespace
}  // namespace zchat
