// config_dir: where zchat keeps what lasts between runs, as the XDG base
// directory rules say: keys and known keys under $XDG_CONFIG_HOME/zchat
// (~/.config/zchat), the broker's name store under $XDG_DATA_HOME/zchat
// (~/.local/share/zchat). Directories are made on first use, mode 0700.
#pragma once

#include <string>

namespace zchat {

// The directory, created if missing; throws with a sentence if it cannot be.
std::string config_dir();
std::string data_dir();
// Where FILE would be in the config directory, without creating anything.
std::string config_path(const std::string& file);

}  // namespace zchat
