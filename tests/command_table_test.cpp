// command_table: every spelling, argument rules, what each command needs,
// and what is never sent as chat.
#include "client/command_table.hpp"

#include <gtest/gtest.h>

#include "client/chat_client.hpp"

using zchat::client::parse_line;
using Type = zchat::client::ParsedLine::Type;

namespace {

// The table entry whose first spelling is NAME.
const zchat::client::Command* command(std::string_view name) {
    for (const auto& c : zchat::client::command_table())
        if (c.spellings.front() == name) return &c;
    return nullptr;
}

}  // namespace

TEST(CommandTable, PlainTextIsText) {
    const auto p = parse_line("hello there");
    EXPECT_EQ(p.type, Type::text);
    EXPECT_EQ(p.argument, "hello there");
}

TEST(CommandTable, EverySpellingParses) {
    const std::pair<const char*, const char*> cases[] = {
        {"\\quit", "quit"},
        {"\\q", "quit"},
        {"\\users", "users"},
        {"\\fork bob", "fork"},
        {"\\sessions", "sessions"},
        {"\\ss", "sessions"},
        {"\\switch 2", "switch"},
        {"\\sw 2", "switch"},
        {"\\lobby", "lobby"},
        {"\\lob", "lobby"},
        {"\\leave", "leave"},
        {"\\help", "help"},
        {"\\h", "help"},
    };
    for (const auto& [line, name] : cases) {
        const auto p = parse_line(line);
        EXPECT_EQ(p.type, Type::command) << line;
        EXPECT_EQ(p.command, command(name)) << line;
    }
}

// The conditions live in the table, next to the handler, and are checked in
// one place: commands that ask the broker need it, \leave needs a session.
TEST(CommandTable, EveryEntryCarriesItsHandlerAndNeeds) {
    using namespace zchat::client;
    for (const auto& c : command_table()) {
        EXPECT_NE(c.run, nullptr) << c.spellings.front();
        EXPECT_FALSE(c.help.empty()) << c.spellings.front();
    }
    EXPECT_TRUE(command("users")->needs & needs_broker);
    EXPECT_TRUE(command("fork")->needs & needs_broker);
    EXPECT_TRUE(command("leave")->needs & needs_private_session);
    for (const char* anywhere_ok : {"quit", "sessions", "switch", "lobby", "help"})
        EXPECT_EQ(command(anywhere_ok)->needs, 0u) << anywhere_ok;
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
