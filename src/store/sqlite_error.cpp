#include "store/sqlite_error.h"

#include <sqlite3.h>

namespace boletos::store {

Error SqliteError(const std::string& db_path, const std::string& operation, const SQLite::Exception& e) {
  const std::string where = "database " + db_path + ": " + operation + " failed: " + e.what();
  switch (e.getErrorCode()) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return MakeError(ErrorKind::kBusy, where + " (another process, a run, an import, a retry or a sqlite3 shell, kept the database"
                                         " locked longer than this command waits: try again when it is done)");
    case SQLITE_NOTADB:
      return MakeError(ErrorKind::kBadInput,
                       db_path + " is not a boletos database (" + e.what() + "): move it away or pass another --db");
    case SQLITE_CORRUPT:
      return MakeError(ErrorKind::kIo, where + ": the database file is damaged; restore a backup or move it away");
    case SQLITE_FULL:
      return MakeError(ErrorKind::kIo, where + ": the disk is full; free some space and run again");
    case SQLITE_READONLY:
    case SQLITE_CANTOPEN:
    case SQLITE_PERM:
      return MakeError(ErrorKind::kIo, where + ": check the permissions of the file and its folder");
    default:
      return MakeError(ErrorKind::kIo, where);
  }
}

}  // namespace boletos::store
