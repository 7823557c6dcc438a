// curve_keys: libzmq's Z85 and keypair functions, libsodium's SHA-256 and base64.
#include "patterns/curve_keys.hpp"

#include <sodium.h>
#include <zmq.h>

#include <algorithm>
#include <stdexcept>

namespace zchat {

CurveKeys generate_curve_keys() {
    char pub[41] = {}, sec[41] = {};
    if (zmq_curve_keypair(pub, sec) != 0)
        throw std::runtime_error("cannot make a CURVE key: libzmq was built without CURVE");
    CurveKeys keys{pub, sec};
    sodium_memzero(sec, sizeof sec);
    return keys;
}

std::string raw_key(std::string_view z85) {
    if (z85.size() != 40) return {};
    const std::string text(z85);
    std::string raw(32, '\0');
    if (!zmq_z85_decode(reinterpret_cast<std::uint8_t*>(raw.data()), text.c_str())) return {};
    return raw;
}

bool valid_curve_key(std::string_view text) {
    const std::string raw = raw_key(text);
    return raw.size() == 32 && std::any_of(raw.begin(), raw.end(), [](char c) { return c != 0; });
}

std::optional<std::string> public_key_of(std::string_view secret_z85) {
    if (!valid_curve_key(secret_z85)) return std::nullopt;
    const std::string secret(secret_z85);
    char pub[41] = {};
    if (zmq_curve_public(pub, secret.c_str()) != 0) return std::nullopt;
    return std::string(pub);
}

std::string key_fingerprint(std::string_view public_z85) {
    const std::string raw = raw_key(public_z85);
    if (raw.size() != 32) return "SHA256:?";
    unsigned char digest[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(raw.data()), raw.size());
    char b64[sodium_base64_ENCODED_LEN(crypto_hash_sha256_BYTES,
                                       sodium_base64_VARIANT_ORIGINAL_NO_PADDING)];
    sodium_bin2base64(b64, sizeof b64, digest, sizeof digest,
                      sodium_base64_VARIANT_ORIGINAL_NO_PADDING);
    return std::string("SHA256:") + b64;
}

}  // namespace zchat
