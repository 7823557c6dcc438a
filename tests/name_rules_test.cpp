// name_rules: every kind of name that may not be a user's is refused, with a
// reason; every kind that may is taken.
#include "patterns/name_rules.hpp"

#include <gtest/gtest.h>

#include <string>

namespace zchat {
namespace {

const std::string fox = "\xF0\x9F\xA6\x8A";  // 4 bytes

std::string repeat(const std::string& s, std::size_t n) {
    std::string out;
    for (std::size_t i = 0; i < n; ++i) out += s;
    return out;
}

TEST(NameRules, ValidNames) {
    const std::string valid[] = {"anna",    "Zo\xC3\xAB", "a\\b",
                                 "a_b-c.d", fox,          std::string(32, 'x')};
    for (const auto& name : valid) EXPECT_EQ(name_refusal(name), std::nullopt) << name;
}

TEST(NameRules, InvalidNames) {
    const std::string invalid[] = {
        "",                        // empty
        std::string(33, 'x'),      // too long
        repeat(fox, 8) + "x",      // 33 bytes of valid UTF-8
        "an na",                   // space
        "an\tna",                  // tab
        "anna\n",                  // newline
        std::string("an\0na", 5),  // NUL
        "an\x01na",                // control
        "an\x7Fna",                // DEL
        "an\x1B[31mna",            // escape sequence
        "an\xC2\x85na",            // C1 control (NEL)
        "\\anna",                  // leading backslash
        "\\",
        "#anna",         // leading '#', a room's mark
        "an\xFFna",      // invalid byte
        "anna\xC3",      // truncated sequence
        "\xC0\xAF",      // overlong '/'
        "\xED\xA0\x80",  // surrogate
    };
    for (const auto& name : invalid) {
        const auto why = name_refusal(name);
        ASSERT_TRUE(why.has_value()) << ::testing::PrintToString(name);
        EXPECT_FALSE(why->empty());
    }
}

TEST(NameRules, UnicodeSpacesAndInvisibleCharactersAreRefused) {
    // no-break space, ideographic space, zero-width space, right-to-left override, BOM
    for (const char* name : {"anna\xc2\xa0", "an\xe3\x80\x80na", "an\xe2\x80\x8bna",
                             "\xe2\x80\xae"
                             "anna",
                             "\xef\xbb\xbf"
                             "anna"})
        EXPECT_TRUE(name_refusal(name).has_value()) << name;
    EXPECT_FALSE(name_refusal("j\xc3\xbcrgen").has_value());
}

}  // namespace
}  // namespace zchat
