// SqliteStore: what `status` and `export` read.

#include <SQLiteCpp/Transaction.h>

#include "store/sqlite_columns.h"
#include "store/sqlite_error.h"
#include "store/sqlite_store.h"

namespace boletos::store {
namespace {

// Rows of jobs joined with their client, newest attempt first.
std::vector<ExportRow> LatestJobs(SQLite::Database& db, const std::string& period, const char* statuses, int limit) {
  SQLite::Statement q(db, std::string("SELECT ") + kExportColumns +
                              " FROM jobs j JOIN clients c ON c.id = j.client_id"
                              " WHERE j.period = ? AND j.status IN (" + statuses +
                              ") ORDER BY j.last_attempt_id DESC LIMIT ?");
  q.bind(1, period);
  q.bind(2, limit);
  std::vector<ExportRow> rows;
  while (q.executeStep()) rows.push_back(ReadExportRow(q, period));
  return rows;
}

}  // namespace

const char* const kExportColumns =
    "c.id, c.name, c.document, j.status, j.file, j.bytes, j.sha256, j.attempts, j.last_error,"
    " j.linha_digitavel, j.barcode, j.bank, j.amount, j.due_date, j.warnings, j.downloaded_at";

ExportRow ReadExportRow(SQLite::Statement& q, const std::string& period) {
  ExportRow r;
  r.id = q.getColumn(0).getString();
  r.name = q.getColumn(1).getString();
  r.document = q.getColumn(2).getString();
  r.period = period;
  r.status = q.getColumn(3).isNull() ? "pending" : q.getColumn(3).getString();
  r.file = OptionalText(q, 4);
  if (!q.getColumn(5).isNull()) r.bytes = q.getColumn(5).getInt64();
  r.sha256 = OptionalText(q, 6);
  r.attempts = q.getColumn(7).isNull() ? 0 : q.getColumn(7).getInt();
  r.last_error = OptionalText(q, 8);
  r.facts.linha_digitavel = OptionalText(q, 9);
  r.facts.barcode = OptionalText(q, 10);
  r.facts.bank = OptionalText(q, 11);
  r.facts.amount = OptionalText(q, 12);
  r.facts.due_date = OptionalText(q, 13);
  if (!q.getColumn(14).isNull()) {
    r.facts.warnings = nlohmann::json::parse(q.getColumn(14).getString()).get<std::vector<std::string>>();
  }
  r.downloaded_at = OptionalText(q, 15);
  return r;
}

Result<StatusReport> SqliteStore::Report(const std::string& period) {
  std::lock_guard lock(mu_);
  return Guarded(path_, "read the status of " + period, [&]() -> Result<StatusReport> {
    SQLite::Transaction read(*db_);  // one snapshot for every number below
    StatusReport report;
    report.period = period;
    PeriodCounts& n = report.counts;
    n.total = db_->execAndGet("SELECT count(*) FROM clients").getInt();
    SQLite::Statement counts(*db_, "SELECT status, count(*) FROM jobs WHERE period = ? GROUP BY status");
    counts.bind(1, period);
    int with_row_not_pending = 0;
    while (counts.executeStep()) {
      std::string status = counts.getColumn(0).getString();
      int count = counts.getColumn(1).getInt();
      if (status == "retrying") n.retrying = count;
      if (status == "failed") n.failed = count;
      if (status == "done") n.done = count;
      if (status == "none") n.none = count;
      if (status != "pending") with_row_not_pending += count;
    }
    n.pending = n.total - with_row_not_pending;  // clients without a row are pending too

    std::vector<ExportRow> last = LatestJobs(*db_, period, "'done'", 1);
    if (!last.empty()) report.last_success = std::move(last.front());
    report.recent_failures = LatestJobs(*db_, period, "'failed', 'retrying'", 10);
    report.recent_runs = QueryRuns("ORDER BY id DESC", 10);

    SQLite::Statement memory(*db_, std::string("SELECT ") + kMemoryColumns +
                                       " FROM memory_samples ORDER BY run_id DESC, rowid DESC LIMIT 1");
    if (memory.executeStep()) report.last_memory = ReadMemorySample(memory);
    read.commit();
    return report;
  });
}

Status SqliteStore::ForEachExportRow(const std::string& period, const std::function<void(const ExportRow&)>& fn) {
  std::lock_guard lock(mu_);
  return Guarded(path_, "export " + period, [&]() -> Status {
    // Streams row by row: memory stays flat whatever the number of clients.
    SQLite::Transaction read(*db_);
    SQLite::Statement q(*db_, std::string("SELECT ") + kExportColumns +
                                  " FROM clients c LEFT JOIN jobs j ON j.client_id = c.id AND j.period = ?"
                                  " ORDER BY c.id");
    q.bind(1, period);
    while (q.executeStep()) fn(ReadExportRow(q, period));
    read.commit();
    return Status::Ok();
  });
}

}  // namespace boletos::store
