// name_store: the schema, and one prepared statement per question.
#include "broker/name_store.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace zchat::broker {
namespace {

constexpr const char* schema = R"(
PRAGMA journal_mode=WAL;
PRAGMA synchronous=NORMAL;
CREATE TABLE IF NOT EXISTS names(
  name       TEXT    PRIMARY KEY,
  public_key TEXT    NOT NULL UNIQUE CHECK (length(public_key) = 40),
  bound_at   INTEGER NOT NULL,
  expires_at INTEGER NOT NULL
) STRICT;
CREATE INDEX IF NOT EXISTS names_expiry ON names(expires_at);
PRAGMA user_version=1;
)";

// A file the store will create gets mode 0600 first: names and keys are no
// secret, but no one else should be able to rewrite who holds which name.
void create_private(const std::string& path) {
    if (path == ":memory:") return;
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
    if (fd >= 0) ::close(fd);
}

void bind_text(sqlite3_stmt* s, int at, std::string_view text) {
    sqlite3_bind_text(s, at, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
}

}  // namespace

NameStore::NameStore(const std::string& path, std::chrono::seconds ttl) : path_(path), ttl_(ttl) {
    create_private(path);
    sqlite3* db = nullptr;
    const int rc =
        sqlite3_open_v2(path.c_str(), &db,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
    db_.reset(db);
    if (rc != SQLITE_OK) fail("cannot open");
    sqlite3_extended_result_codes(db, 1);
    // Only an operator's sqlite3 shell could hold the lock; every ZAP answer waits meanwhile.
    sqlite3_busy_timeout(db, 200);
    exec(schema);
    holder_ = prepare("SELECT public_key FROM names WHERE name = ?1 AND expires_at > ?2");
    release_ = prepare("DELETE FROM names WHERE public_key = ?1 AND name != ?2");
    bind_ = prepare(
        "INSERT INTO names(name, public_key, bound_at, expires_at) VALUES(?1, ?2, ?3, ?3 + ?4) "
        "ON CONFLICT(name) DO UPDATE SET public_key = excluded.public_key, "
        "bound_at = CASE WHEN public_key = excluded.public_key THEN bound_at "
        "ELSE excluded.bound_at END, expires_at = excluded.expires_at");
    seen_ = prepare("UPDATE names SET expires_at = ?2 + ?3 WHERE public_key = ?1");
    expire_ = prepare("DELETE FROM names WHERE expires_at <= ?1");
    count_ = prepare("SELECT count(*) FROM names");
}

NameStore::Statement NameStore::prepare(const char* sql) {
    sqlite3_stmt* s = nullptr;
    if (sqlite3_prepare_v3(db_.get(), sql, -1, SQLITE_PREPARE_PERSISTENT, &s, nullptr) != SQLITE_OK)
        fail("cannot prepare a statement for");
    return Statement(s);
}

void NameStore::exec(const char* sql) {
    if (sqlite3_exec(db_.get(), sql, nullptr, nullptr, nullptr) != SQLITE_OK) fail("cannot set up");
}

void NameStore::fail(const std::string& what) {
    const std::string why = db_ ? sqlite3_errmsg(db_.get()) : "out of memory";
    throw NameStoreError("name store " + path_ + ": " + what + ": " + why);
}

void NameStore::run(sqlite3_stmt* s, const char* what) {
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
    }
    sqlite3_reset(s);
    sqlite3_clear_bindings(s);
    if (rc != SQLITE_DONE) fail(what);
}

std::optional<std::string> NameStore::holder(std::string_view name, Seconds now) {
    auto* s = holder_.get();
    bind_text(s, 1, name);
    sqlite3_bind_int64(s, 2, now);
    std::optional<std::string> key;
    const int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW)
        key.emplace(reinterpret_cast<const char*>(sqlite3_column_text(s, 0)),
                    static_cast<std::size_t>(sqlite3_column_bytes(s, 0)));
    sqlite3_reset(s);
    sqlite3_clear_bindings(s);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) fail("cannot read");
    return key;
}

void NameStore::bind(std::string_view name, std::string_view key, Seconds now) {
    exec("BEGIN IMMEDIATE");
    try {
        bind_text(release_.get(), 1, key);
        bind_text(release_.get(), 2, name);
        run(release_.get(), "cannot release a name in");
        bind_text(bind_.get(), 1, name);
        bind_text(bind_.get(), 2, key);
        sqlite3_bind_int64(bind_.get(), 3, now);
        sqlite3_bind_int64(bind_.get(), 4, ttl_.count());
        run(bind_.get(), "cannot record a name in");
    } catch (const NameStoreError&) {
        sqlite3_exec(db_.get(), "ROLLBACK", nullptr, nullptr, nullptr);
        throw;
    }
    exec("COMMIT");
}

void NameStore::seen(std::string_view key, Seconds now) {
    bind_text(seen_.get(), 1, key);
    sqlite3_bind_int64(seen_.get(), 2, now);
    sqlite3_bind_int64(seen_.get(), 3, ttl_.count());
    run(seen_.get(), "cannot refresh a record in");
}

std::size_t NameStore::forget_expired(Seconds now) {
    sqlite3_bind_int64(expire_.get(), 1, now);
    run(expire_.get(), "cannot expire records in");
    return static_cast<std::size_t>(sqlite3_changes(db_.get()));
}

std::size_t NameStore::size() {
    auto* s = count_.get();
    const int rc = sqlite3_step(s);
    const auto n = rc == SQLITE_ROW ? sqlite3_column_int64(s, 0) : 0;
    sqlite3_reset(s);
    if (rc != SQLITE_ROW) fail("cannot count the records in");
    return static_cast<std::size_t>(n);
}

}  // namespace zchat::broker
