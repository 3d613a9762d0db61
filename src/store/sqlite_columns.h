#pragma once
// Reading SQLite columns that may be NULL.

#include <string>

#include <SQLiteCpp/Column.h>
#include <SQLiteCpp/Statement.h>

namespace boletos::store {

// The column's text, or "" when it is NULL.
inline std::string OptionalText(SQLite::Statement& q, int col) {
  return q.getColumn(col).isNull() ? std::string() : q.getColumn(col).getString();
}

}  // namespace boletos::store
