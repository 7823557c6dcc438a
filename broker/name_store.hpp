// name_store: which key holds which name, kept across broker restarts in an
// SQLite file (crash-safe, no server). While a key holds a name, no other key
// may register under it; a record lasts `ttl` after its key was last seen
// (registered or left), then the name is free again. A key holds at most one
// name: registering under another releases the old one.
//
// Every call is one short statement on the broker's event loop thread;
// WAL with synchronous=NORMAL costs about 0.05 ms per write here.
#pragma once

#include <sqlite3.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace zchat::broker {

// A store that cannot be opened or written: a sentence naming the file.
struct NameStoreError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

class NameStore {
  public:
    using Seconds = std::int64_t;  // Unix time

    // PATH: a file, created with mode 0600, or ":memory:" (nothing lasts).
    NameStore(const std::string& path, std::chrono::seconds ttl);

    // The key holding NAME at NOW, if a live record says one does.
    std::optional<std::string> holder(std::string_view name, Seconds now);
    // KEY now holds NAME (its previous name, if any, is released); the
    // record lasts ttl from NOW.
    void bind(std::string_view name, std::string_view key, Seconds now);
    // KEY was seen at NOW: its record lasts ttl from then.
    void seen(std::string_view key, Seconds now);
    // Drops records that have run out; returns how many.
    std::size_t forget_expired(Seconds now);
    std::size_t size();
    std::chrono::seconds ttl() const { return ttl_; }

  private:
    struct CloseDb {
        void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
    };
    struct Finalize {
        void operator()(sqlite3_stmt* s) const { sqlite3_finalize(s); }
    };
    using Statement = std::unique_ptr<sqlite3_stmt, Finalize>;

    Statement prepare(const char* sql);
    void exec(const char* sql);
    // Runs S, bound by the caller, to its end and resets it.
    void run(sqlite3_stmt* s, const char* what);
    [[noreturn]] void fail(const std::string& what);

    std::string path_;
    std::chrono::seconds ttl_;
    std::unique_ptr<sqlite3, CloseDb> db_;
    Statement holder_;
    Statement release_;
    Statement bind_;
    Statement seen_;
    Statement expire_;
    Statement count_;
};

}  // namespace zchat::broker
