// curve_keys: a long-term CURVE keypair (X25519, as libzmq and libsodium use
// it) in Z85 text, the form libzmq's socket options take; its fingerprint for
// people to compare; and the checks a key from anywhere must pass.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace zchat {

struct CurveKeys {
    std::string public_z85;  // 40 characters
    std::string secret_z85;  // 40 characters; never leaves this process
};

// A fresh keypair from the OS's randomness (libzmq's zmq_curve_keypair).
CurveKeys generate_curve_keys();
// True if TEXT is 40 Z85 characters decoding to a key that is not all zeros.
bool valid_curve_key(std::string_view text);
// The public key belonging to SECRET, if SECRET is a valid key.
std::optional<std::string> public_key_of(std::string_view secret_z85);
// "SHA256:" and the SHA-256 of the 32 raw key bytes in base64, SSH style.
std::string key_fingerprint(std::string_view public_z85);
// The 32 raw bytes of a valid Z85 key.
std::string raw_key(std::string_view z85);

}  // namespace zchat
