// name_rules: what a user's name may be (PROTOCOL.md, Names). The broker
// refuses a name that breaks them; a client checks one before it asks the
// broker anything about it, so that a typo is answered at once and nothing
// is kept for a name no one can hold.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace zchat {

// Why NAME may not be a user's name (nullopt if it may): 1..32 bytes of
// UTF-8, no whitespace, control or invisible characters, not starting with
// '\' (a command) or '#' (a room).
std::optional<std::string> name_refusal(std::string_view name);

}  // namespace zchat
