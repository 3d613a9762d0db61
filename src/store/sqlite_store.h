#pragma once
// SqliteStore: the embedded Store. One connection, WAL, synchronous=FULL,
// busy_timeout from SqliteOptions (5 s; a run's, kRunBusyWait). Calls are
// serialised by a mutex, so the job loop and a
// status thread may share one instance; ForEachExportRow holds it while it
// calls fn, so fn must not call back into the store.
// Internal: users get it through OpenSqliteStore() in store.h.

#include <memory>
#include <mutex>
#include <string>

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

#include "store/store.h"

namespace boletos::store {

class SqliteStore final : public Store {
 public:
  SqliteStore(std::unique_ptr<SQLite::Database> db, std::string path, SqliteOptions options);

  Result<ImportSummary> ImportClients(const std::vector<Client>& clients) override;
  Result<std::vector<WorkItem>> NextWork(const std::string& period, const std::string& after_id, int limit,
                                         int max_attempts) override;
  Result<int> CountWork(const std::string& period, int max_attempts) override;

  Result<RecordedFailure> RecordFailure(const std::string& period, const std::string& client_id, int64_t run_id, int attempt,
                       const std::string& error, bool gave_up) override;
  Status RecordSuccess(const std::string& period, const std::string& client_id, int64_t run_id, int attempt,
                       const Download& download) override;
  Result<std::optional<WorkItem>> WorkFor(const std::string& period, const std::string& client_id,
                                          int max_attempts) override;
  Result<int> ResetFailed(const std::string& period, bool include_none) override;
  Status RecordNone(const std::string& period, const std::string& client_id, int64_t run_id, int attempt,
                    const std::string& why) override;

  Result<int64_t> BeginRun(const std::string& period, int64_t pid, const std::string& host) override;
  Status EndRun(int64_t run_id, RunOutcome outcome, const std::string& summary) override;
  Result<std::vector<RunRecord>> MarkDeadRunsCrashed() override;
  Result<DeadRunCheck> MarkDeadRunsUnlessOneRuns() override;
  Result<std::vector<RunRecord>> RecentRuns(int limit) override;
  Status RecordMemorySample(const MemorySample& sample) override;
  Result<std::vector<MemorySample>> MemorySamples(int64_t run_id) override;

  Result<StatusReport> Report(const std::string& period) override;
  Status ForEachExportRow(const std::string& period, const std::function<void(const ExportRow&)>& fn) override;
  Result<std::string> FileOwner(const std::string& period, const std::string& file) override;
  Status CheckIntegrity() override;

 private:
  // Helpers run with mu_ held, inside the caller's Guarded() block.
  Status CheckAttemptTarget(const std::string& client_id, int64_t run_id);
  // The caller's attempt, or, if the row changed since the caller read it,
  // one more than the stored attempts (changed: set).
  int CountOnStoredRow(const std::string& period, const std::string& client_id, int attempt, bool* changed);
  int64_t InsertAttempt(int64_t run_id, const std::string& client_id, const std::string& period, int attempt,
                        bool ok, const std::string& error, const std::string& at);
  // The three above, as every Record* call starts: the client and run
  // exist, the attempt is counted onto the stored row, its row is written.
  struct AttemptRow {
    int attempt = 0;       // as counted onto the stored row
    bool changed = false;  // the row changed since the caller read it
    std::string now;
    int64_t id = 0;
  };
  Result<AttemptRow> AddAttempt(const std::string& period, const std::string& client_id, int64_t run_id, int attempt,
                                bool ok, const std::string& error);
  std::vector<RunRecord> MarkRunningCrashed();
  std::vector<RunRecord> QueryRuns(const std::string& where_and_order, int limit);

  std::unique_ptr<SQLite::Database> db_;
  std::string path_;
  SqliteOptions options_;
  std::mutex mu_;
};

// Row readers shared by the files that implement SqliteStore.
extern const char* const kRunColumns;     // SELECT list matching ReadRun
RunRecord ReadRun(SQLite::Statement& q);  // reads columns 0..11
extern const char* const kExportColumns;  // SELECT list over clients c LEFT JOIN jobs j
ExportRow ReadExportRow(SQLite::Statement& q, const std::string& period);
extern const char* const kMemoryColumns;
MemorySample ReadMemorySample(SQLite::Statement& q);

}  // namespace boletos::store
