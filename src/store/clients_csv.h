#pragma once
// The clients file: CSV (RFC 4180), UTF-8, a header row. Required columns
// `id` and `name`; `document` is usual; every column is kept by name in
// Client::columns. A UTF-8 BOM at the start is skipped. Spaces and tabs
// around an unquoted field are trimmed; inside quotes nothing is.
// Blank lines are skipped.

#include <string>
#include <vector>

#include "core/result.h"
#include "store/store.h"

namespace boletos::store {

// Reads and checks the whole file; the first problem rejects all of it.
// Every error is kBadInput and starts with "PATH line N:" (N: the 1-based
// physical line where the bad record starts), except a file that cannot be
// read. Problems: file not found; no header row; header without `id` or
// `name` (names the columns found); an empty or repeated header column;
// unbalanced quotes; a row with more or fewer fields than the header; an
// empty id; an id seen before (names both lines); invalid UTF-8.
Result<std::vector<Client>> ReadClientsCsv(const std::string& path);

}  // namespace boletos::store
