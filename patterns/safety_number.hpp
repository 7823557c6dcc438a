// safety_number: the number two users compare out of band to know that no
// one (not even the broker that introduced them) stands between their keys.
// Signal's scheme (NumericFingerprintGenerator, version 0): each side's 30
// digits come from 5200 rounds of SHA-512 over its own key and name, and the
// pair's 60 digits are the two halves in order, so both screens show the same
// number and it changes if either key or either name does. PROTOCOL.md
// ("Security") gives the computation exactly, with a test vector.
#pragma once

#include <string>
#include <string_view>

namespace zchat {

// 30 digits for one side: KEY is the raw 32-byte public key, NAME its user's name.
std::string safety_digits(std::string_view raw_key, std::string_view name);
// The pair's 60 digits, the smaller half first, in 12 groups of 5 on two lines.
std::string safety_number(std::string_view raw_key_a, std::string_view name_a,
                          std::string_view raw_key_b, std::string_view name_b);

}  // namespace zchat
