// command_table: every spelling, argument rules, and what is never sent as chat.
#include "client/command_table.hpp"

#include <gtest/gtest.h>

using zchat::client::CommandKind;
using zchat::client::parse_line;
using Type = zchat::client::ParsedLine::Type;

TEST(CommandTable, PlainTextIsText) {
    const auto p = parse_line("hello there");
    EXPECT_EQ(p.type, Type::text);
    EXPECT_EQ(p.argument, "hello there");
}

TEST(CommandTable, EverySpellingParses) {
    const std::pair<const char*, CommandKind> cases[] = {
        {"\\quit", CommandKind::quit},      {"\\users", CommandKind::users},
        {"\\fork bob", CommandKind::fork},  {"\\sessions", CommandKind::sessions},
        {"\\ss", CommandKind::sessions},    {"\\switch 2", CommandKind::switch_to},
        {"\\sw 2", CommandKind::switch_to}, {"\\lobby", CommandKind::lobby},
        {"\\lob", CommandKind::lobby},      {"\\leave", CommandKind::leave},
        {"\\help", CommandKind::help},
    };
    for (const auto& [line, kind] : cases) {
        const auto p = parse_line(line);
        EXPECT_EQ(p.type, Type::command) << line;
        EXPECT_EQ(p.command, kind) << line;
    }
}

TEST(CommandTable, ArgumentIsTrimmed) {
    const auto p = parse_line("\\fork   bobby  ");
    EXPECT_EQ(p.type, Type::command);
    EXPECT_EQ(p.argument, "bobby");
}

TEST(CommandTable, UnknownCommandIsAnErrorNotText) {
    const auto p = parse_line("\\frok bobby");
    EXPECT_EQ(p.type, Type::error);
    EXPECT_NE(p.error.find("\\help"), std::string::npos);
}

TEST(CommandTable, MissingOrExtraArgumentIsAnError) {
    EXPECT_EQ(parse_line("\\fork").type, Type::error);
    EXPECT_EQ(parse_line("\\sw").type, Type::error);
    EXPECT_EQ(parse_line("\\quit now").type, Type::error);
    EXPECT_EQ(parse_line("\\").type, Type::error);
}

TEST(CommandTable, DoubleBackslashSendsALiteralLine) {
    const auto p = parse_line("\\\\o/ hi");
    EXPECT_EQ(p.type, Type::text);
    EXPECT_EQ(p.argument, "\\o/ hi");
}

TEST(CommandTable, HelpListsEveryCommand) {
    const auto lines = zchat::client::help_lines();
    std::string all;
    for (const auto& l : lines) all += l + "\n";
    for (const auto& spec : zchat::client::command_table())
        for (const auto spelling : spec.spellings)
            EXPECT_NE(all.find("\\" + std::string(spelling)), std::string::npos);
}
