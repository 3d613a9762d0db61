#pragma once
// SQLite exceptions stay inside the store: every entry point runs its body
// under Guarded(), which turns SQLiteCpp and JSON exceptions into an Error
// naming the database file and the operation. Other exceptions (bad_alloc)
// are not ours to hide and pass through.

#include <string>

#include <SQLiteCpp/Exception.h>
#include <nlohmann/json.hpp>

#include "core/result.h"

namespace boletos::store {

// kBusy for a lock held past busy_timeout, kBadInput for a file that is not
// a database, kIo for everything else (disk full, I/O error, corruption...).
Error SqliteError(const std::string& db_path, const std::string& operation, const SQLite::Exception& e);

template <class F>
auto Guarded(const std::string& db_path, const std::string& operation, F&& body) -> decltype(body()) {
  try {
    return body();
  } catch (const SQLite::Exception& e) {
    return SqliteError(db_path, operation, e);
  } catch (const nlohmann::json::exception& e) {
    return MakeError(ErrorKind::kIo, "database " + db_path + ": " + operation +
                                         ": a JSON value could not be written or read (" + e.what() + ")");
  }
}

}  // namespace boletos::store
