// known_keys: the keys this user has decided to trust, kept as SSH keeps
// known_hosts: one line per entry, "<label> <key>", where the key is the last
// field (Z85 has no space) and the label everything before it:
//
//   known_brokers:  <rendezvous endpoint as dialled> <broker key>
//   known_peers:    <broker key> <user name> <user key>
//
// Lines that are blank or start with '#' are comments. A pin is never
// replaced behind the user's back: a key that differs is the caller's to
// refuse, and only an explicit act (\trust, or editing the file) changes it.
#pragma once

#include <optional>
#include <stdexcept>
#include <string>

namespace zchat::client {

struct KnownKeysError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

class KnownKeys {
  public:
    struct Entry {
        std::string key;
        int line = 0;  // 1-based, for messages that send the user to the file
    };

    explicit KnownKeys(std::string path) : path_(std::move(path)) {}

    const std::string& path() const { return path_; }
    // The first entry for LABEL; nullopt if none (or no file yet).
    std::optional<Entry> find(const std::string& label) const;
    // Appends "LABEL KEY", creating the file (mode 0600) if needed.
    void add(const std::string& label, const std::string& key);
    // Makes KEY the one pinned for LABEL, dropping any other line for it;
    // the file is rewritten whole and renamed over the old one.
    void replace(const std::string& label, const std::string& key);
    // "FILE line N", for messages.
    std::string where(const Entry& e) const { return path_ + " line " + std::to_string(e.line); }

  private:
    std::string path_;
};

}  // namespace zchat::client
