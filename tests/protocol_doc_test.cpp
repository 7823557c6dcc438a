// protocol_doc: patterns/PROTOCOL.md and the code name the same messages with
// the same fields in the same order, the same error codes, the same limits and
// the same request rules, so neither can change alone.
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "broker/request_table.hpp"
#include "patterns/limits.hpp"
#include "patterns/protocol.hpp"

namespace zchat::protocol {
namespace {

// "name:type" per field, spelled as the grammar lines spell it.
struct FieldTypes {
    std::vector<std::string> out;
    void operator()(std::string_view n, const std::string&) { add(n, "str"); }
    void operator()(std::string_view n, std::uint64_t) { add(n, "uint64"); }
    void operator()(std::string_view n, std::uint32_t) { add(n, "uint32"); }
    void operator()(std::string_view n, bool) { add(n, "bool"); }
    void operator()(std::string_view n, const std::vector<std::string>&) { add(n, "str[]"); }
    void add(std::string_view n, const char* type) { out.push_back(std::string(n) + ":" + type); }
};

std::vector<std::string> code_fields(const Message& m) {
    FieldTypes types;
    std::visit([&](const auto& v) { std::decay_t<decltype(v)>::visit(v, types); }, m);
    return types.out;
}

template <std::size_t... I>
std::vector<Message> one_of_each(std::index_sequence<I...>) {
    return {Message(std::in_place_index<I>)...};
}

std::vector<Message> one_of_each_kind() {
    return one_of_each(std::make_index_sequence<std::variant_size_v<Message>>{});
}

std::vector<std::string> split_fields(const std::string& list) {
    std::vector<std::string> out;
    if (list.empty()) return out;
    std::size_t start = 0;
    for (auto comma = list.find(", "); comma != std::string::npos; comma = list.find(", ", start)) {
        out.push_back(list.substr(start, comma - start));
        start = comma + 2;
    }
    out.push_back(list.substr(start));
    return out;
}

struct Spec {
    std::map<std::string, std::vector<std::string>> grammar;  // kind -> "name:type" fields
    std::map<std::string, int> numbers;                       // kind -> n of "### KIND (n)"
    std::vector<std::string> misplaced;  // grammar lines outside their own section
    std::vector<std::string> repeated;   // kinds with two grammar lines or headings
    // Table rows, first cells, under "## <heading>": heading -> rows -> cells.
    std::map<std::string, std::vector<std::vector<std::string>>> tables;
};

std::vector<std::string> table_cells(const std::string& line) {
    std::vector<std::string> cells;
    std::size_t start = 1;
    for (auto bar = line.find(" |", start); bar != std::string::npos;
         bar = line.find(" |", start)) {
        std::string cell = line.substr(start, bar - start);
        cell.erase(0, cell.find_first_not_of(' '));
        cells.push_back(cell);
        start = bar + 2;
    }
    return cells;
}

Spec parse(std::istream& in) {
    static const std::regex grammar_line(R"(^([A-Z_]+) = \[(.*)\]$)");
    static const std::regex heading(R"(^### ([A-Z_]+) \(([0-9]+)\)$)");
    static const std::regex chapter(R"(^## (.+)$)");
    static const std::regex separator(R"(^\|( --- \|)+$)");
    Spec spec;
    std::string section, chapter_title;
    bool header_row = true;  // the next table row names the columns
    std::smatch match;
    for (std::string line; std::getline(in, line);) {
        if (std::regex_match(line, match, chapter)) {
            chapter_title = match[1];
            header_row = true;
        } else if (line.starts_with("| ") && !std::regex_match(line, separator)) {
            if (!std::exchange(header_row, false))
                spec.tables[chapter_title].push_back(table_cells(line));
        } else if (!line.starts_with("|")) {
            header_row = true;
        }
        if (std::regex_match(line, match, heading)) {
            section = match[1];
            if (!spec.numbers.emplace(section, std::stoi(match[2])).second)
                spec.repeated.push_back(section);
        } else if (std::regex_match(line, match, grammar_line)) {
            const std::string kind = match[1];
            if (!spec.grammar.emplace(kind, split_fields(match[2])).second)
                spec.repeated.push_back(kind);
            if (kind != section) spec.misplaced.push_back(kind);
        }
    }
    return spec;
}

class ProtocolDoc : public ::testing::Test {
  protected:
    void SetUp() override {
        std::ifstream in(ZCHAT_SOURCE_DIR "/patterns/PROTOCOL.md");
        ASSERT_TRUE(in) << "cannot read " ZCHAT_SOURCE_DIR "/patterns/PROTOCOL.md";
        spec_ = parse(in);
    }
    Spec spec_;
};

std::set<std::string> code_kinds() { return {std::begin(kind_names), std::end(kind_names)}; }

template <class V>
std::set<std::string> keys(const std::map<std::string, V>& m) {
    std::set<std::string> out;
    for (const auto& [k, v] : m) out.insert(k);
    return out;
}

TEST_F(ProtocolDoc, GrammarLinesNameExactlyTheCodesKinds) {
    EXPECT_EQ(keys(spec_.grammar), code_kinds());
    EXPECT_TRUE(spec_.repeated.empty()) << "repeated: " << ::testing::PrintToString(spec_.repeated);
}

TEST_F(ProtocolDoc, GrammarFieldsMatchVisitInWireOrder) {
    for (const auto& m : one_of_each_kind()) {
        const std::string kind(kind_name(m));
        const auto it = spec_.grammar.find(kind);
        if (it == spec_.grammar.end()) {
            ADD_FAILURE() << "PROTOCOL.md has no grammar line for " << kind;
            continue;
        }
        EXPECT_EQ(it->second, code_fields(m)) << "fields of " << kind;
    }
}

TEST_F(ProtocolDoc, SectionHeadingsCarryTheWireKind) {
    EXPECT_EQ(keys(spec_.numbers), code_kinds());
    for (std::size_t i = 0; i < std::size(kind_names); ++i) {
        const auto it = spec_.numbers.find(std::string(kind_names[i]));
        if (it != spec_.numbers.end()) {
            EXPECT_EQ(it->second, static_cast<int>(i + 1)) << kind_names[i];
        }
    }
}

TEST_F(ProtocolDoc, EachGrammarLineSitsInItsOwnSection) {
    EXPECT_TRUE(spec_.misplaced.empty()) << ::testing::PrintToString(spec_.misplaced);
}

TEST_F(ProtocolDoc, ErrorCodeTableIsTheCodes) {
    std::map<std::string, std::string> doc, code;
    for (const auto& row : spec_.tables["Error codes"]) doc[row.at(0)] = row.at(1);
    for (const auto& [value, name] : error_code_names)
        code[std::to_string(static_cast<int>(value))] = name;
    EXPECT_EQ(doc, code);
}

TEST_F(ProtocolDoc, LimitsTableIsLimitsHpp) {
    std::map<std::string, std::string> doc, code;
    for (const auto& row : spec_.tables["Limits"]) doc[row.at(0)] = row.at(1);
    for (const auto& [name, value] : limits::documented)
        code[std::string(name)] = std::to_string(value);
    EXPECT_EQ(doc, code);
}

TEST_F(ProtocolDoc, RequestTableIsTheBrokers) {
    std::vector<std::vector<std::string>> code;
    for (const auto& rule : broker::RequestTable::rules())
        code.push_back({std::string(rule.kind), std::string(broker::needs_name(rule.needs)),
                        std::to_string(rule.cost)});
    EXPECT_EQ(spec_.tables["Requests and flood control"], code);
}

// The checker itself: a line off the exact form must not pass as a grammar line.
TEST(ProtocolDocParser, ReadsOnlyTheExactForm) {
    std::istringstream text(
        "### SAY (6)\n"
        "SAY = [cseq:uint64, text:str]\n"
        "PING = []\n"
        " USERS = [cseq:uint64]\n"
        "BYE = reason:str\n");
    const Spec spec = parse(text);
    EXPECT_EQ(keys(spec.grammar), (std::set<std::string>{"SAY", "PING"}));
    EXPECT_EQ(spec.grammar.at("SAY"), (std::vector<std::string>{"cseq:uint64", "text:str"}));
    EXPECT_TRUE(spec.grammar.at("PING").empty());
    EXPECT_EQ(spec.misplaced, std::vector<std::string>{"PING"});
    EXPECT_EQ(spec.numbers.at("SAY"), 6);
}

TEST(ProtocolDocParser, ReadsTableRowsUnderTheirChapterWithoutTheHeader) {
    std::istringstream text(
        "## Error codes\n"
        "\n"
        "| code | name | meaning |\n"
        "| --- | --- | --- |\n"
        "| 1 | bad_message | undecodable |\n"
        "| 2 | not_registered | send HELLO |\n");
    const Spec spec = parse(text);
    EXPECT_EQ(spec.tables.at("Error codes"),
              (std::vector<std::vector<std::string>>{{"1", "bad_message", "undecodable"},
                                                     {"2", "not_registered", "send HELLO"}}));
}

}  // namespace
}  // namespace zchat::protocol
