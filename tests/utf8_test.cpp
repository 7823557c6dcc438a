// utf8: validation, and rendering that keeps text readable but never lets a
// peer drive the terminal.
#include "patterns/utf8.hpp"

#include <gtest/gtest.h>

#include <clocale>
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

namespace zchat::utf8 {
namespace {

const std::string fffd = "\xEF\xBF\xBD";

TEST(Utf8, PrintableReplacesBidirectionalControls) {
    for (const std::string control : {"\u202A", "\u202B", "\u202C", "\u202D", "\u202E", "\u2066",
                                      "\u2067", "\u2068", "\u2069", "\u200E", "\u200F", "\u061C"})
        EXPECT_EQ(printable("a" + control + "b"), "a" + fffd + "b")
            << ::testing::PrintToString(control);
    EXPECT_EQ(printable("\u2070\u2010"), "\u2070\u2010") << "neighbours are ordinary text";
}

TEST(Utf8, OneLineSpellsNewlineAndTab) {
    EXPECT_EQ(one_line("bye\n[lobby] alice: hi\tthere"), "bye\\n[lobby] alice: hi\\tthere");
    EXPECT_EQ(one_line("a\r\x1b[2Kb"), "a" + fffd + fffd + "[2Kb");
    EXPECT_EQ(one_line("plain"), "plain");
    EXPECT_EQ(one_line("").find('\n'), std::string::npos);
}

TEST(Utf8, LineCountIsNewlinesPlusOne) {
    EXPECT_EQ(line_count(""), 1u);
    EXPECT_EQ(line_count("one"), 1u);
    EXPECT_EQ(line_count("one\ntwo"), 2u);
    EXPECT_EQ(line_count("\n\n\n"), 4u);
}

TEST(Utf8, DisplayWidthCountsColumns) {
    std::setlocale(LC_CTYPE, "C.UTF-8");
    EXPECT_EQ(display_width("abc"), 3u);
    EXPECT_EQ(display_width("Zo\xC3\xAB"), 3u);
    EXPECT_EQ(display_width("\xE4\xBD\xA0\xE5\xA5\xBD"), 4u) << "two wide characters";
}

TEST(Utf8, WrapIndentsEveryFurtherRow) {
    std::setlocale(LC_CTYPE, "C.UTF-8");
    const auto rows = wrap(std::string(25, 'x'), 10, "    ");
    ASSERT_EQ(rows.size(), 4u);
    EXPECT_EQ(rows[0], std::string(10, 'x'));
    EXPECT_EQ(rows[1], "    " + std::string(6, 'x'));
    EXPECT_EQ(rows[3], "    " + std::string(3, 'x'));
    EXPECT_EQ(wrap("short", 10, "    "), std::vector<std::string>{"short"});
}

TEST(Utf8, WrapCountsNoColumnsForColourCodes) {
    std::setlocale(LC_CTYPE, "C.UTF-8");
    const std::string painted = "\x1b[36m[lobby]\x1b[0m " + std::string(72, 'y');
    EXPECT_EQ(wrap(painted, 80, "    ").size(), 1u) << "80 columns of text fit in 80";
    EXPECT_EQ(wrap(painted + "z", 80, "    ").size(), 2u);
}

}  // namespace
}  // namespace zchat::utf8
