// utf8: validation, and rendering that keeps text readable but never lets a
// peer drive the terminal.
#include "patterns/utf8.hpp"

#include <gtest/gtest.h>

#include <random>
#include <string>

namespace zchat::utf8 {
namespace {

const std::string replacement = "\xEF\xBF\xBD";  // U+FFFD

TEST(Utf8, ValidText) {
    for (const std::string text : {"", "hello", "Zo\xC3\xAB", "\xE2\x82\xAC", "\xF0\x9F\xA6\x8A",
                                   "\xF4\x8F\xBF\xBF",  // U+10FFFF, the last code point
                                   "\xEE\x80\x80"})     // U+E000, just past the surrogates
        EXPECT_TRUE(valid(text)) << ::testing::PrintToString(text);
}

TEST(Utf8, InvalidText) {
    for (const std::string text : {"\xFF", "\x80",        // never a lead byte
                                   "\xC3", "ab\xE2\x82",  // truncated
                                   "\xC0\xAF", "\xE0\x80\xAF", "\xF0\x80\x80\xAF",  // overlong
                                   "\xED\xA0\x80", "\xED\xBF\xBF",                  // surrogates
                                   "\xF4\x90\x80\x80",                              // over U+10FFFF
                                   "\xF8\x88\x80\x80\x80",                          // 5-byte form
                                   "\xC3\x28"})  // bad continuation
        EXPECT_FALSE(valid(text)) << ::testing::PrintToString(text);
}

TEST(Utf8, PrintableKeepsOrdinaryText) {
    const std::string text =
        "hi Zo\xC3\xAB \xF0\x9F\xA6\x8A 100\xE2\x82\xAC\n\tnext line \xC2\xA0nbsp";
    EXPECT_EQ(printable(text), text);
}

TEST(Utf8, PrintableReplacesEscapeSequences) {
    EXPECT_EQ(printable("a\x1B[31mb"), "a" + replacement + "[31mb");
    EXPECT_EQ(printable("\x1B]0;owned\x07"), replacement + "]0;owned" + replacement);
}

TEST(Utf8, PrintableReplacesC0AndDel) {
    EXPECT_EQ(printable(std::string("a\0b", 3)), "a" + replacement + "b");
    EXPECT_EQ(printable("a\rb"), "a" + replacement + "b");
    EXPECT_EQ(printable("a\x08z"), "a" + replacement + "z");
    EXPECT_EQ(printable("a\x7F"), "a" + replacement);
}

TEST(Utf8, PrintableReplacesC1Controls) {
    EXPECT_EQ(printable("a\xC2\x9B"
                        "31m"),
              "a" + replacement + "31m");  // CSI
    EXPECT_EQ(printable("\xC2\x80\xC2\x9F"), replacement + replacement);
    EXPECT_EQ(printable("\xC2\xA0"), "\xC2\xA0");  // first code point past C1
}

TEST(Utf8, PrintableReplacesEachInvalidByte) {
    EXPECT_EQ(printable("a\xFF\xFE"
                        "b"),
              "a" + replacement + replacement + "b");
    EXPECT_EQ(printable("\xE2\x82"), replacement + replacement);
    EXPECT_EQ(printable("\xC0\xAF"), replacement + replacement);
}

TEST(Utf8, PrintableOutputIsAlwaysValid) {
    std::mt19937 rng(42);
    std::uniform_int_distribution<int> byte(0, 255);
    for (int i = 0; i < 2000; ++i) {
        std::string text(static_cast<std::size_t>(i % 64), '\0');
        for (auto& c : text) c = static_cast<char>(byte(rng));
        const std::string shown = printable(text);
        ASSERT_TRUE(valid(shown)) << ::testing::PrintToString(text);
        EXPECT_EQ(printable(shown), shown);
    }
}

}  // namespace
}  // namespace zchat::utf8
