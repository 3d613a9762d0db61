#pragma once
// Store: what is done, what is pending, and how every run ended.
// The job loop talks only to this interface; SqliteStore is the embedded
// default, and a PostgreSQL queue (leases with FOR UPDATE SKIP LOCKED) can
// implement the same calls later. Every call that changes state is durable
// when it returns (committed), so a crash loses at most the client in flight.

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"

namespace boletos::store {

// One client as imported from the CSV: every column is kept by name.
struct Client {
  std::string id;
  std::string name;
  std::string document;                        // may be empty
  std::map<std::string, std::string> columns;  // all columns, including id, name, document
};

// Where a client stands for one period.
//   pending  - never tried, or put back by `retry`
//   retrying - failed at least once, attempts < max_attempts: the next run takes it
//   failed   - failed max_attempts times; only `retry` brings it back
//   done     - its file is on disk, size and sha256 recorded
//   none     - the portal says it has no slip this period (the flow's
//              `none_if`); final like done, until `retry --none`
enum class JobStatus { kPending, kRetrying, kFailed, kDone, kNone };
const char* JobStatusName(JobStatus s);

// A client the run should work on, with where it stands.
struct WorkItem {
  Client client;
  JobStatus status = JobStatus::kPending;
  int attempts = 0;  // attempts already made in earlier runs
};

// Facts read from a boleto (all optional: a slip without a readable line is still done).
struct SlipFacts {
  std::string linha_digitavel;  // digits only, 47 or 48
  std::string barcode;          // 44 digits
  std::string bank;             // 3 digits
  std::string amount;           // "109.51"
  std::string due_date;         // "YYYY-MM-DD"
  std::vector<std::string> warnings;
};

struct Download {
  std::string file;  // path relative to --out, e.g. "2026-12/Ana_DEZEMBRO.pdf"
  int64_t bytes = 0;
  std::string sha256;  // lower-case hex
  SlipFacts facts;
};

// One row of `export`: the columns of SPEC.md, in order.
struct ExportRow {
  std::string id, name, document, period, status, file;
  std::optional<int64_t> bytes;
  std::string sha256;
  int attempts = 0;
  std::string last_error;
  SlipFacts facts;
  std::string downloaded_at;  // ISO 8601 UTC with milliseconds, or empty
};

enum class RunOutcome { kRunning, kFinished, kFailed, kPortalDown, kInterrupted, kCrashed, kHumanNeeded };
const char* RunOutcomeName(RunOutcome o);

struct RunRecord {
  int64_t id = 0;
  std::string period;
  int64_t pid = 0;
  std::string host;
  std::string started_at;  // ISO 8601 UTC ms
  std::string ended_at;    // empty while running
  RunOutcome outcome = RunOutcome::kRunning;
  std::string summary;            // the run's last log line, or how it was found dead
  std::string last_done_client;   // id of the last client done in this run
  std::string last_done_at;
  int done = 0, failed_attempts = 0;
};

struct MemorySample {
  int64_t run_id = 0;
  std::string at;  // ISO 8601 UTC ms
  int clients_done = 0;
  int64_t worker_rss_kb = 0;
  int64_t browser_pss_kb = 0;
  int64_t cgroup_usage_kb = -1;  // -1: not known
  int64_t cgroup_limit_kb = -1;
};

struct PeriodCounts {
  int total = 0, pending = 0, retrying = 0, failed = 0, done = 0, none = 0;
};

struct StatusReport {
  std::string period;
  PeriodCounts counts;
  std::optional<ExportRow> last_success;     // the most recent done client of the period
  std::vector<RunRecord> recent_runs;        // newest first, at most 10, of every period
  std::optional<MemorySample> last_memory;   // of the newest run that has one
  std::vector<ExportRow> recent_failures;    // newest first, at most 10, with last_error
};

// What MarkDeadRunsUnlessOneRuns found.
// What RecordFailure wrote: the attempt's number and whether the client is
// now `failed` (out of attempts).
struct RecordedFailure {
  int attempt = 0;
  bool gave_up = false;
};

struct DeadRunCheck {
  bool run_alive = false;         // a run/worker holds the instance lock: nothing was marked
  std::vector<RunRecord> marked;  // the runs marked crashed
};

struct ImportSummary {
  int inserted = 0;
  int updated = 0;
};

class Store {
 public:
  virtual ~Store() = default;

  // Upserts clients by id in one transaction: all or nothing.
  virtual Result<ImportSummary> ImportClients(const std::vector<Client>& clients) = 0;

  // The next page of work for a period, in a stable order (client id,
  // byte-wise): clients with no row for the period, `pending` and
  // `retrying` ones with attempts < max_attempts, all with id > after_id.
  // Never `done` or `failed`. Reading in pages keeps memory flat whatever
  // the number of clients.
  virtual Result<std::vector<WorkItem>> NextWork(const std::string& period, const std::string& after_id,
                                                 int limit, int max_attempts) = 0;
  // How many clients NextWork would return in total (for "n/total" lines).
  virtual Result<int> CountWork(const std::string& period, int max_attempts) = 0;

