#pragma once
// The store's schema as a list of migrations in code. PRAGMA user_version
// holds how many have been applied; each runs in its own transaction with
// the version bump, so a crash mid-migration leaves the previous version.
// Append new migrations; never edit one that has shipped.

#include <string>

#include <SQLiteCpp/Database.h>

#include "core/result.h"

namespace boletos::store {

// The version a fully migrated database has.
int LatestSchemaVersion();

// Brings db up to LatestSchemaVersion(). A database written by a newer
// boletos, or a SQLite file that holds someone else's tables, is kBadInput
// and left untouched. Throws SQLite::Exception on SQLite errors (the caller
// guards it).
Status MigrateSchema(SQLite::Database& db, const std::string& db_path);

}  // namespace boletos::store
