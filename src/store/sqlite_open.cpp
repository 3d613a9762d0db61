// Opening the SQLite store: folder checks, connection settings, migrations.

#include <algorithm>
#include <filesystem>
#include <system_error>

#include <sqlite3.h>

#include "store/schema.h"
#include "store/sqlite_error.h"
#include "store/sqlite_store.h"

namespace boletos::store {
namespace {

namespace fs = std::filesystem;

Status CheckLocation(const std::string& path) {
  if (path.empty()) return MakeError(ErrorKind::kBadInput, "the database path is empty: pass --db PATH");
  fs::path p(path);
  fs::path folder = p.parent_path().empty() ? fs::path(".") : p.parent_path();
  std::error_code ec;
  if (!fs::is_directory(folder, ec)) {
    return MakeError(ErrorKind::kBadInput,
                     "database folder " + folder.string() + " does not exist: create it or pass --db");
  }
  if (fs::is_directory(p, ec)) {
    return MakeError(ErrorKind::kBadInput, path + " is a folder, not a database file: pass a file path with --db");
  }
  return Status::Ok();
}

// Durability: synchronous=FULL fsyncs the WAL at every commit. NORMAL in
// WAL mode can lose the last commits on power loss, and a lost `done` row
// would make the next run download a boleto whose file already exists;
// FULL costs one fsync per client, which is nothing next to a portal
// round trip. If the file system cannot do WAL (no shared memory, some
// network file systems), SQLite keeps its rollback journal, which is just
// as durable, only less concurrent for readers; so that is not an error.
//
// Memory: the page cache is capped at 512 KiB. SQLite's default, 2 MB, fills
// up during the quick_check at open on a big database, and the worker's RSS
// then grew with the size of the client list (+1.9 MB with 100,000 clients,
// bench/run --big). The per-client queries use indexes and touch a few pages.
void Configure(SQLite::Database& db) {
  db.exec("PRAGMA cache_size = -512");
  db.exec("PRAGMA foreign_keys = ON");
  db.execAndGet("PRAGMA journal_mode = WAL");
  db.exec("PRAGMA synchronous = FULL");
}

}  // namespace

SqliteStore::SqliteStore(std::unique_ptr<SQLite::Database> db, std::string path, SqliteOptions options)
    : db_(std::move(db)), path_(std::move(path)), options_(std::move(options)) {}

Result<std::unique_ptr<Store>> OpenSqliteStore(const std::string& path, SqliteOptions options) {
  if (Status s = CheckLocation(path); !s.ok()) return s.error();
  try {
    auto db = std::make_unique<SQLite::Database>(path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE,
                                                 static_cast<int>(options.busy_wait.count()));
    Configure(*db);
    if (Status s = MigrateSchema(*db, path); !s.ok()) return s.error();
    return std::unique_ptr<Store>(std::make_unique<SqliteStore>(std::move(db), path, std::move(options)));
  } catch (const SQLite::Exception& e) {
    // At open, a damaged file is the user's input to fix, like a bad CSV.
    if (e.getErrorCode() == SQLITE_CORRUPT) {
      return MakeError(ErrorKind::kBadInput, path + " is a damaged database (" + e.what() +
                                                 "): restore a backup, or move it away and pass another --db");
    }
    return SqliteError(path, "open", e);
  }
}

Status SqliteStore::CheckIntegrity() {
  std::lock_guard lock(mu_);
  return Guarded(path_, "integrity check", [&]() -> Status {
    SQLite::Statement q(*db_, "PRAGMA quick_check(5)");
    std::string problems;
    while (q.executeStep()) {
      std::string line = q.getColumn(0).getString();
      if (line == "ok") return Status::Ok();
      std::replace(line.begin(), line.end(), '\n', ' ');  // one log line per problem list
      problems += (problems.empty() ? "" : "; ") + line;
    }
    return MakeError(ErrorKind::kIo, "database " + path_ + " is damaged (" + problems +
                                         "): restore a backup, or move it away and import the clients again");
  });
}

}  // namespace boletos::store