  // Records a failed attempt (attempt is 1-based, the client's total so far,
  // as counted from the row the caller read). gave_up: the client is now
  // `failed`, otherwise `retrying`. If the row changed since the caller read
  // it (a `retry` reset it meanwhile), what changed it wins: the attempt
  // counts onto the row as stored now, and never gives the client up on a
  // count that no longer holds. Returns what was recorded, which the caller
  // goes by (not by what it asked for).
  virtual Result<RecordedFailure> RecordFailure(const std::string& period, const std::string& client_id, int64_t run_id,
                               int attempt, const std::string& error, bool gave_up) = 0;
  // Marks the client done. Call only after the file is complete on disk.
  // attempt counts onto the stored row as in RecordFailure.
  virtual Status RecordSuccess(const std::string& period, const std::string& client_id, int64_t run_id,
                               int attempt, const Download& download) = 0;
  // Marks the client `none`: the portal showed it has no slip this period
  // (why: what the flow saw, e.g. `text "Nenhum boleto em aberto"`, kept as
  // the row's warning). attempt counts onto the stored row as in
  // RecordFailure. A done row stays done.
  virtual Status RecordNone(const std::string& period, const std::string& client_id, int64_t run_id, int attempt,
                            const std::string& why) = 0;
  // The client as NextWork would return it now (a `retry` or an import may
  // have changed it since it was read), or nullopt if it is no longer work
  // (done, failed, out of attempts, or gone).
  virtual Result<std::optional<WorkItem>> WorkFor(const std::string& period, const std::string& client_id,
                                                  int max_attempts) = 0;
  // `retry`: failed (and retrying) clients of the period back to pending with
  // attempts reset, in one short transaction; with include_none, the `none`
  // ones too (`retry --none`: the portal may have a slip for them now).
  // Returns how many.
  virtual Result<int> ResetFailed(const std::string& period, bool include_none = false) = 0;

  // Runs. BeginRun first marks any run still `running` as crashed (the
  // caller holds the instance lock, so such a run is dead).
  virtual Result<int64_t> BeginRun(const std::string& period, int64_t pid, const std::string& host) = 0;
  virtual Status EndRun(int64_t run_id, RunOutcome outcome, const std::string& summary) = 0;
  // Marks runs still `running` as crashed, with a summary saying where they
  // stopped. For the holder of the instance lock (run/worker). Returns them.
  virtual Result<std::vector<RunRecord>> MarkDeadRunsCrashed() = 0;
  // The same for commands that do not hold the instance lock (status): marks
  // only if no run/worker holds it, and keeps that probe until the marks are
  // committed, so a run starting meanwhile is never marked crashed.
  virtual Result<DeadRunCheck> MarkDeadRunsUnlessOneRuns() = 0;
  virtual Result<std::vector<RunRecord>> RecentRuns(int limit) = 0;
  virtual Status RecordMemorySample(const MemorySample& sample) = 0;
  virtual Result<std::vector<MemorySample>> MemorySamples(int64_t run_id) = 0;

  virtual Result<StatusReport> Report(const std::string& period) = 0;
  // Every client with its row for the period (status `pending` if none), by id.
  virtual Status ForEachExportRow(const std::string& period,
                                  const std::function<void(const ExportRow&)>& fn) = 0;

  // The client whose `done` row for the period records this file (path
  // relative to --out), or "" if none. OutputFolder asks it so two clients
  // never share a final name. Not pure, so test fakes need not implement it;
  // the default says plainly that this store cannot answer.
  virtual Result<std::string> FileOwner(const std::string& period, const std::string& file) {
    (void)period;
    (void)file;
    return MakeError(ErrorKind::kNotFound, "this store cannot tell which client owns " + file);
  }
  // `doctor`: a full consistency check of the stored data (SQLite's
  // quick_check; slow on big databases, so not run at open). Default: Ok.
  virtual Status CheckIntegrity() { return Status::Ok(); }
};

struct SqliteOptions {
  // How long a call waits for another connection's write lock before it
  // fails with kBusy. Commands at a terminal say "busy" soon; a run waits
  // out an operator's import or retry (kRunBusyWait, docs/DECISIONS.md).
  std::chrono::milliseconds busy_wait{5000};
  // Test seam: called by MarkDeadRunsUnlessOneRuns between its probe of the
  // instance lock and its marks, to build a run starting right then.
  std::function<void()> after_lock_probe;
};
inline constexpr std::chrono::milliseconds kRunBusyWait{60000};

// Opens (creating if needed) the SQLite store at path and migrates its
// schema. A missing folder, an unreadable or corrupt file is kBadInput/kIo
// with a message naming the path and what to do.
Result<std::unique_ptr<Store>> OpenSqliteStore(const std::string& path, SqliteOptions options = {});

}  // namespace boletos::store
