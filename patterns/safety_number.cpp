// safety_number: iterated SHA-512 from libsodium, cut into decimal groups.
#include "patterns/safety_number.hpp"

#include <sodium.h>

#include <cstdint>
#include <cstdio>

namespace zchat {
namespace {

constexpr int iterations = 5200;
constexpr std::size_t groups = 6;  // of 5 digits, per side

}  // namespace

std::string safety_digits(std::string_view raw_key, std::string_view name) {
    const auto* key = reinterpret_cast<const unsigned char*>(raw_key.data());
    // Round one hashes version 0 (a big-endian u16), the key and the name;
    // every round appends the key to what the previous one gave.
    std::string first(2, '\0');
    first.append(raw_key).append(name);
    unsigned char h[crypto_hash_sha512_BYTES];
    for (int i = 0; i < iterations; ++i) {
        crypto_hash_sha512_state state;
        crypto_hash_sha512_init(&state);
        if (i == 0)
            crypto_hash_sha512_update(&state, reinterpret_cast<const unsigned char*>(first.data()),
                                      first.size());
        else
            crypto_hash_sha512_update(&state, h, sizeof h);
        crypto_hash_sha512_update(&state, key, raw_key.size());
        crypto_hash_sha512_final(&state, h);
    }
    std::string digits;
    for (std::size_t g = 0; g < groups; ++g) {
        std::uint64_t chunk = 0;
        for (std::size_t b = 0; b < 5; ++b) chunk = (chunk << 8) | h[g * 5 + b];
        char five[8];
        std::snprintf(five, sizeof five, "%05u", static_cast<unsigned>(chunk % 100000));
        digits += five;
    }
    return digits;
}

std::string safety_number(std::string_view raw_key_a, std::string_view name_a,
                          std::string_view raw_key_b, std::string_view name_b) {
    std::string a = safety_digits(raw_key_a, name_a);
    std::string b = safety_digits(raw_key_b, name_b);
    if (b < a) std::swap(a, b);
    const std::string all = a + b;
    std::string out;
    for (std::size_t g = 0; g < all.size() / 5; ++g) {
        if (g == groups)
            out += '\n';
        else if (g > 0)
            out += ' ';
        out += all.substr(g * 5, 5);
    }
    return out;
}

}  // namespace zchat
