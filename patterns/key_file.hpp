// key_file: a long-term secret key kept on disk as SSH keeps one: created
// once, mode 0600, never overwritten, and refused when anyone but its owner
// may read or write it. The text form:
//
//   # zchat CURVE key. Keep it private (mode 0600).
//   public-key <40 Z85 characters>
//   secret-key <40 Z85 characters>
#pragma once

#include <stdexcept>
#include <string>

#include "patterns/curve_keys.hpp"

namespace zchat {

// Why a key file cannot be used: a sentence that names the file and the fix.
struct KeyFileError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

struct LoadedKeys {
    CurveKeys keys;
    bool created = false;  // made just now: the caller says so
};

// Reads PATH, or creates it with fresh keys if it does not exist.
LoadedKeys load_or_create_keys(const std::string& path);

}  // namespace zchat
