// secure_random: secrets a stranger must not guess (subscription tickets,
// fork tokens), drawn from the OS CSPRNG (getrandom), never from a seeded
// generator whose state can be recovered from what it has already produced.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace zchat {

// BITS random bits (a multiple of 8) as lowercase hex. Throws if the OS
// cannot provide them, which on Linux only happens before the pool is seeded.
std::string random_hex(std::size_t bits);

// BITS random bits (a multiple of 8) in unpadded base64url (RFC 4648 5,
// libsodium's encoder): 128 bits in 22 characters, where hex takes 32.
// Throws as random_hex does.
std::string random_base64url(std::size_t bits);
// Its 64 characters, in the order of their values: what a ticket is spelled in.
inline constexpr std::string_view base64url_alphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

}  // namespace zchat
