// secure_random: getrandom(2), retried until every byte is filled.
#include "secure_random.hpp"

#include <sodium.h>
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
    std::string out(bytes.size() * 2 + 1, '\0');
    sodium_bin2hex(out.data(), out.size(), bytes.data(), bytes.size());
    out.pop_back();  // the terminating NUL
    return out;
}

std::string random_base64url(std::size_t bits) {
    const auto bytes = random_bytes(bits);
    constexpr int variant = sodium_base64_VARIANT_URLSAFE_NO_PADDING;
    std::string out(sodium_base64_ENCODED_LEN(bytes.size(), variant), '\0');
    sodium_bin2base64(out.data(), out.size(), bytes.data(), bytes.size(), variant);
    out.resize(out.size() - 1);  // the terminating NUL
    return out;
}

}  // namespace zchat
