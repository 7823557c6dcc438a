// name_registry: unique names with suffixes that respect the naming rules.
#include "broker/name_registry.hpp"

#include <gtest/gtest.h>

#include <set>
#include <string>

#include "patterns/limits.hpp"
#include "patterns/name_rules.hpp"
#include "patterns/utf8.hpp"

namespace zchat::broker {
namespace {

const std::string fox = "\xF0\x9F\xA6\x8A";  // 4 bytes
const std::string euro = "\xE2\x82\xAC";     // 3 bytes

std::string repeat(const std::string& s, std::size_t n) {
    std::string out;
    for (std::size_t i = 0; i < n; ++i) out += s;
    return out;
}

TEST(NameRegistry, TakenNamesGetSuffixes) {
    NameRegistry names;
    EXPECT_EQ(names.claim("anna", "r1"), "anna");
    EXPECT_EQ(names.claim("anna", "r2"), "anna_2");
    EXPECT_EQ(names.claim("anna", "r3"), "anna_3");
    ASSERT_NE(names.owner("anna_2"), nullptr);
    EXPECT_EQ(*names.owner("anna_2"), "r2");
    EXPECT_EQ(names.size(), 3u);
    EXPECT_EQ(names.names(), (std::vector<std::string>{"anna", "anna_2", "anna_3"}));
}

TEST(NameRegistry, ReleaseFreesTheName) {
    NameRegistry names;
    names.claim("anna", "r1");
    names.claim("anna", "r2");
    names.release("anna");
    EXPECT_EQ(names.owner("anna"), nullptr);
    EXPECT_EQ(names.claim("anna", "r3"), "anna");
    EXPECT_EQ(*names.owner("anna"), "r3");
    names.release("anna_2");
    EXPECT_EQ(names.claim("anna", "r4"), "anna_2");
}

TEST(NameRegistry, ASuffixedNameChosenOutrightIsSkipped) {
    NameRegistry names;
    EXPECT_EQ(names.claim("anna_2", "r1"), "anna_2");
    EXPECT_EQ(names.claim("anna", "r2"), "anna");
    EXPECT_EQ(names.claim("anna", "r3"), "anna_3");
}

// Every suffixed variant of a full-length name must itself be a valid name.
void expect_suffixes_stay_valid(const std::string& base, int takers) {
    ASSERT_EQ(base.size(), limits::max_name_bytes);
    ASSERT_EQ(name_refusal(base), std::nullopt);
    NameRegistry names;
    std::set<std::string> given;
    for (int i = 0; i < takers; ++i) {
        const std::string name = names.claim(base, "r" + std::to_string(i));
        EXPECT_LE(name.size(), limits::max_name_bytes) << name;
        EXPECT_TRUE(utf8::valid(name)) << ::testing::PrintToString(name);
        EXPECT_EQ(name_refusal(name), std::nullopt) << name;
        EXPECT_TRUE(given.insert(name).second) << "given twice: " << name;
    }
}

TEST(NameRegistry, SuffixedFullLengthNameStaysValidAscii) {
    expect_suffixes_stay_valid(std::string(32, 'a'), 12);
    NameRegistry names;
    names.claim(std::string(32, 'a'), "r1");
    EXPECT_EQ(names.claim(std::string(32, 'a'), "r2"), std::string(30, 'a') + "_2");
}

TEST(NameRegistry, SuffixNeverSplitsAMultibyteCharacter) {
    expect_suffixes_stay_valid(std::string(29, 'a') + euro, 12);  // suffix cuts into the euro sign
    expect_suffixes_stay_valid(repeat(fox, 8), 12);               // every character is 4 bytes
    NameRegistry names;
    names.claim(std::string(29, 'a') + euro, "r1");
    EXPECT_EQ(names.claim(std::string(29, 'a') + euro, "r2"), std::string(29, 'a') + "_2");
}

}  // namespace
}  // namespace zchat::broker
