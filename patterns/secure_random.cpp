// secure_random: getrandom(2), retried until every byte is filled.
#include "secure_random.hpp"

#include <sys/random.h>

#include <cerrno>
#include <stdexcept>
#include <vector>

namespace zchat {

namespace {

std::vector<unsigned char> random_bytes(std::size_t bits) {
    std::vector<unsigned char> bytes(bits / 8);
    std::size_t filled = 0;
    while (filled < bytes.size()) {
        const ssize_t n = ::getrandom(bytes.data() + filled, bytes.size() - filled, 0);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) throw std::runtime_error("getrandom failed: the OS has no randomness to give");
        filled += static_cast<std::size_t>(n);
    }
    return bytes;
}

}  // namespace

std::string random_hex(std::size_t bits) {
    const auto bytes = random_bytes(bits);
    static constexpr char hex[] = "0123456789abcdef";
    std::string out;
    out.reserve(bytes.size() * 2);
    for (const unsigned char b : bytes) {
        out += hex[b >> 4];
        out += hex[b & 0x0F];
    }
    return out;
}

std::string random_base64url(std::size_t bits) {
    const auto bytes = random_bytes(bits);
    std::string out;
    out.reserve((bytes.size() * 8 + 5) / 6);
    unsigned int pending = 0;  // its low PENDING_BITS bits are not written yet
    int pending_bits = 0;
    for (const unsigned char b : bytes) {
        pending = ((pending << 8) | b) & 0x3FFF;
        pending_bits += 8;
        while (pending_bits >= 6) {
            pending_bits -= 6;
            out += base64url_alphabet[(pending >> pending_bits) & 0x3F];
        }
    }
    if (pending_bits > 0) out += base64url_alphabet[(pending << (6 - pending_bits)) & 0x3F];
    return out;
}

}  // namespace zchat
