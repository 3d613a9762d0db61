#pragma once
// `export`: one row per client and period, the columns of SPEC.md in order,
// as RFC 4180 CSV (libcsv quotes the fields) or a JSON array. Rows stream
// from the store to the output, so 100,000 clients need no more memory than 10.

#include <cstdio>
#include <string>

#include "store/store.h"

namespace boletos::report {

enum class ExportFormat { kCsv, kJson };

// The header of the CSV, in order.
const std::vector<std::string>& ExportColumns();

Status WriteExport(store::Store& store, const std::string& period, ExportFormat format, std::FILE* out);

}  // namespace boletos::report
