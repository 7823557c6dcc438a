// request_table: every message a client may send the broker, in one table:
// whether it needs a registration or a live lobby subscription first, what it
// costs in its connection's and its host's bucket, and its handler.
// PROTOCOL.md's request table is checked against this one.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>
#include <vector>

#include "patterns/protocol.hpp"

namespace zchat::broker {

class Broker;
struct Request;

enum class Needs {
    nothing,       // anyone may send it; it also takes from the overall HELLO bucket
    registration,  // a WELCOME first
    joined,        // a live lobby subscription first: only the announced may speak
};

struct RequestRule {
    std::string_view kind;  // as PROTOCOL.md names it
    Needs needs;
    std::uint32_t cost;  // tokens from the connection's and the host's bucket
    void (Broker::*handle)(Request&);
};

struct RequestTable {
    // The rule for M, or nullptr if M is not something a client may ask.
    static const RequestRule* rule_for(const protocol::Message& m);
    // Every rule, in wire-kind order.
    static std::vector<RequestRule> rules();

  private:
    using Table = std::array<const RequestRule*, std::variant_size_v<protocol::Message>>;
    static const Table& table();  // indexed by wire kind - 1; nullptr: not a request
};

std::string_view needs_name(Needs needs);

}  // namespace zchat::broker
